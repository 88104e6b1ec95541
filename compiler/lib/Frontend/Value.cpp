//===- Value.cpp - Compile-time values, arithmetic and argument binding ---===//

#include "Evaluator.h"

#include "netc/Frontend/Limits.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace netc {

std::string numberText(double d) {
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", d);
    return buf;
  }
  char buf[40];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, d);
    if (std::strtod(buf, nullptr) == d)
      break;
  }
  return buf;
}

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string valueText(const Value &v, bool quoteStrings) {
  switch (v.kind) {
  case Value::Int:
    return std::to_string(v.i);
  case Value::Float:
    return numberText(v.f);
  case Value::Bool:
    return v.i ? "true" : "false";
  case Value::Str:
    return quoteStrings ? "\"" + v.s + "\"" : v.s;
  case Value::Sym:
    return v.s;
  case Value::List: {
    std::string s = "[";
    for (size_t i = 0; i < v.list.size(); ++i)
      s += (i ? ", " : "") + valueText(v.list[i], quoteStrings);
    return s + "]";
  }
  case Value::Call: {
    std::string s = v.s + "(";
    bool first = true;
    for (const Value &a : v.list) {
      s += (first ? "" : ", ") + valueText(a, true);
      first = false;
    }
    for (const auto &kv : v.kw) {
      s += (first ? "" : ", ") + kv.first + "=" + valueText(kv.second, true);
      first = false;
    }
    return s + ")";
  }
  case Value::Tensor:
    return "<tensor>";
  case Value::Slot:
    return "<network>";
  case Value::Data:
    return "<dataset>";
  case Value::Eval:
    return "@eval:" + std::to_string(v.i);
  case Value::None:
  case Value::Error:
    return "<none>";
  }
  return "";
}

int64_t valueSize(const Value &v) {
  int64_t n = 1;
  for (const Value &x : v.list)
    n += valueSize(x);
  for (const auto &kv : v.kw)
    n += valueSize(kv.second);
  return n;
}

std::string describe(const Value &v) {
  switch (v.kind) {
  case Value::Int:
    return "integer " + valueText(v);
  case Value::Float:
    return "number " + valueText(v);
  case Value::Bool:
    return "boolean " + valueText(v);
  case Value::Str:
    return "string " + valueText(v);
  case Value::Sym:
    return "name '" + v.s + "'";
  case Value::List:
    return "list " + valueText(v);
  case Value::Call:
    return "'" + valueText(v) + "'";
  case Value::Tensor:
    return "a tensor";
  case Value::Slot:
    return "a network";
  case Value::Data:
    return "a dataset";
  case Value::Eval:
    return "an evaluation";
  default:
    return "nothing";
  }
}

std::optional<bool> Evaluator::truth(const Value &v, SourceLoc loc) {
  if (v.kind == Value::Bool)
    return v.i != 0;
  if (v.kind != Value::Error)
    diags.error(loc, "expected a boolean, got " + describe(v));
  return std::nullopt;
}

static Value makeInt(int64_t i, SourceLoc loc) {
  Value v;
  v.kind = Value::Int;
  v.i = i;
  v.f = (double)i;
  v.loc = loc;
  return v;
}

static Value makeFloat(double f, SourceLoc loc) {
  Value v;
  v.kind = Value::Float;
  v.f = f;
  v.loc = loc;
  return v;
}

static Value makeBool(bool b, SourceLoc loc) {
  Value v;
  v.kind = Value::Bool;
  v.i = b;
  v.loc = loc;
  return v;
}

/// A value of `kind` carrying `s` (strings, symbols, calls).
static Value makeText(Value::Kind kind, const std::string &s, SourceLoc loc) {
  Value v;
  v.kind = kind;
  v.s = s;
  v.loc = loc;
  return v;
}

