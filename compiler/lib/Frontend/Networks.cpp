//===- Networks.cpp - Network and block bodies, composition ---------------===//
//
// A body is run statement by statement over a "running tensor": each layer
// statement applies to it and replaces it; `let` names a tensor without
// moving it; blocks run their body on the tensor they are applied to, with
// `in` bound to it. Because arguments are known, `repeat` and `if` are simply
// executed, so the result is a flat layer graph in topological order.
//
//===----------------------------------------------------------------------===//

#include "Networks.h"

#include "netc/Frontend/Limits.h"

namespace netc {

/// Parameters of a network or block as binding specs (any value type).
static std::vector<ArgSpec> declSpecs(const ast::NetworkDecl &d) {
  std::vector<ArgSpec> specs;
  for (const ast::ParamDecl &p : d.params)
    specs.push_back({p.name, ArgSpec::Any, !p.defaultValue, 0, "", {}});
  return specs;
}

/// Binds call arguments to a declaration's parameters, evaluating defaults
/// in the scope of the parameters bound before them.
bool Networks::bindDecl(const ast::NetworkDecl &d,
                        const std::vector<Value> &pos, const Keywords &kws,
                        SourceLoc callLoc, Scope &out) {
  BoundArgs b = ev.bind(d.name, declSpecs(d), pos, kws, callLoc);
  if (!b.ok)
    return false;
  for (const ast::ParamDecl &p : d.params) {
    auto it = b.values.find(p.name);
    if (it != b.values.end()) {
      out[p.name] = it->second;
      continue;
    }
    Value v = ev.eval(*p.defaultValue, out);
    if (v.kind == Value::Error)
      return false;
    out[p.name] = v;
  }
  return true;
}

/// True when `e` denotes a tensor (a layer application, a chain, a named
/// tensor) rather than a compile-time value; decides what `let` binds.
bool Networks::isTensorExpr(const ast::Expr &e, const Scope &scope) const {
  switch (e.kind) {
  case ast::Expr::Chain:
  case ast::Expr::In:
    return true;
  case ast::Expr::Call:
    return findLayer(e.text) || ctx.findDecl(e.text);
  case ast::Expr::Name: {
    auto it = scope.find(e.text);
    if (it != scope.end())
      return it->second.kind == Value::Tensor;
    return findLayer(e.text) || ctx.findDecl(e.text);
  }
  case ast::Expr::If:
    return isTensorExpr(*e.kids[1], scope) || isTensorExpr(*e.kids[2], scope);
  default:
    return false;
  }
}

int Networks::instantiate(const ast::NetworkDecl &decl,
                          const std::vector<Value> &pos, const Keywords &kws,
                          SourceLoc callLoc) {
  Scope scope;
  if (!bindDecl(decl, pos, kws, callLoc, scope))
    return -1;
  std::string inst = decl.name + "(";
  for (size_t i = 0; i < decl.params.size(); ++i)
    inst += (i ? ", " : "") + decl.params[i].name + "=" +
            valueText(scope[decl.params[i].name]);
  inst += ")";
  auto found = instances.find(inst);
  if (found != instances.end())
    return found->second;

  if (ctx.halted())
    return -1;
  Builder b;
  b.decl = &decl;
  b.net.name = decl.name;
  b.net.instance = inst;
  b.net.loc = decl.loc;
  b.errorsAtStart = diags.reportCount();
  int cur = NoTensor;
  runBody(decl.body, b, scope, cur);
  if (b.net.layers.empty() && diags.reportCount() == b.errorsAtStart)
    diags.error(decl.nameLoc,
                "network '" + decl.name + "' has no 'input [...]' layer");
  if (diags.reportCount() != b.errorsAtStart || cur < 0) {
    instances[inst] = -1;
    return -1;
  }
  b.net.output = cur;
  dropUnconnected(b);
  Program &prog = ctx.program();
  prog.networks.push_back(std::make_unique<Network>(std::move(b.net)));
  int index = (int)prog.networks.size() - 1;
  instances[inst] = index;
  return index;
}

void Networks::runBody(const std::vector<ast::NetStmt> &body, Builder &b,
                       Scope &scope, int &cur) {
  for (const ast::NetStmt &s : body) {
    if (!ctx.spend(1, s.loc))
      return;
    switch (s.kind) {
    case ast::NetStmt::Defaults:
      defaults(s, b, scope);
      break;
    case ast::NetStmt::Input:
      input(s, b, scope, cur);
      break;
    case ast::NetStmt::Repeat:
      repeat(s, b, scope, cur);
      break;
    case ast::NetStmt::Let:
      let(s, b, scope, cur);
      break;
    case ast::NetStmt::Layer:
      cur = apply(*s.expr, b, scope, cur);
      break;
    }
  }
}

/// `defaults kind, ... (key: value, ...)`: checked against each kind's
/// parameters, then in effect for the rest of the body.
void Networks::defaults(const ast::NetStmt &s, Builder &b, Scope &scope) {
  std::vector<Value> pos;
  Keywords kws;
  ev.evalArgs(s.args, scope, nullptr, pos, kws);
  if (!pos.empty())
    diags.error(pos.front().loc,
                "'defaults' takes keyword arguments only (key: value)");
  for (size_t k = 0; k < s.kinds.size(); ++k) {
    const LayerSpec *spec = findLayer(s.kinds[k]);
    if (!spec) {
      diags.error(s.kindLocs[k], "unknown layer '" + s.kinds[k] + "'" +
                                     didYouMean(s.kinds[k], layerKinds()));
      continue;
    }
    std::vector<std::string> names;
    for (const ArgSpec &p : spec->params)
      names.push_back(p.name);
    for (auto kv : kws) {
      SourceLoc keyLoc = takeKeyLoc(kv.second);
      const ArgSpec *p = nullptr;
      for (const ArgSpec &q : spec->params)
        if (q.name == kv.first)
          p = &q;
      if (!p) {
        diags.error(keyLoc, "unknown argument '" + kv.first + "' for '" +
                                s.kinds[k] + "'" + didYouMean(kv.first, names));
        continue;
      }
      if (ev.checkType(s.kinds[k], *p, kv.second))
        b.defaults[s.kinds[k]][kv.first] = kv.second;
    }
  }
}

void Networks::input(const ast::NetStmt &s, Builder &b, Scope &scope,
                     int &cur) {
  if (b.decl->isBlock) {
    diags.error(s.loc, "'input' is only allowed in a network; a block "
                       "applies to the tensor 'in'");
    return;
  }
  if (cur != NoTensor) {
    diags.error(s.loc, "a network has one 'input'");
    return;
  }
  cur = inputLayer(ev.eval(*s.expr, scope), s.expr->loc, b);
}

void Networks::let(const ast::NetStmt &s, Builder &b, Scope &scope, int cur) {
  if (!isTensorExpr(*s.expr, scope)) {
    scope[s.name] = ev.eval(*s.expr, scope);
    return;
  }
  int t = apply(*s.expr, b, scope, cur);
  Value v;
  v.kind = Value::Tensor;
  v.i = t;
  v.loc = s.loc;
  scope[s.name] = v;
  b.lets.push_back({s.name, t, s.loc});
}

void Networks::repeat(const ast::NetStmt &s, Builder &b, Scope &scope,
                      int &cur) {
  Value n = ev.eval(*s.expr, scope);
  if (n.kind == Value::Error)
    return;
  if (n.kind != Value::Int || n.i < 0) {
    diags.error(s.expr->loc, "'repeat' needs a count >= 0, got " + describe(n));
    return;
  }
  runRepeat(s, n.i, b, scope, cur);
}

bool Networks::withinNesting(SourceLoc loc) {
  if (nesting < limits::kNesting)
    return true;
  ctx.fatal(loc, "repeats and blocks nest deeper than " +
                     std::to_string(limits::kNesting) + " levels here");
  return false;
}

/// Runs a `repeat` body `count` times, within the limits on repeats per
/// network and on nesting; stops at the first iteration that reports an
/// error (the next ones would only repeat it).
void Networks::runRepeat(const ast::NetStmt &s, int64_t count, Builder &b,
                         Scope &scope, int &cur) {
  if (count > limits::kRepeatIterations - b.repeats) {
    ctx.fatal(s.expr->loc, "'repeat " + std::to_string(count) +
                               "' is over the limit: a network runs repeat "
                               "bodies at most " +
                               std::to_string(limits::kRepeatIterations) +
                               " times in all");
    return;
  }
  if (!withinNesting(s.loc))
    return;
  b.repeats += count;
  int before = diags.reportCount();
  ++nesting;
  for (int64_t i = 0;
       i < count && !ctx.halted() && diags.reportCount() == before; ++i)
    runBody(s.body, b, scope, cur);
  --nesting;
}

int Networks::apply(const ast::Expr &e, Builder &b, Scope &scope, int cur) {
  if (!ctx.spend(1, e.loc))
    return BadTensor;
  switch (e.kind) {
  case ast::Expr::Chain:
    for (const ast::ExprPtr &k : e.kids)
      cur = apply(*k, b, scope, cur);
    return cur;
  case ast::Expr::In: {
    auto it = scope.find("in");
    if (it != scope.end())
      return (int)it->second.i;
    // In a network body `in` is the input layer.
    if (!b.net.layers.empty())
      return 0;
    diags.error(e.loc, "'in' used before the network's 'input'");
    return BadTensor;
  }
  case ast::Expr::Name:
    return applyName(e, b, scope, cur);
  case ast::Expr::Call:
    return applyNamed(e.text, e, e.args, b, scope, cur);
  case ast::Expr::If: {
    auto c = ev.truth(ev.eval(*e.kids[0], scope), e.kids[0]->loc);
    if (!c)
      return BadTensor;
    return apply(*e.kids[*c ? 1 : 2], b, scope, cur);
  }
  default:
    diags.error(e.loc, "expected a layer, got '" + ast::exprText(e) + "'");
    return BadTensor;
  }
}

/// A bare name in a body: a named tensor, a parameter naming a layer, or a
/// layer or block used without arguments.
int Networks::applyName(const ast::Expr &e, Builder &b, Scope &scope, int cur) {
  auto it = scope.find(e.text);
  if (it == scope.end())
    return applyNamed(e.text, e, {}, b, scope, cur);
  const Value &v = it->second;
  if (v.kind == Value::Tensor)
    return (int)v.i;
  if (v.kind == Value::Error)
    return BadTensor;
  // A parameter may name a layer: `block act_block(act = relu) { act }`.
  if (v.kind == Value::Sym && findLayer(v.s))
    return applyNamed(v.s, e, {}, b, scope, cur);
  diags.error(e.loc,
              "'" + e.text + "' is " + describe(v) + ", not a layer or tensor");
  return BadTensor;
}

int Networks::applyNamed(const std::string &name, const ast::Expr &e,
                         const std::vector<ast::Arg> &args, Builder &b,
                         Scope &scope, int cur) {
  if (name == "input") {
    diags.error(e.loc, "'input' is a statement: input [H, W, C]");
    return BadTensor;
  }
  if (findLayer(name))
    return applyLayer(name, e, args, b, scope, cur);
  if (const ast::NetworkDecl *d = ctx.findDecl(name)) {
    if (d->isBlock)
      return applyBlock(*d, e, b, scope, cur);
    diags.error(e.loc, "network '" + name +
                           "' cannot be used as a layer; declare it as a "
                           "block, or compose networks in an experiment");
    return BadTensor;
  }
  std::string hint = ctx.suggest(name, e.loc, [&] {
    std::vector<std::string> candidates = layerKinds();
    for (auto &kv : ctx.networkDecls())
      if (kv.second->isBlock)
        candidates.push_back(kv.first);
    for (auto &kv : scope)
      if (kv.second.kind == Value::Tensor)
        candidates.push_back(kv.first);
    return candidates;
  });
  diags.error(e.loc, "unknown layer '" + name + "'" + hint);
  return BadTensor;
}

int Networks::applyLayer(const std::string &name, const ast::Expr &e,
                         const std::vector<ast::Arg> &args, Builder &b,
                         Scope &scope, int cur) {
  if (name == "add" || name == "concat") {
    // The positional arguments are tensors; each may be a chain.
    std::vector<int> inputs;
    std::vector<const ast::Arg *> options;
    for (const ast::Arg &a : args) {
      if (a.key.empty())
        inputs.push_back(apply(*a.value, b, scope, cur));
      else
        options.push_back(&a);
    }
    return addLayer(name, options, e.loc, b, scope, inputs);
  }
  if (cur == NoTensor) {
    diags.error(e.loc, "layer '" + name +
                           "' has no input: a network starts with "
                           "'input [...]'");
    return BadTensor;
  }
  std::vector<const ast::Arg *> ptrs;
  for (const ast::Arg &a : args)
    ptrs.push_back(&a);
  return addLayer(name, ptrs, e.loc, b, scope, {cur});
}

int Networks::applyBlock(const ast::NetworkDecl &decl, const ast::Expr &call,
                         Builder &b, Scope &scope, int cur) {
  std::vector<Value> pos;
  Keywords kws;
  ev.evalArgs(call.args, scope, nullptr, pos, kws);
  Scope inner;
  if (!bindDecl(decl, pos, kws, call.loc, inner))
    return BadTensor;
  if (cur == NoTensor) {
    diags.error(call.loc, "block '" + decl.name +
                              "' has no input: a network starts with "
                              "'input [...]'");
    return BadTensor;
  }
  if (cur == BadTensor)
    return BadTensor;
  if (depth > 64) {
    ctx.fatal(call.loc, "block '" + decl.name +
                            "' nests more than 64 deep (is it recursive?)");
    return BadTensor;
  }
  if (!withinNesting(call.loc))
    return BadTensor;
  Value in;
  in.kind = Value::Tensor;
  in.i = cur;
  inner["in"] = in;
  auto savedDefaults = b.defaults;
  if (!ctx.spend(limits::kBlockWork, call.loc))
    return BadTensor;
  ++depth;
  ++nesting;
  int t = cur;
  runBody(decl.body, b, inner, t);
  --nesting;
  --depth;
  b.defaults = savedDefaults;
  return t;
}

/// The composition copies its parts: within the limits on layers, checked
/// before its name (which grows as fast) is built.
bool Networks::withinComposeLimits(
    const std::vector<std::pair<int, bool>> &parts, SourceLoc loc) {
  int64_t layers = 0, params = 0;
  for (const auto &part : parts) {
    layers += (int64_t)ctx.program().networks[part.first]->layers.size();
    params += (int64_t)ctx.program().networks[part.first]->params.size();
  }
  if (layers > limits::kLayersPerNetwork) {
    ctx.fatal(loc, "the composed network has more than " +
                       std::to_string(limits::kLayersPerNetwork) + " layers");
    return false;
  }
  return ctx.spend(limits::kLayerWork * (layers + params), loc);
}

/// "A(...)->freeze(B(...))": the instance text of a composition.
std::string
Networks::composedName(const std::vector<std::pair<int, bool>> &parts) {
  std::string inst;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Network &n = *ctx.program().networks[parts[i].first];
    inst += (i ? "->" : "") + std::string(parts[i].second ? "freeze(" : "") +
            n.instance + (parts[i].second ? ")" : "");
  }
  return inst;
}

