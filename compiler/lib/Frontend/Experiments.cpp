//===- Experiments.cpp - Unrolling experiments into runs of steps ---------===//
//
// An experiment is executed at compile time: `for` and `crossvalidate` loops
// are unrolled, `let` of a network call instantiates the network and puts it
// in a fresh slot, and every statement with a run-time effect becomes a Step.
// Each iteration of an innermost loop is one Run; statements outside the
// innermost loops form shared runs (see Run::shared).
//
//===----------------------------------------------------------------------===//

#include "Sema.h"

#include "netc/Frontend/Limits.h"

#include <algorithm>

namespace netc {

struct Sema::ExpCtx {
  Experiment *exp = nullptr;
  // Experiment-wide.
  int nextSlot = 0;
  std::map<int, int> slotNet; // slot -> network index
  std::set<int> frozen;
  bool sawCrossValidate = false;
  // The run being filled; saved and restored around loops.
  std::vector<std::pair<std::string, std::string>> params;
  int fold = -1;
  int run = -1; // index into exp->runs, -1: start one on the next step
  bool shared = false;
  int64_t iterations = 0; // loop iterations so far, against the limit
  /// Names bound by `let` and loop variables in scope: where, and whether
  /// by a loop. Saved and restored around loop bodies like the scope.
  struct Binding {
    SourceLoc loc;
    bool loop = false;
  };
  std::map<std::string, Binding> names;
  /// The loss each slot was last trained with (what `evaluate` uses).
  std::map<int, std::string> slotLoss;
};

static Step &emit(Sema::ExpCtx &c, Step::Kind kind, SourceLoc loc) {
  if (c.run < 0) {
    Run r;
    r.params = c.params;
    r.fold = c.fold;
    r.shared = c.shared;
    c.exp->runs.push_back(r);
    c.run = (int)c.exp->runs.size() - 1;
  }
  Step s;
  s.kind = kind;
  s.loc = loc;
  c.exp->runs[c.run].steps.push_back(s);
  return c.exp->runs[c.run].steps.back();
}

static Value slotValue(int slot, SourceLoc loc) {
  Value v;
  v.kind = Value::Slot;
  v.i = slot;
  v.loc = loc;
  return v;
}

/// Checks that a network takes the dataset's records as input.
static bool fits(Sema &s, int net, const Value &data, SourceLoc loc) {
  std::vector<int64_t> shape = s.datasetShape((int)data.i);
  const Network &n = *s.prog->networks[net];
  if (shape.empty() || shape == n.inputShape())
    return true;
  s.diags.error(loc, "network '" + n.name + "' takes input " +
                         shapeText(n.inputShape()) + " but dataset '" +
                         s.prog->datasets[data.i].name + "' has records of " +
                         shapeText(shape));
  return false;
}

/// Classes of the data sets whose class count the spec fixes; 0: known
/// only when the data is read (csv, image_folder) or not classes at all.
static int64_t knownClasses(const DatasetDecl &d) {
  bool tenClasses = d.kind == "mnist" || d.kind == "fashion_mnist" ||
                    d.kind == "cifar10" || d.kind == "stl10";
  return tenClasses ? 10 : 0;
}

/// Checks that a network trained or evaluated with a classification loss
/// has an output for each class of a data set whose class count is known:
/// a label beyond the outputs would be read out of bounds.
static bool holdsClasses(Sema &s, int net, const Value &data,
                         const std::string &loss, SourceLoc loc) {
  const DatasetDecl &d = s.prog->datasets[data.i];
  int64_t classes = knownClasses(d);
  const Network &n = *s.prog->networks[net];
  int64_t outputs = 1;
  for (int64_t dim : n.outputShape())
    outputs *= dim;
  bool categorical = loss == "categorical_crossentropy" ||
                     loss == "sparse_categorical_crossentropy";
  std::string what = "dataset '" + d.name + "' (" + d.kind + ") has " +
                     std::to_string(classes) + " classes";
  if (classes && categorical && outputs < classes) {
    s.diags.error(loc, "network '" + n.name + "' has " +
                           std::to_string(outputs) + " output" +
                           (outputs == 1 ? "" : "s") + " but " + what +
                           "; loss '" + loss + "' needs one output per class");
  } else if (classes > 2 && loss == "binary_crossentropy") {
    s.diags.error(loc, "loss 'binary_crossentropy' needs labels 0 and 1, "
                       "but " +
                           what + "; use categorical_crossentropy with " +
                           std::to_string(classes) + " outputs");
  } else {
    return true;
  }
  const Layer &out = n.layers[n.output];
  if (out.loc.line > 0)
    s.diags.note(out.loc, "the output layer '" + out.name + "' is here");
  return false;
}

Value Sema::evalExpCall(const ast::Expr &e, Scope &scope, ExpCtx &c) {
  const std::string &name = e.text;
  auto needSlot = [&](const Value &v, const char *what) {
    if (v.kind == Value::Slot)
      return true;
    if (v.kind != Value::Error)
      diags.error(v.loc, std::string("'") + what + "' needs a network, got " +
                             describe(v));
    return false;
  };
  const ast::NetworkDecl *d = findDecl(name);
  if (d && !d->isBlock) {
    std::vector<Value> pos;
    std::vector<std::pair<std::string, Value>> kws;
    evalArgs(e.args, scope, &c, pos, kws);
    for (auto &v : pos)
      if (v.kind == Value::Error)
        return Value::error();
    for (auto &kv : kws)
      if (kv.second.kind == Value::Error)
        return Value::error();
    int net = instantiate(*d, pos, kws, e.loc);
    if (net < 0)
      return Value::error();
    Step &s = emit(c, Step::NewNet, e.loc);
    s.slot = c.nextSlot++;
    s.network = net;
    c.slotNet[s.slot] = net;
    return slotValue(s.slot, e.loc);
  }
  if (d) {
    diags.error(e.loc, "block '" + name +
                           "' is not a network; use it inside a network body");
    return Value::error();
  }
  if (name == "copy" || name == "freeze" || name == "evaluate") {
    std::vector<Value> pos;
    std::vector<std::pair<std::string, Value>> kws;
    evalArgs(e.args, scope, &c, pos, kws);
    size_t want = name == "evaluate" ? 2 : 1;
    if (!kws.empty() || pos.size() != want) {
      diags.error(e.loc, "'" + name + "' takes " +
                             (want == 2 ? "a network and a dataset split, "
                                          "e.g. evaluate(net, data.test)"
                                        : "one network"));
      return Value::error();
    }
    if (!needSlot(pos[0], name.c_str()))
      return Value::error();
    int slot = (int)pos[0].i;
    if (name == "copy") {
      Step &s = emit(c, Step::Copy, e.loc);
      s.slot = c.nextSlot++;
      s.srcSlot = slot;
      s.network = c.slotNet[slot];
      c.slotNet[s.slot] = s.network;
      return slotValue(s.slot, e.loc);
    }
    if (name == "freeze") {
      Step &s = emit(c, Step::Freeze, e.loc);
      s.slot = slot;
      s.network = c.slotNet[slot];
      c.frozen.insert(slot);
      return pos[0];
    }
    Value data = pos[1];
    if (data.kind != Value::Data) {
      if (data.kind != Value::Error)
        diags.error(data.loc, "'evaluate' needs a dataset split such as "
                              "'data.test', got " +
                                  describe(data));
      return Value::error();
    }
    if (!fits(*this, c.slotNet[slot], data, data.loc))
      return Value::error();
    // Without a `train` of this slot, evaluation uses the loss its output
    // implies (the plan's rule): cross-entropy after a softmax.
    std::string loss = c.slotLoss.count(slot) ? c.slotLoss[slot] : "";
    const Network &net = *prog->networks[c.slotNet[slot]];
    const Layer &out = net.layers[net.output];
    if (loss.empty() && (out.kind == "softmax" || out.activation == "softmax"))
      loss = "categorical_crossentropy";
    if (!holdsClasses(*this, c.slotNet[slot], data, loss, e.loc))
      return Value::error();
    int n = 0;
    if (c.run >= 0)
      for (const Step &s : c.exp->runs[c.run].steps)
        n += s.kind == Step::Evaluate;
    Step &s = emit(c, Step::Evaluate, e.loc);
    s.slot = slot;
    s.network = c.slotNet[slot];
    s.dataset = (int)data.i;
    s.split = data.s.empty() ? "test" : data.s;
    s.evalResult = n;
    Value r;
    r.kind = Value::Eval;
    r.i = n;
    r.s = s.split;
    r.loc = e.loc;
    return r;
  }
  if (e.kind == ast::Expr::Call && findFunc(name))
    return eval(e, scope, nullptr);
  std::string hint = suggest(name, e.loc, [&] {
    std::vector<std::string> names = {"copy", "freeze", "evaluate"};
    for (auto &kv : decls)
      if (!kv.second->isBlock)
        names.push_back(kv.first);
    return names;
  });
  diags.error(e.loc, "unknown network '" + name + "'" + hint);
  return Value::error();
}

Value Sema::evalExpChain(const ast::Expr &e, Scope &scope, ExpCtx &c) {
  std::vector<const ast::Expr *> items;
  std::vector<const ast::Expr *> todo = {&e};
  while (!todo.empty()) {
    const ast::Expr *x = todo.back();
    todo.pop_back();
    if (x->kind == ast::Expr::Chain) {
      for (size_t i = x->kids.size(); i-- > 0;)
        todo.push_back(x->kids[i].get());
    } else {
      items.push_back(x);
    }
  }
  std::vector<std::pair<int, bool>> parts;
  std::vector<int> slots;
  bool ok = true;
  for (const ast::Expr *x : items) {
    Value v = eval(*x, scope, &c);
    if (v.kind != Value::Slot) {
      if (v.kind != Value::Error)
        diags.error(x->loc, "'->' between networks needs a network, got " +
                                describe(v));
      ok = false;
      continue;
    }
    slots.push_back((int)v.i);
    parts.push_back({c.slotNet[(int)v.i], c.frozen.count((int)v.i) != 0});
  }
  if (!ok)
    return Value::error();
  int net = compose(parts, e.loc);
  if (net < 0)
    return Value::error();
  Step &s = emit(c, Step::Compose, e.loc);
  s.slot = c.nextSlot++;
  s.network = net;
  s.parts = slots;
  c.slotNet[s.slot] = net;
  return slotValue(s.slot, e.loc);
}

/// The values a loop runs over. Bare names that mean nothing else are
/// symbols (`for start in [pretrained, scratch]`).
static Value loopDomain(Sema &s, const ast::Expr &e, Scope &scope,
                        Sema::ExpCtx &c) {
  if (e.kind == ast::Expr::List) {
    Value list;
    list.kind = Value::List;
    list.loc = e.loc;
    for (const auto &k : e.kids) {
      if (k->kind == ast::Expr::Name && !scope.count(k->text) &&
          !s.findDecl(k->text) && !s.datasetIndex.count(k->text)) {
        Value sym;
        sym.kind = Value::Sym;
        sym.s = k->text;
        sym.loc = k->loc;
        list.list.push_back(sym);
        continue;
      }
      Value v = s.eval(*k, scope, &c);
      if (v.kind == Value::Error)
        return v;
      list.list.push_back(v);
    }
    return list;
  }
  Value v = s.eval(e, scope, &c);
  if (v.kind != Value::List && v.kind != Value::Error) {
    s.diags.error(e.loc,
                  "a loop needs a list or a range a..b, got " + describe(v));
    return Value::error();
  }
  return v;
}

static void process(Sema &s, const std::vector<ast::ExpStmt> &body,
                    Scope &scope, Sema::ExpCtx &c);

/// A loop variable may not rebind a name in scope: runs would differ only
/// in their labels (same values, same seeds).
static bool freshLoopVariable(Sema &s, const ast::ExpStmt &st,
                              Sema::ExpCtx &c) {
  auto it = c.names.find(st.name);
  if (it == c.names.end())
    return true;
  s.diags.error(st.nameLoc,
                "loop variable '" + st.name + "' shadows " +
                    (it->second.loop ? "the loop variable" : "the 'let'") +
                    " '" + st.name +
                    "' of an enclosing scope; "
                    "choose another name");
  s.diags.note(it->second.loc, "'" + st.name + "' is defined here");
  return false;
}

/// Counts a loop's iterations against limits::kLoopIterations before
/// running it.
static bool withinIterations(Sema &s, const ast::ExpStmt &st,
                             const Value &domain, Sema::ExpCtx &c,
                             int64_t folds) {
  int64_t n = (int64_t)domain.list.size() * std::max<int64_t>(folds, 1);
  if (n <= limits::kLoopIterations - c.iterations) {
    c.iterations += n;
    return true;
  }
  s.fatal(st.loc, "experiment '" + c.exp->name + "' unrolls to more than " +
                      std::to_string(limits::kLoopIterations) +
                      " loop iterations" +
                      (folds ? " (a crossvalidate value counts once per "
                               "fold)"
                             : ""));
  return false;
}

static void iterate(Sema &s, const ast::ExpStmt &st, const Value &domain,
                    Scope &scope, Sema::ExpCtx &c, int folds) {
  if (!freshLoopVariable(s, st, c) ||
      !withinIterations(s, st, domain, c, folds))
    return;
  auto savedParams = c.params;
  auto savedNames = c.names;
  int savedFold = c.fold;
  bool savedShared = c.shared;
  // Each iteration copies the scope; the bare names of the domain are
  // symbols in it (`start == scratch`).
  Scope outer = scope;
  for (const Value &x : domain.list)
    if (x.kind == Value::Sym && !outer.count(x.s))
      outer[x.s] = x;
  int64_t copyCost = 1;
  for (const auto &kv : outer)
    copyCost += valueSize(kv.second);
  for (const Value &v : domain.list) {
    for (int k = 0; k < std::max(folds, 1) && !s.halted; ++k) {
      c.params = savedParams;
      c.params.push_back({st.name, valueText(v, false)});
      c.fold = folds ? k : savedFold;
      c.run = -1;
      c.names = savedNames;
      c.names[st.name] = {st.nameLoc, true};
      if (!s.spend(copyCost + valueSize(v), st.loc))
        break;
      Scope inner = outer;
      inner[st.name] = v;
      process(s, st.body, inner, c);
    }
  }
  c.params = savedParams;
  c.names = savedNames;
  c.fold = savedFold;
  c.shared = savedShared;
  c.run = -1;
}

static void train(Sema &s, const ast::ExpStmt &st, Scope &scope,
                  Sema::ExpCtx &c) {
  Value net = s.eval(*st.expr, scope, &c);
  Value data = s.eval(*st.expr2, scope, &c);
  bool ok = true;
  if (net.kind != Value::Slot) {
    if (net.kind != Value::Error)
      s.diags.error(st.expr->loc,
                    "'train' needs a network, got " + describe(net));
    ok = false;
  }
  if (data.kind != Value::Data) {
    if (data.kind != Value::Error)
      s.diags.error(st.expr2->loc,
                    "'train ... on' needs a dataset, got " + describe(data));
    ok = false;
  }
  std::vector<ArgSpec> specs = {
      {"loss", ArgSpec::Any, false, 0, "", {}},
      {"optimizer", ArgSpec::Any, false, 0, "", {}},
      {"epochs", ArgSpec::PosInt, false, 0, "", {}},
      {"batch_size", ArgSpec::PosInt, false, 0, "", {}},
      {"metrics", ArgSpec::Any, false, 0, "", {}},
      {"validation_split", ArgSpec::Number, false, 0, "", {}}};
  std::vector<Value> pos;
  std::vector<std::pair<std::string, Value>> kws;
  s.evalArgs(st.args, scope, &c, pos, kws);
  BoundArgs b = s.bind("train", specs, pos, kws, st.loc);
  TrainSpec t;
  auto &v = b.values;
  if (v.count("loss")) {
    auto call = s.toCall(v["loss"], "loss", "loss");
    ok = ok && call;
    if (call)
      t.loss = *call;
  } else {
    t.loss = *s.toCall(
        Value{Value::Sym, st.loc, 0, 0, "categorical_crossentropy", {}, {}},
        "loss", "loss");
  }
  if (v.count("optimizer")) {
    auto call = s.toCall(v["optimizer"], "optimizer", "optimizer");
    ok = ok && call;
    if (call)
      t.optimizer = *call;
  } else {
    t.optimizer = *s.toCall(Value{Value::Sym, st.loc, 0, 0, "adam", {}, {}},
                            "optimizer", "optimizer");
  }
  if (v.count("epochs"))
    t.epochs = v["epochs"].i;
  if (v.count("batch_size"))
    t.batchSize = v["batch_size"].i;
  if (v.count("validation_split")) {
    t.validationSplit = v["validation_split"].num();
    if (t.validationSplit < 0 || t.validationSplit >= 1) {
      s.diags.error(v["validation_split"].loc,
                    "validation_split must be in [0, 1)");
      ok = false;
    }
  }
  // One metric per run: the loss's default (accuracy for the
  // cross-entropies, the loss itself for mse and mae) or the one listed.
  const std::string &l = t.loss.name;
  const bool regression = l == "mse" || l == "mae";
  t.metric.name = regression ? l : "accuracy";
  if (v.count("metrics")) {
    Value m = v["metrics"];
    std::vector<Value> list =
        m.kind == Value::List ? m.list : std::vector<Value>{m};
    if (list.size() > 1) {
      s.diags.error(list[1].loc,
                    "netc reports one metric per training run; 'metrics' "
                    "lists " +
                        std::to_string(list.size()));
      ok = false;
    }
    if (!list.empty()) {
      auto call = s.toCall(list[0], "metric", "metrics");
      ok = ok && call;
      if (call) {
        const std::string &n = call->name;
        std::string problem;
        if (regression && (n == "accuracy" || n == "top_k"))
          problem = "a classification loss (its labels are class indices)";
        else if (!regression && (n == "mse" || n == "mae"))
          problem = "loss mse or mae (labels here are classes, not values)";
        else if (l == "binary_crossentropy" && n == "top_k")
          problem = "a categorical cross-entropy loss";
        if (!problem.empty()) {
          s.diags.error(list[0].loc, "metric '" + n + "' needs " + problem +
                                         "; the loss is '" + l + "'");
          ok = false;
        } else {
          t.metric = *call;
        }
      }
    }
  }
  if (!ok || !b.ok)
    return;
  if (!fits(s, c.slotNet[(int)net.i], data, st.expr2->loc))
    return;
  if (!holdsClasses(s, c.slotNet[(int)net.i], data, t.loss.name, st.expr->loc))
    return;
  c.slotLoss[(int)net.i] = t.loss.name;
  Step &step = emit(c, Step::Train, st.loc);
  step.slot = (int)net.i;
  step.network = c.slotNet[step.slot];
  step.dataset = (int)data.i;
  step.split = data.s.empty() ? "train" : data.s;
  step.train = t;
}

static void process(Sema &s, const std::vector<ast::ExpStmt> &body,
                    Scope &scope, Sema::ExpCtx &c) {
  bool hasLoop = false;
  for (const ast::ExpStmt &st : body)
    hasLoop |=
        st.kind == ast::ExpStmt::For || st.kind == ast::ExpStmt::CrossValidate;
  c.shared = hasLoop;
  for (const ast::ExpStmt &st : body) {
    if (!s.spend(1, st.loc))
      return;
    switch (st.kind) {
    case ast::ExpStmt::Let: {
      auto it = c.names.find(st.name);
      if (it != c.names.end() && it->second.loop) {
        s.diags.error(st.nameLoc, "'let " + st.name +
                                      "' rebinds the loop variable '" +
                                      st.name + "'; choose another name");
        s.diags.note(it->second.loc, "the loop variable is defined here");
      }
      scope[st.name] = s.eval(*st.expr, scope, &c);
      c.names[st.name] = {st.nameLoc, false};
      break;
    }
    case ast::ExpStmt::Train:
      train(s, st, scope, c);
      break;
    case ast::ExpStmt::Report: {
      std::vector<std::string> cols, vals;
      std::set<std::string> used;
      std::map<std::string, int> suffix; // the last _N tried per column
      for (const auto &item : st.items) {
        Value v = s.eval(*item, scope, &c);
        if (v.kind == Value::Error)
          continue;
        std::string col = v.kind == Value::Eval ? v.s
                          : item->kind == ast::Expr::Name
                              ? item->text
                              : ast::exprText(*item);
        if (v.kind == Value::Slot || v.kind == Value::Data) {
          s.diags.error(item->loc, "cannot report " + describe(v) +
                                       "; report evaluate(net, data.test)");
          continue;
        }
        // Two evaluations on `test` give columns test and test_1.
        std::string unique = col;
        while (used.count(unique))
          unique = col + "_" + std::to_string(++suffix[col]);
        used.insert(unique);
        cols.push_back(unique);
        vals.push_back(valueText(v, false));
      }
      Step &step = emit(c, Step::Report, st.loc);
      step.reportColumns = cols;
      step.reportValues = vals;
      break;
    }
    case ast::ExpStmt::For: {
      c.run = -1;
      Value domain = loopDomain(s, *st.expr, scope, c);
      if (domain.kind == Value::List)
        iterate(s, st, domain, scope, c, 0);
      c.shared = hasLoop;
      break;
    }
    case ast::ExpStmt::CrossValidate: {
      c.run = -1;
      if (c.sawCrossValidate) {
        s.diags.error(st.loc, "an experiment has one 'crossvalidate'");
        break;
      }
      c.sawCrossValidate = true;
      std::vector<Value> pos;
      std::vector<std::pair<std::string, Value>> kws;
      s.evalArgs(st.args, scope, &c, pos, kws);
      BoundArgs b = s.bind("crossvalidate",
                           {{"folds", ArgSpec::PosInt, false, 5, "", {}},
                            {"seed", ArgSpec::Int, false, 0, "", {}}},
                           pos, kws, st.loc);
      int64_t folds = b.values.count("folds") ? b.values["folds"].i : 5;
      if (folds < 2 || folds > limits::kLoopIterations) {
        s.diags.error(b.values["folds"].loc,
                      folds < 2 ? "crossvalidate needs at least 2 folds"
                                : "crossvalidate takes at most " +
                                      std::to_string(limits::kLoopIterations) +
                                      " folds");
        break;
      }
      c.exp->folds = (int)folds;
      c.exp->foldSeed = b.values.count("seed") ? b.values["seed"].i : 0;
      Value domain = loopDomain(s, *st.expr, scope, c);
      if (domain.kind == Value::List && b.ok)
        iterate(s, st, domain, scope, c, (int)folds);
      c.shared = hasLoop;
      break;
    }
    case ast::ExpStmt::Select: {
      if (!c.sawCrossValidate)
        s.diags.error(st.loc, "'select' needs a 'crossvalidate' before it");
      if (st.name != "min" && st.name != "max")
        s.diags.error(st.nameLoc,
                      "'select' takes min or max, got '" + st.name + "'");
      static const std::vector<std::string> metrics = {
          "val_loss", "val_accuracy", "val_mse", "val_mae"};
      auto isTopK = [](const std::string &m) {
        // val_top_<k>_accuracy
        const std::string pre = "val_top_", post = "_accuracy";
        if (m.size() <= pre.size() + post.size() || m.rfind(pre, 0) != 0 ||
            m.compare(m.size() - post.size(), post.size(), post) != 0)
          return false;
        std::string k =
            m.substr(pre.size(), m.size() - pre.size() - post.size());
        return std::all_of(k.begin(), k.end(),
                           [](char ch) { return ch >= '0' && ch <= '9'; });
      };
      if (std::find(metrics.begin(), metrics.end(), st.metric) ==
              metrics.end() &&
          !isTopK(st.metric))
        s.diags.error(st.metricLoc, "unknown metric '" + st.metric + "'" +
                                        didYouMean(st.metric, metrics));
      std::vector<Value> pos;
      std::vector<std::pair<std::string, Value>> kws;
      s.evalArgs(st.args, scope, &c, pos, kws);
      BoundArgs b =
          s.bind("select",
                 {{"within", ArgSpec::Symbol, false, 0, "", {"one_std_error"}}},
                 pos, kws, st.loc);
      c.exp->selectMode = st.name;
      c.exp->selectMetric = st.metric;
      c.exp->selectRule = b.values.count("within") ? "one_std_error" : "min";
      break;
    }
    case ast::ExpStmt::Save: {
      Value net = s.eval(*st.expr, scope, &c);
      Value file = s.eval(*st.expr2, scope, &c);
      if (net.kind != Value::Slot) {
        if (net.kind != Value::Error)
          s.diags.error(st.expr->loc,
                        "'save' needs a network, got " + describe(net));
        break;
      }
      if (file.kind != Value::Str) {
        if (file.kind != Value::Error)
          s.diags.error(st.expr2->loc, "'save ... to' needs a file name "
                                       "string, got " +
                                           describe(file));
        break;
      }
      Step &step = emit(c, Step::Save, st.loc);
      step.slot = (int)net.i;
      step.network = c.slotNet[step.slot];
      step.file = file.s;
      break;
    }
    case ast::ExpStmt::Load: {
      Value file = s.eval(*st.expr, scope, &c);
      if (file.kind != Value::Str) {
        if (file.kind != Value::Error)
          s.diags.error(st.expr->loc, "'load ... from' needs a file name "
                                      "string, got " +
                                          describe(file));
        break;
      }
      int slot = -1;
      auto it = scope.find(st.name);
      if (it != scope.end() && it->second.kind == Value::Slot) {
        slot = (int)it->second.i;
      } else if (const ast::NetworkDecl *d = s.findDecl(st.name);
                 d && !d->isBlock && it == scope.end()) {
        // `load LeNet from "f"`: a fresh LeNet, then known by that name.
        ast::Expr call(ast::Expr::Name, st.nameLoc);
        call.text = st.name;
        Value v = s.evalExpCall(call, scope, c);
        if (v.kind != Value::Slot)
          break;
        slot = (int)v.i;
        scope[st.name] = v;
      } else {
        std::string hint = s.suggest(st.name, st.nameLoc,
                                     [&] { return s.visibleNames(scope); });
        s.diags.error(st.nameLoc,
                      "unknown network or variable '" + st.name + "'" + hint);
        break;
      }
      Step &step = emit(c, Step::Load, st.loc);
      step.slot = slot;
      step.network = c.slotNet[slot];
      step.file = file.s;
      break;
    }
    case ast::ExpStmt::ExprStmt: {
      const ast::Expr &e = *st.expr;
      if (e.kind != ast::Expr::Call ||
          (e.text != "freeze" && e.text != "evaluate")) {
        s.diags.error(e.loc, "this statement has no effect; expected let, "
                             "train, report, save, load, freeze(...) or a "
                             "loop");
        break;
      }
      s.eval(e, scope, &c);
      break;
    }
    }
  }
}

void Sema::experiment(const ast::ExperimentDecl &decl) {
  prog->experiments.emplace_back();
  Experiment &exp = prog->experiments.back();
  exp.name = decl.name;
  exp.loc = decl.loc;
  ExpCtx c;
  c.exp = &exp;
  Scope scope;
  process(*this, decl.body, scope, c);
}

} // namespace netc