Value Evaluator::evalBinary(const ast::Expr &e, const Value &a,
                            const Value &b) {
  if (a.kind == Value::Error || b.kind == Value::Error)
    return Value::error();
  const std::string &op = e.text;
  if (op == "and" || op == "or") {
    auto x = truth(a, e.kids[0]->loc), y = truth(b, e.kids[1]->loc);
    if (!x || !y)
      return Value::error();
    return makeBool(op == "and" ? (*x && *y) : (*x || *y), e.loc);
  }
  if (op == "==" || op == "!=") {
    bool eq = (a.isNumber() && b.isNumber()) ? a.num() == b.num()
                                             : valueText(a) == valueText(b);
    return makeBool(op == "==" ? eq : !eq, e.loc);
  }
  if (!a.isNumber() || !b.isNumber()) {
    const Value &bad = a.isNumber() ? b : a;
    diags.error(bad.loc,
                "operator '" + op + "' needs numbers, got " + describe(bad));
    return Value::error();
  }
  if (op == "<")
    return makeBool(a.num() < b.num(), e.loc);
  if (op == "<=")
    return makeBool(a.num() <= b.num(), e.loc);
  if (op == ">")
    return makeBool(a.num() > b.num(), e.loc);
  if (op == ">=")
    return makeBool(a.num() >= b.num(), e.loc);
  if (op == "..")
    return range(e, a, b);
  return arithmetic(e, a, b);
}

/// + - * / of two numbers: integers stay integers (checked for overflow)
/// unless a division is inexact; numbers must stay finite.
Value Evaluator::arithmetic(const ast::Expr &e, const Value &a,
                            const Value &b) {
  const std::string &op = e.text;
  bool ints = a.kind == Value::Int && b.kind == Value::Int;
  auto overflow = [&]() {
    diags.error(e.loc, "integer overflow: " + valueText(a) + " " + op + " " +
                           valueText(b) + " is outside the 64-bit range");
    return Value::error();
  };
  double r;
  if (op == "/") {
    if (b.num() == 0) {
      diags.error(e.kids[1]->loc, "division by zero");
      return Value::error();
    }
    if (ints && a.i == INT64_MIN && b.i == -1)
      return overflow();
    // Exact integer division stays an integer so `filters / 2` can be a
    // size; otherwise `1/255` is the number it reads as.
    if (ints && a.i % b.i == 0)
      return makeInt(a.i / b.i, e.loc);
    r = a.num() / b.num();
  } else if (ints) {
    int64_t i;
    bool over = op == "+"   ? __builtin_add_overflow(a.i, b.i, &i)
                : op == "-" ? __builtin_sub_overflow(a.i, b.i, &i)
                            : __builtin_mul_overflow(a.i, b.i, &i);
    return over ? overflow() : makeInt(i, e.loc);
  } else {
    r = op == "+"   ? a.num() + b.num()
        : op == "-" ? a.num() - b.num()
                    : a.num() * b.num();
  }
  if (!std::isfinite(r)) {
    diags.error(e.loc, valueText(a) + " " + op + " " + valueText(b) +
                           " is too large for a number (the largest is "
                           "about 1.8e308)");
    return Value::error();
  }
  return makeFloat(r, e.loc);
}

Value Evaluator::range(const ast::Expr &e, const Value &a, const Value &b) {
  if (a.kind != Value::Int || b.kind != Value::Int) {
    diags.error(e.loc, "a range needs integer bounds, got " + describe(a) +
                           " and " + describe(b));
    return Value::error();
  }
  Value list;
  list.kind = Value::List;
  list.loc = e.loc;
  if (b.i < a.i)
    return list;
  // The difference can exceed int64 (-2^63..2^63-1), not uint64.
  uint64_t count = (uint64_t)b.i - (uint64_t)a.i + 1;
  if (count == 0 || count > (uint64_t)limits::kRangeValues) {
    diags.error(e.loc, "range " + valueText(a) + ".." + valueText(b) + " has " +
                           (count ? std::to_string(count) : "2^64") +
                           " values; the limit is " +
                           std::to_string(limits::kRangeValues));
    return Value::error();
  }
  if (!ctx.spend((int64_t)count, e.loc))
    return Value::error();
  for (uint64_t k = 0; k < count; ++k)
    list.list.push_back(makeInt(a.i + (int64_t)k, e.loc));
  return list;
}

void Evaluator::evalArg(const ast::Arg &a, Scope &scope, ExperimentCalls *exp,
                        std::vector<Value> &pos, Keywords &kws) {
  Value v = eval(*a.value, scope, exp);
  if (a.key.empty()) {
    if (!kws.empty())
      diags.error(a.loc, "positional argument after keyword arguments");
    pos.push_back(v);
    return;
  }
  v.loc = a.value->loc;
  // Remember where the key was written for "unknown argument" errors; bind()
  // takes the marker off again.
  Value keyed = v;
  keyed.kw.insert(keyed.kw.begin(), {"@key", Value()});
  keyed.kw.front().second.loc = a.loc;
  kws.push_back({a.key, keyed});
}