/// Each part takes the output shape of the one before it.
bool Networks::partsFit(const std::vector<std::pair<int, bool>> &parts,
                        SourceLoc loc) {
  for (size_t i = 1; i < parts.size(); ++i) {
    const Network &a = *ctx.program().networks[parts[i - 1].first];
    const Network &c = *ctx.program().networks[parts[i].first];
    if (a.outputShape() != c.inputShape()) {
      diags.error(loc, "cannot apply '" + c.name + "' after '" + a.name +
                           "': output " + shapeText(a.outputShape()) +
                           " of layer '" + a.layers[a.output].name +
                           "' does not fit input " + shapeText(c.inputShape()) +
                           " of layer '" + c.layers[0].name + "'");
      return false;
    }
  }
  return true;
}

/// Appends the layers and parameters of part `n` to `out`; a part after the
/// first drops its input layer and reads the previous part's output.
/// Names get the part's network name as a prefix unless the part is itself
/// a composition (whose names have theirs).
void Networks::appendPart(Network &out, const Network &n, bool frozen,
                          bool first, std::map<std::string, int> &prefixUses,
                          bool composed) {
  out.name += (first ? "" : "->") + n.name;
  std::string prefix;
  if (!composed) {
    int uses = prefixUses[n.name]++;
    prefix = n.name + (uses ? "_" + std::to_string(uses) : "") + "/";
  }
  int paramBase = (int)out.params.size();
  // Index map from n's layers to out's.
  std::vector<int> map(n.layers.size());
  for (size_t l = 0; l < n.layers.size(); ++l) {
    if (!first && l == 0) {
      map[l] = out.output;
      continue;
    }
    Layer layer = n.layers[l];
    layer.name = prefix + layer.name;
    for (int &in : layer.inputs)
      in = map[in];
    for (int &p : layer.params)
      p += paramBase;
    map[l] = (int)out.layers.size();
    out.layers.push_back(layer);
  }
  for (const Param &p : n.params) {
    Param q = p;
    q.name = prefix + q.name;
    q.layer = map[p.layer];
    if (frozen)
      q.trainable = false;
    out.params.push_back(q);
  }
  out.output = map[n.output];
}

/// Composition `A -> B`: B's input layer is dropped and its consumers read
/// A's output. Layer and parameter names get the part's network name as a
/// prefix so they stay unique (`LeNet/conv2d/kernel`).
int Networks::compose(const std::vector<std::pair<int, bool>> &parts,
                      SourceLoc loc) {
  if (!withinComposeLimits(parts, loc))
    return -1;
  std::string inst = composedName(parts);
  auto found = instances.find(inst);
  if (found != instances.end())
    return found->second;
  if (!partsFit(parts, loc)) {
    instances[inst] = -1;
    return -1;
  }
  Program &prog = ctx.program();
  Network out;
  std::map<std::string, int> prefixUses;
  for (size_t i = 0; i < parts.size(); ++i)
    appendPart(out, *prog.networks[parts[i].first], parts[i].second, i == 0,
               prefixUses, composite.count(parts[i].first) != 0);
  out.instance = inst;
  out.loc = loc;
  prog.networks.push_back(std::make_unique<Network>(std::move(out)));
  int index = (int)prog.networks.size() - 1;
  composite.insert(index);
  instances[inst] = index;
  return index;
}

} // namespace netc