void Evaluator::evalArgs(const std::vector<ast::Arg> &args, Scope &scope,
                         ExperimentCalls *exp, std::vector<Value> &pos,
                         Keywords &kws) {
  for (const ast::Arg &a : args)
    evalArg(a, scope, exp, pos, kws);
}

SourceLoc takeKeyLoc(Value &v) {
  SourceLoc loc = v.loc;
  if (!v.kw.empty() && v.kw.front().first == "@key") {
    loc = v.kw.front().second.loc;
    v.kw.erase(v.kw.begin());
  }
  return loc;
}

Value Evaluator::eval(const ast::Expr &e, Scope &scope, ExperimentCalls *exp) {
  if (!ctx.spend(1, e.loc))
    return Value::error();
  switch (e.kind) {
  case ast::Expr::Int:
    return makeInt(e.ival, e.loc);
  case ast::Expr::Float:
    return makeFloat(e.fval, e.loc);
  case ast::Expr::Bool:
    return makeBool(e.ival != 0, e.loc);
  case ast::Expr::String:
    return makeText(Value::Str, e.text, e.loc);
  case ast::Expr::In:
    return evalIn(e, scope);
  case ast::Expr::Name:
    return evalName(e, scope, exp);
  case ast::Expr::Call:
    return evalCall(e, scope, exp);
  case ast::Expr::List:
    return evalList(e, scope, exp);
  case ast::Expr::Member:
    return evalMember(e, scope, exp);
  case ast::Expr::Unary:
    return evalUnary(e, scope, exp);
  case ast::Expr::Binary: {
    Value a = eval(*e.kids[0], scope, exp);
    Value b = eval(*e.kids[1], scope, exp);
    return evalBinary(e, a, b);
  }
  case ast::Expr::Chain:
    if (exp)
      return exp->chain(e, scope);
    diags.error(e.loc, "'->' is only allowed in network bodies and between "
                       "networks in experiments");
    return Value::error();
  case ast::Expr::If: {
    auto c = truth(eval(*e.kids[0], scope, exp), e.kids[0]->loc);
    if (!c)
      return Value::error();
    return eval(*e.kids[*c ? 1 : 2], scope, exp);
  }
  }
  return Value::error();
}

Value Evaluator::evalIn(const ast::Expr &e, Scope &scope) {
  auto it = scope.find("in");
  if (it != scope.end()) {
    Value r = it->second;
    r.loc = e.loc;
    return r;
  }
  diags.error(e.loc, "'in' is only defined inside a network or block body");
  return Value::error();
}

/// A name: a variable, a network (in an experiment), a dataset, or a word of
/// the vocabulary.
Value Evaluator::evalName(const ast::Expr &e, Scope &scope,
                          ExperimentCalls *exp) {
  auto it = scope.find(e.text);
  if (it != scope.end()) {
    if (!ctx.spend(valueSize(it->second) - 1, e.loc))
      return Value::error();
    Value r = it->second;
    r.loc = e.loc;
    return r;
  }
  const ast::NetworkDecl *d = ctx.findDecl(e.text);
  if (exp && d && !d->isBlock)
    return exp->call(e, scope);
  int ds = ctx.findDataset(e.text);
  if (ds >= 0) {
    Value v = makeText(Value::Data, "", e.loc);
    v.i = ds;
    return v;
  }
  if (isVocabularyWord(e.text) || findFunc(e.text) || findLayer(e.text))
    return makeText(Value::Sym, e.text, e.loc);
  if (d) {
    diags.error(e.loc, std::string("'") + e.text + "' is a " +
                           (d->isBlock ? "block" : "network") +
                           ", not a value here");
    return Value::error();
  }
  std::string hint = ctx.suggest(e.text, e.loc, [&] {
    std::vector<std::string> names = ctx.visibleNames(scope);
    for (auto &n : vocabulary())
      names.push_back(n);
    return names;
  });
  diags.error(e.loc, "unknown variable '" + e.text + "'" + hint);
  return Value::error();
}

/// A call of a vocabulary function (`l2(1e-4)`); in an experiment, also of a
/// network or a built-in.
Value Evaluator::evalCall(const ast::Expr &e, Scope &scope,
                          ExperimentCalls *exp) {
  if (exp)
    return exp->call(e, scope);
  if (findFunc(e.text)) {
    Value v = makeText(Value::Call, e.text, e.loc);
    evalArgs(e.args, scope, exp, v.list, v.kw);
    for (auto &kv : v.kw)
      takeKeyLoc(kv.second);
    return v;
  }
  if (const ast::NetworkDecl *d = ctx.findDecl(e.text)) {
    diags.error(e.loc, std::string("'") + e.text + "' is a " +
                           (d->isBlock ? "block" : "network") +
                           "; it cannot be called here");
    return Value::error();
  }
  std::vector<std::string> names;
  for (const char *c : {"initializer", "regularizer", "optimizer", "schedule",
                        "loss", "metric", "callback"})
    for (auto &n : funcNames(c))
      names.push_back(n);
  diags.error(e.loc,
              "unknown function '" + e.text + "'" + didYouMean(e.text, names));
  return Value::error();
}

Value Evaluator::evalList(const ast::Expr &e, Scope &scope,
                          ExperimentCalls *exp) {
  Value v;
  v.kind = Value::List;
  v.loc = e.loc;
  for (const auto &k : e.kids) {
    Value x = eval(*k, scope, exp);
    if (x.kind == Value::Error)
      return x;
    v.list.push_back(std::move(x)); // a copy is quadratic in nesting
  }
  return v;
}

/// `data.train`, `data.test`.
Value Evaluator::evalMember(const ast::Expr &e, Scope &scope,
                            ExperimentCalls *exp) {
  Value base = eval(*e.kids[0], scope, exp);
  if (base.kind == Value::Error)
    return base;
  if (base.kind != Value::Data || !base.s.empty()) {
    diags.error(e.loc,
                "'." + e.text + "' needs a dataset, got " + describe(base));
    return Value::error();
  }
  if (e.text != "train" && e.text != "test") {
    diags.error(e.loc, "unknown split '" + e.text + "'" +
                           didYouMean(e.text, {"train", "test"}) +
                           " (datasets have .train and .test)");
    return Value::error();
  }
  base.s = e.text;
  base.loc = e.loc;
  return base;
}

Value Evaluator::evalUnary(const ast::Expr &e, Scope &scope,
                           ExperimentCalls *exp) {
  Value a = eval(*e.kids[0], scope, exp);
  if (a.kind == Value::Error)
    return a;
  if (e.text == "not") {
    auto b = truth(a, e.kids[0]->loc);
    return b ? makeBool(!*b, e.loc) : Value::error();
  }
  if (a.kind == Value::Int && a.i == INT64_MIN) {
    diags.error(e.loc, "integer overflow: -(" + valueText(a) +
                           ") is outside the 64-bit range");
    return Value::error();
  }
  if (a.kind == Value::Int)
    return makeInt(-a.i, e.loc);
  if (a.kind == Value::Float)
    return makeFloat(-a.f, e.loc);
  diags.error(e.kids[0]->loc, "unary '-' needs a number, got " + describe(a));
  return Value::error();
}

/// A size written `3` becomes `[3, 3]`; true for a positive size or pair.
static bool toIntPair(Value &v) {
  if (v.kind == Value::Int) {
    if (v.i <= 0)
      return false;
    Value pair = v;
    pair.kind = Value::List;
    pair.list = {v, v};
    v = pair;
    return true;
  }
  return v.kind == Value::List && v.list.size() == 2 &&
         v.list[0].kind == Value::Int && v.list[1].kind == Value::Int &&
         v.list[0].i > 0 && v.list[1].i > 0;
}

static bool isWord(const Value &v) {
  return v.kind == Value::Sym || v.kind == Value::Str;
}

static bool isNumList(const Value &v) {
  if (v.kind != Value::List)
    return false;
  for (auto &x : v.list)
    if (!x.isNumber())
      return false;
  return true;
}

bool Evaluator::mismatch(const std::string &what, const ArgSpec &p,
                         const Value &v, const std::string &expected) {
  diags.error(v.loc, "argument '" + p.name + "' of '" + what + "' must be " +
                         expected + ", got " + describe(v));
  return false;
}

bool Evaluator::checkType(const std::string &what, const ArgSpec &p, Value &v) {
  if (v.kind == Value::Error)
    return false;
  auto fail = [&](const std::string &expected) {
    return mismatch(what, p, v, expected);
  };
  switch (p.type) {
  case ArgSpec::Number:
    return v.isNumber() ? true : fail("a number");
  case ArgSpec::Int:
    return v.kind == Value::Int ? true : fail("an integer");
  case ArgSpec::PosInt:
    return v.kind == Value::Int && v.i > 0 ? true : fail("a positive integer");
  case ArgSpec::IntPair:
    return toIntPair(v) ? true : fail("a positive integer or [h, w]");
  case ArgSpec::Bool:
    return v.kind == Value::Bool ? true : fail("true or false");
  case ArgSpec::Padding:
    if (isWord(v) && (v.s == "same" || v.s == "valid")) {
      v.kind = Value::Sym;
      return true;
    }
    return fail("same or valid");
  case ArgSpec::Activation:
    return checkActivation(what, p, v);
  case ArgSpec::Init:
    return toInit(v, what + "' argument '" + p.name).has_value();
  case ArgSpec::Reg:
    return toReg(v, what + "' argument '" + p.name).has_value();
  case ArgSpec::Symbol:
    return checkSymbol(what, p, v);
  case ArgSpec::String:
    return v.kind == Value::Str ? true : fail("a string");
  case ArgSpec::NumList:
    return isNumList(v) ? true : fail("a list of numbers");
  case ArgSpec::LearningRate:
    if (v.isNumber())
      return true;
    if (v.kind == Value::Call || v.kind == Value::Sym)
      return toCall(v, "schedule", what + "' argument '" + p.name).has_value();
    return fail("a number or a learning-rate schedule (exponential_decay, "
                "cosine_decay, step)");
  case ArgSpec::Tensors:
  case ArgSpec::Any:
    return true;
  }
  return true;
}

bool Evaluator::checkActivation(const std::string &what, const ArgSpec &p,
                                Value &v) {
  static const std::vector<std::string> acts = {"relu", "sigmoid", "tanh",
                                                "softmax", "linear"};
  if (!isWord(v))
    return mismatch(what, p, v,
                    "an activation (relu, sigmoid, tanh, softmax, linear)");
  for (auto &a : acts)
    if (v.s == a) {
      v.kind = Value::Sym;
      return true;
    }
  diags.error(v.loc,
              "unknown activation '" + v.s + "'" + didYouMean(v.s, acts));
  return false;
}

bool Evaluator::checkSymbol(const std::string &what, const ArgSpec &p,
                            Value &v) {
  if (!isWord(v)) {
    std::string names;
    for (auto &c : p.choices)
      names += (names.empty() ? "" : ", ") + c;
    return mismatch(what, p, v, "one of the names " + names);
  }
  for (auto &c : p.choices)
    if (v.s == c) {
      v.kind = Value::Sym;
      return true;
    }
  diags.error(v.loc, "unknown value '" + v.s + "' for argument '" + p.name +
                         "' of '" + what + "'" + didYouMean(v.s, p.choices));
  return false;
}

BoundArgs Evaluator::bind(const std::string &what,
                          const std::vector<ArgSpec> &specs,
                          const std::vector<Value> &pos, const Keywords &kws,
                          SourceLoc callLoc) {
  BoundArgs out;
  if (pos.size() > specs.size()) {
    diags.error(pos[specs.size()].loc, "too many arguments to '" + what +
                                           "' (it takes " +
                                           std::to_string(specs.size()) + ")");
    out.ok = false;
  }
  for (size_t i = 0; i < pos.size() && i < specs.size(); ++i)
    out.values[specs[i].name] = pos[i];
  for (auto kv : kws) {
    SourceLoc keyLoc = takeKeyLoc(kv.second);
    // Keras spells it `strides`; accept both.
    if (kv.first == "strides")
      kv.first = "stride";
    bool known = false;
    for (const ArgSpec &p : specs)
      known |= p.name == kv.first;
    if (!known) {
      std::vector<std::string> names;
      for (const ArgSpec &p : specs)
        names.push_back(p.name);
      diags.error(keyLoc, "unknown argument '" + kv.first + "' for '" + what +
                              "'" + didYouMean(kv.first, names));
      out.ok = false;
      continue;
    }
    if (out.values.count(kv.first)) {
      diags.error(keyLoc, "argument '" + kv.first + "' of '" + what +
                              "' is given twice");
      out.ok = false;
      continue;
    }
    out.values[kv.first] = kv.second;
  }
  for (const ArgSpec &p : specs) {
    auto it = out.values.find(p.name);
    if (it == out.values.end()) {
      if (p.required) {
        diags.error(callLoc, "'" + what + "' needs argument '" + p.name + "'");
        out.ok = false;
      }
      continue;
    }
    if (it->second.kind == Value::Error) {
      out.ok = false;
      continue;
    }
    if (!checkType(what, p, it->second))
      out.ok = false;
  }
  return out;
}

} // namespace netc
