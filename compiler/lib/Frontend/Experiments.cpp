//===- Experiments.cpp - Unrolling experiments into runs of steps ---------===//
//
// An experiment is executed at compile time: `for` and `crossvalidate` loops
// are unrolled, `let` of a network call instantiates the network and puts it
// in a fresh slot, and every statement with a run-time effect becomes a Step.
// Each iteration of an innermost loop is one Run; statements outside the
// innermost loops form shared runs (see Run::shared).
//
//===----------------------------------------------------------------------===//

#include "Experiments.h"

#include "netc/Frontend/Limits.h"

#include <algorithm>

namespace netc {

void ExperimentChecker::check(const ast::ExperimentDecl &decl) {
  Program &prog = ctx.program();
  prog.experiments.emplace_back();
  exp = &prog.experiments.back();
  exp->name = decl.name;
  exp->loc = decl.loc;
  repeatOverSeeds(decl);
}

Step &ExperimentChecker::emit(Step::Kind kind, SourceLoc loc) {
  if (run < 0) {
    Run r;
    r.params = params;
    r.fold = fold;
    r.shared = shared;
    r.seed = seed;
    r.repetition = repetition;
    exp->runs.push_back(r);
    run = (int)exp->runs.size() - 1;
  }
  Step s;
  s.kind = kind;
  s.loc = loc;
  exp->runs[run].steps.push_back(s);
  return exp->runs[run].steps.back();
}

Step &ExperimentChecker::newSlot(Step::Kind kind, int net, SourceLoc loc) {
  Step &s = emit(kind, loc);
  s.slot = nextSlot++;
  s.network = net;
  slotNet[s.slot] = net;
  return s;
}

static Value slotValue(int slot, SourceLoc loc) {
  Value v;
  v.kind = Value::Slot;
  v.i = slot;
  v.loc = loc;
  return v;
}

/// Checks that a network takes the dataset's records as input.
bool ExperimentChecker::fits(int net, const Value &data, SourceLoc loc) {
  std::vector<int64_t> shape = ctx.datasetShape((int)data.i);
  const Network &n = *ctx.program().networks[net];
  if (shape.empty() || shape == n.inputShape())
    return true;
  diags.error(loc, "network '" + n.name + "' takes input " +
                       shapeText(n.inputShape()) + " but dataset '" +
                       ctx.program().datasets[data.i].name +
                       "' has records of " + shapeText(shape));
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
/// has a 1-D output, and an output for each class of a data set whose class
/// count is known: a label beyond the outputs would be read out of bounds.
bool ExperimentChecker::holdsClasses(int net, const Value &data,
                                     const std::string &loss, SourceLoc loc) {
  const DatasetDecl &d = ctx.program().datasets[data.i];
  int64_t classes = knownClasses(d);
  const Network &n = *ctx.program().networks[net];
  int64_t outputs = 1;
  for (int64_t dim : n.outputShape())
    outputs *= dim;
  bool categorical = loss == "categorical_crossentropy" ||
                     loss == "sparse_categorical_crossentropy";
  std::string what = "dataset '" + d.name + "' (" + d.kind + ") has " +
                     std::to_string(classes) + " classes";
  if (categorical && n.outputShape().size() != 1) {
    // One class index per sample (dense on a higher rank keeps its axes).
    diags.error(loc, "loss '" + loss +
                         "' needs a 1-D network output (one "
                         "score per class), but network '" +
                         n.name + "' ends in " + shapeText(n.outputShape()) +
                         "; insert 'flatten' (or 'globalavgpool') and a last "
                         "'dense'");
  } else if (classes && categorical && outputs < classes) {
    diags.error(loc, "network '" + n.name + "' has " + std::to_string(outputs) +
                         " output" + (outputs == 1 ? "" : "s") + " but " +
                         what + "; loss '" + loss +
                         "' needs one output per class");
  } else if (classes > 2 && loss == "binary_crossentropy") {
    diags.error(loc, "loss 'binary_crossentropy' needs labels 0 and 1, "
                     "but " +
                         what + "; use categorical_crossentropy with " +
                         std::to_string(classes) + " outputs");
  } else {
    return true;
  }
  const Layer &out = n.layers[n.output];
  if (out.loc.line > 0)
    diags.note(out.loc, "the output layer '" + out.name + "' is here");
  return false;
}

bool ExperimentChecker::needSlot(const Value &v, const char *what) {
  if (v.kind == Value::Slot)
    return true;
  if (v.kind != Value::Error)
    diags.error(v.loc, std::string("'") + what + "' needs a network, got " +
                           describe(v));
  return false;
}

Value ExperimentChecker::call(const ast::Expr &e, Scope &scope) {
  const std::string &name = e.text;
  const ast::NetworkDecl *d = ctx.findDecl(name);
  if (d && !d->isBlock)
    return newNetwork(*d, e, scope);
  if (d) {
    diags.error(e.loc, "block '" + name +
                           "' is not a network; use it inside a network body");
    return Value::error();
  }
  if (name == "copy" || name == "freeze" || name == "evaluate")
    return builtin(e, scope);
  if (e.kind == ast::Expr::Call && findFunc(name))
    return ev.eval(e, scope, nullptr);
  if (e.kind == ast::Expr::Call && ctx.findDataset(name) >= 0)
    return datasetVariant(e, scope);
  // A misspelt vocabulary function (`early_stop(...)` in `callbacks:`).
  std::vector<std::string> funcs;
  for (const char *c : {"loss", "metric", "optimizer", "schedule", "callback"})
    for (const std::string &f : funcNames(c))
      funcs.push_back(f);
  if (std::string near = didYouMean(name, funcs);
      e.kind == ast::Expr::Call && !near.empty()) {
    diags.error(e.loc, "unknown function '" + name + "'" + near);
    return Value::error();
  }
  std::string hint = ctx.suggest(name, e.loc, [&] {
    std::vector<std::string> names = {"copy", "freeze", "evaluate"};
    for (auto &kv : ctx.networkDecls())
      if (!kv.second->isBlock)
        names.push_back(kv.first);
    return names;
  });
  diags.error(e.loc, "unknown network '" + name + "'" + hint);
  return Value::error();
}

/// `LeNet(...)`: the instance in a fresh slot.
Value ExperimentChecker::newNetwork(const ast::NetworkDecl &d,
                                    const ast::Expr &e, Scope &scope) {
  std::vector<Value> pos;
  Keywords kws;
  ev.evalArgs(e.args, scope, this, pos, kws);
  for (auto &v : pos)
    if (v.kind == Value::Error)
      return Value::error();
  for (auto &kv : kws)
    if (kv.second.kind == Value::Error)
      return Value::error();
  int net = nets.instantiate(d, pos, kws, e.loc);
  if (net < 0)
    return Value::error();
  return slotValue(newSlot(StepOp::New, net, e.loc).slot, e.loc);
}

/// copy(net), freeze(net), evaluate(net, data.split).
Value ExperimentChecker::builtin(const ast::Expr &e, Scope &scope) {
  const std::string &name = e.text;
  std::vector<Value> pos;
  Keywords kws;
  ev.evalArgs(e.args, scope, this, pos, kws);
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
    Step &s = newSlot(StepOp::Copy, slotNet[slot], e.loc);
    s.srcSlot = slot;
    return slotValue(s.slot, e.loc);
  }
  if (name == "freeze") {
    Step &s = emit(StepOp::Freeze, e.loc);
    s.slot = slot;
    s.network = slotNet[slot];
    frozen.insert(slot);
    return pos[0];
  }
  return evaluate(e, slot, pos[1]);
}

Value ExperimentChecker::evaluate(const ast::Expr &e, int slot,
                                  const Value &data) {
  if (data.kind != Value::Data) {
    if (data.kind != Value::Error)
      diags.error(data.loc, "'evaluate' needs a dataset split such as "
                            "'data.test', got " +
                                describe(data));
    return Value::error();
  }
  if (!fits(slotNet[slot], data, data.loc))
    return Value::error();
  // Without a `train` of this slot, evaluation uses the loss its output
  // implies (the plan's rule): cross-entropy after a softmax.
  std::string loss = slotLoss.count(slot) ? slotLoss[slot] : "";
  const Network &net = *ctx.program().networks[slotNet[slot]];
  const Layer &out = net.layers[net.output];
  if (loss.empty() && (out.kind == "softmax" || out.activation == "softmax"))
    loss = "categorical_crossentropy";
  if (!holdsClasses(slotNet[slot], data, loss, e.loc))
    return Value::error();
  int n = 0;
  if (run >= 0)
    for (const Step &s : exp->runs[run].steps)
      n += s.kind == StepOp::Evaluate;
  Step &s = emit(StepOp::Evaluate, e.loc);
  s.slot = slot;
  s.network = slotNet[slot];
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

Value ExperimentChecker::chain(const ast::Expr &e, Scope &scope) {
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
    Value v = ev.eval(*x, scope, this);
    if (v.kind != Value::Slot) {
      if (v.kind != Value::Error)
        diags.error(x->loc, "'->' between networks needs a network, got " +
                                describe(v));
      ok = false;
      continue;
    }
    slots.push_back((int)v.i);
    parts.push_back({slotNet[(int)v.i], frozen.count((int)v.i) != 0});
  }
  if (!ok)
    return Value::error();
  int net = nets.compose(parts, e.loc);
  if (net < 0)
    return Value::error();
  Step &s = newSlot(StepOp::Compose, net, e.loc);
  s.parts = slots;
  return slotValue(s.slot, e.loc);
}

/// The values a loop runs over. Bare names that mean nothing else are
/// symbols (`for start in [pretrained, scratch]`).
Value ExperimentChecker::loopDomain(const ast::Expr &e, Scope &scope) {
  if (e.kind == ast::Expr::List) {
    Value list;
    list.kind = Value::List;
    list.loc = e.loc;
    for (const auto &k : e.kids) {
      if (k->kind == ast::Expr::Name && !scope.count(k->text) &&
          !ctx.findDecl(k->text) && ctx.findDataset(k->text) < 0) {
        Value sym;
        sym.kind = Value::Sym;
        sym.s = k->text;
        sym.loc = k->loc;
        list.list.push_back(sym);
        continue;
      }
      Value v = ev.eval(*k, scope, this);
      if (v.kind == Value::Error)
        return v;
      list.list.push_back(v);
    }
    return list;
  }
  Value v = ev.eval(e, scope, this);
  if (v.kind != Value::List && v.kind != Value::Error) {
    diags.error(e.loc,
                "a loop needs a list or a range a..b, got " + describe(v));
    return Value::error();
  }
  return v;
}

/// A loop variable may not rebind a name in scope: runs would differ only
/// in their labels (same values, same seeds).
bool ExperimentChecker::freshLoopVariable(const ast::ExpStmt &st) {
  auto it = names.find(st.name);
  if (it == names.end())
    return true;
  diags.error(st.nameLoc,
              "loop variable '" + st.name + "' shadows " +
                  (it->second.loop ? "the loop variable" : "the 'let'") + " '" +
                  st.name +
                  "' of an enclosing scope; "
                  "choose another name");
  diags.note(it->second.loc, "'" + st.name + "' is defined here");
  return false;
}

/// Counts a loop's iterations against limits::kLoopIterations before
/// running it.
bool ExperimentChecker::withinIterations(const ast::ExpStmt &st,
                                         const Value &domain, int64_t folds) {
  int64_t n = (int64_t)domain.list.size() * std::max<int64_t>(folds, 1);
  if (n <= limits::kLoopIterations - iterations) {
    iterations += n;
    return true;
  }
  ctx.fatal(st.loc, "experiment '" + exp->name + "' unrolls to more than " +
                        std::to_string(limits::kLoopIterations) +
                        " loop iterations" +
                        (folds ? " (a crossvalidate value counts once per "
                                 "fold)"
                               : ""));
  return false;
}

void ExperimentChecker::iterate(const ast::ExpStmt &st, const Value &domain,
                                Scope &scope, int folds) {
  if (!freshLoopVariable(st) || !withinIterations(st, domain, folds))
    return;
  auto savedParams = params;
  auto savedNames = names;
  int savedFold = fold;
  bool savedShared = shared;
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
    for (int k = 0; k < std::max(folds, 1) && !ctx.halted(); ++k) {
      params = savedParams;
      params.push_back({st.name, loopValueText(v)});
      fold = folds ? k : savedFold;
      run = -1;
      names = savedNames;
      names[st.name] = {st.nameLoc, true};
      if (!ctx.spend(copyCost + valueSize(v), st.loc))
        break;
      Scope inner = outer;
      inner[st.name] = v;
      process(st.body, inner);
    }
  }
  params = savedParams;
  names = savedNames;
  fold = savedFold;
  shared = savedShared;
  run = -1;
}

void ExperimentChecker::process(const std::vector<ast::ExpStmt> &body,
                                Scope &scope) {
  bool hasLoop = false;
  for (const ast::ExpStmt &st : body)
    hasLoop |=
        st.kind == ast::ExpStmt::For || st.kind == ast::ExpStmt::CrossValidate;
  shared = hasLoop;
  for (const ast::ExpStmt &st : body) {
    if (!ctx.spend(1, st.loc))
      return;
    switch (st.kind) {
    case ast::ExpStmt::Let:
      let(st, scope);
      break;
    case ast::ExpStmt::Train:
      train(st, scope);
      break;
    case ast::ExpStmt::Report:
      report(st, scope);
      break;
    case ast::ExpStmt::For:
      forLoop(st, scope);
      break;
    case ast::ExpStmt::CrossValidate:
      crossValidate(st, scope);
      break;
    case ast::ExpStmt::Select:
      select(st, scope);
      break;
    case ast::ExpStmt::Save:
      save(st, scope);
      break;
    case ast::ExpStmt::Load:
      load(st, scope);
      break;
    case ast::ExpStmt::ExprStmt:
      exprStmt(st, scope);
      break;
    }
  }
}

void ExperimentChecker::let(const ast::ExpStmt &st, Scope &scope) {
  auto it = names.find(st.name);
  if (it != names.end() && it->second.loop) {
    diags.error(st.nameLoc, "'let " + st.name +
                                "' rebinds the loop variable '" + st.name +
                                "'; choose another name");
    diags.note(it->second.loc, "the loop variable is defined here");
  }
  scope[st.name] = ev.eval(*st.expr, scope, this);
  names[st.name] = {st.nameLoc, false};
}

void ExperimentChecker::train(const ast::ExpStmt &st, Scope &scope) {
  Value net = ev.eval(*st.expr, scope, this);
  Value data = ev.eval(*st.expr2, scope, this);
  bool ok = true;
  if (net.kind != Value::Slot) {
    if (net.kind != Value::Error)
      diags.error(st.expr->loc,
                  "'train' needs a network, got " + describe(net));
    ok = false;
  }
  if (data.kind != Value::Data) {
    if (data.kind != Value::Error)
      diags.error(st.expr2->loc,
                  "'train ... on' needs a dataset, got " + describe(data));
    ok = false;
  }
  std::vector<ArgSpec> specs = {
      {"loss", ArgSpec::Any, false, 0, "", {}},
      {"optimizer", ArgSpec::Any, false, 0, "", {}},
      {"epochs", ArgSpec::PosInt, false, 0, "", {}},
      {"batch_size", ArgSpec::PosInt, false, 0, "", {}},
      {"metrics", ArgSpec::Any, false, 0, "", {}},
      {"validation_split", ArgSpec::Number, false, 0, "", {}},
      {"callbacks", ArgSpec::Any, false, 0, "", {}}};
  std::vector<Value> pos;
  Keywords kws;
  ev.evalArgs(st.args, scope, this, pos, kws);
  BoundArgs b = ev.bind("train", specs, pos, kws, st.loc);
  TrainSpec t;
  bool callsOk = trainCalls(st, b, t);
  if (!ok || !callsOk || !b.ok)
    return;
  if (b.values.count("callbacks") &&
      !trainCallbacks(b.values["callbacks"], (int)data.i, t))
    return;
  if (!fits(slotNet[(int)net.i], data, st.expr2->loc))
    return;
  if (!holdsClasses(slotNet[(int)net.i], data, t.loss.name, st.expr->loc))
    return;
  slotLoss[(int)net.i] = t.loss.name;
  Step &step = emit(StepOp::Train, st.loc);
  step.slot = (int)net.i;
  step.network = slotNet[step.slot];
  step.dataset = (int)data.i;
  step.split = data.s.empty() ? "train" : data.s;
  step.train = t;
}

/// The loss, optimizer, sizes and metric of a `train` statement.
bool ExperimentChecker::trainCalls(const ast::ExpStmt &st, BoundArgs &b,
                                   TrainSpec &t) {
  bool ok = true;
  auto &v = b.values;
  if (v.count("loss")) {
    auto call = ev.toCall(v["loss"], "loss", "loss");
    ok = ok && call;
    if (call)
      t.loss = *call;
  } else {
    t.loss = *ev.toCall(
        Value{Value::Sym, st.loc, 0, 0, "categorical_crossentropy", {}, {}},
        "loss", "loss");
  }
  if (v.count("optimizer")) {
    auto call = ev.toCall(v["optimizer"], "optimizer", "optimizer");
    ok = ok && call;
    if (call)
      t.optimizer = *call;
  } else {
    t.optimizer = *ev.toCall(Value{Value::Sym, st.loc, 0, 0, "adam", {}, {}},
                             "optimizer", "optimizer");
  }
  if (v.count("epochs"))
    t.epochs = v["epochs"].i;
  if (v.count("batch_size"))
    t.batchSize = v["batch_size"].i;
  if (v.count("validation_split")) {
    t.validationSplit = v["validation_split"].num();
    if (t.validationSplit < 0 || t.validationSplit >= 1) {
      diags.error(v["validation_split"].loc,
                  "validation_split must be in [0, 1)");
      ok = false;
    }
  }
  // One metric per run: the loss's default (accuracy for the
  // cross-entropies, the loss itself for mse and mae) or the one listed.
  const std::string &l = t.loss.name;
  t.metric.name = l == "mse" || l == "mae" ? l : "accuracy";
  if (v.count("metrics") && !trainMetric(v["metrics"], t))
    ok = false;
  return ok;
}

/// `metrics: m` or `[m, ...]`: each must suit the loss, none twice.
bool ExperimentChecker::trainMetric(const Value &m, TrainSpec &t) {
  std::vector<Value> list =
      m.kind == Value::List ? m.list : std::vector<Value>{m};
  bool ok = true;
  std::vector<std::string> seen;
  for (const Value &item : list) {
    TrainSpec one;
    one.loss = t.loss;
    if (!oneMetric(item, one)) {
      ok = false;
      continue;
    }
    const std::string name = one.metricName();
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      diags.error(item.loc, "metric '" + name + "' is listed twice");
      ok = false;
      continue;
    }
    if (seen.empty())
      t.metric = one.metric;
    else
      t.moreMetrics.push_back(one.metric);
    seen.push_back(name);
  }
  return ok;
}

/// One metric of `metrics:`, which must suit the loss.
bool ExperimentChecker::oneMetric(const Value &m, TrainSpec &t) {
  const std::string &l = t.loss.name;
  const bool regression = l == "mse" || l == "mae";
  auto call = ev.toCall(m, "metric", "metrics");
  if (!call)
    return false;
  const std::string &n = call->name;
  std::string problem;
  if (regression && (n == "accuracy" || n == "top_k"))
    problem = "a classification loss (its labels are class indices)";
  else if (!regression && (n == "mse" || n == "mae"))
    problem = "loss mse or mae (labels here are classes, not values)";
  else if (l == "binary_crossentropy" && n == "top_k")
    problem = "a categorical cross-entropy loss";
  if (!problem.empty()) {
    diags.error(m.loc, "metric '" + n + "' needs " + problem +
                           "; the loss is '" + l + "'");
    return false;
  }
  t.metric = *call;
  return true;
}

void ExperimentChecker::report(const ast::ExpStmt &st, Scope &scope) {
  std::vector<std::string> cols, vals;
  std::set<std::string> used;
  std::map<std::string, int> suffix; // the last _N tried per column
  for (const auto &item : st.items) {
    Value v = ev.eval(*item, scope, this);
    if (v.kind == Value::Error)
      continue;
    std::string col = v.kind == Value::Eval           ? v.s
                      : item->kind == ast::Expr::Name ? item->text
                                                      : ast::exprText(*item);
    if (v.kind == Value::Slot || (v.kind == Value::Data && !v.s.empty())) {
      diags.error(item->loc, "cannot report " + describe(v) +
                                 "; report evaluate(net, data.test)");
      continue;
    }
    // Two evaluations on `test` give columns test and test_1.
    std::string unique = col;
    while (used.count(unique))
      unique = col + "_" + std::to_string(++suffix[col]);
    used.insert(unique);
    cols.push_back(unique);
    vals.push_back(loopValueText(v));
  }
  Step &step = emit(StepOp::Report, st.loc);
  step.reportColumns = cols;
  step.reportValues = vals;
}

void ExperimentChecker::forLoop(const ast::ExpStmt &st, Scope &scope) {
  run = -1;
  bool outer = shared;
  Value domain = loopDomain(*st.expr, scope);
  if (domain.kind == Value::List)
    iterate(st, domain, scope, 0);
  shared = outer;
}

void ExperimentChecker::crossValidate(const ast::ExpStmt &st, Scope &scope) {
  run = -1;
  if (crossValidateStmt && crossValidateStmt != &st) {
    diags.error(st.loc, "an experiment has one 'crossvalidate'");
    return;
  }
  crossValidateStmt = &st;
  sawCrossValidate = true;
  bool outer = shared;
  std::vector<Value> pos;
  Keywords kws;
  ev.evalArgs(st.args, scope, this, pos, kws);
  BoundArgs b = ev.bind("crossvalidate",
                        {{"folds", ArgSpec::PosInt, false, 5, "", {}},
                         {"seed", ArgSpec::Int, false, 0, "", {}}},
                        pos, kws, st.loc);
  int64_t folds = b.values.count("folds") ? b.values["folds"].i : 5;
  if (folds < 2 || folds > limits::kLoopIterations) {
    diags.error(b.values["folds"].loc,
                folds < 2
                    ? "crossvalidate needs at least 2 folds"
                    : "crossvalidate takes at most " +
                          std::to_string(limits::kLoopIterations) + " folds");
    return;
  }
  exp->folds = (int)folds;
  exp->selectVariable = st.name;
  exp->foldSeed = b.values.count("seed") ? b.values["seed"].i : 0;
  Value domain = loopDomain(*st.expr, scope);
  if (domain.kind == Value::List && b.ok)
    iterate(st, domain, scope, (int)folds);
  shared = outer;
}

/// val_top_<k>_accuracy
static bool isTopK(const std::string &m) {
  const std::string pre = "val_top_", post = "_accuracy";
  if (m.size() <= pre.size() + post.size() || m.rfind(pre, 0) != 0 ||
      m.compare(m.size() - post.size(), post.size(), post) != 0)
    return false;
  std::string k = m.substr(pre.size(), m.size() - pre.size() - post.size());
  return std::all_of(k.begin(), k.end(),
                     [](char ch) { return ch >= '0' && ch <= '9'; });
}

void ExperimentChecker::select(const ast::ExpStmt &st, Scope &scope) {
  if (!sawCrossValidate)
    diags.error(st.loc, "'select' needs a 'crossvalidate' before it");
  if (st.name != "min" && st.name != "max")
    diags.error(st.nameLoc, "'select' takes min or max, got '" + st.name + "'");
  static const std::vector<std::string> metrics = {"val_loss", "val_accuracy",
                                                   "val_mse", "val_mae"};
  if (std::find(metrics.begin(), metrics.end(), st.metric) == metrics.end() &&
      !isTopK(st.metric))
    diags.error(st.metricLoc, "unknown metric '" + st.metric + "'" +
                                  didYouMean(st.metric, metrics));
  std::vector<Value> pos;
  Keywords kws;
  ev.evalArgs(st.args, scope, this, pos, kws);
  BoundArgs b = ev.bind(
      "select", {{"within", ArgSpec::Symbol, false, 0, "", {"one_std_error"}}},
      pos, kws, st.loc);
  exp->selectMode = st.name;
  exp->selectMetric = st.metric;
  exp->selectRule = b.values.count("within") ? "one_std_error" : "min";
}

void ExperimentChecker::save(const ast::ExpStmt &st, Scope &scope) {
  Value net = ev.eval(*st.expr, scope, this);
  Value file = ev.eval(*st.expr2, scope, this);
  if (net.kind != Value::Slot) {
    if (net.kind != Value::Error)
      diags.error(st.expr->loc, "'save' needs a network, got " + describe(net));
    return;
  }
  if (file.kind != Value::Str) {
    if (file.kind != Value::Error)
      diags.error(st.expr2->loc, "'save ... to' needs a file name "
                                 "string, got " +
                                     describe(file));
    return;
  }
  Step &step = emit(StepOp::Save, st.loc);
  step.slot = (int)net.i;
  step.network = slotNet[step.slot];
  step.file = file.s;
}

void ExperimentChecker::load(const ast::ExpStmt &st, Scope &scope) {
  Value file = ev.eval(*st.expr, scope, this);
  if (file.kind != Value::Str) {
    if (file.kind != Value::Error)
      diags.error(st.expr->loc, "'load ... from' needs a file name "
                                "string, got " +
                                    describe(file));
    return;
  }
  int slot = -1;
  auto it = scope.find(st.name);
  if (it != scope.end() && it->second.kind == Value::Slot) {
    slot = (int)it->second.i;
  } else if (const ast::NetworkDecl *d = ctx.findDecl(st.name);
             d && !d->isBlock && it == scope.end()) {
    // `load LeNet from "f"`: a fresh LeNet, then known by that name.
    ast::Expr name(ast::Expr::Name, st.nameLoc);
    name.text = st.name;
    Value v = call(name, scope);
    if (v.kind != Value::Slot)
      return;
    slot = (int)v.i;
    scope[st.name] = v;
  } else {
    std::string hint = ctx.suggest(st.name, st.nameLoc,
                                   [&] { return ctx.visibleNames(scope); });
    diags.error(st.nameLoc,
                "unknown network or variable '" + st.name + "'" + hint);
    return;
  }
  Step &step = emit(StepOp::Load, st.loc);
  step.slot = slot;
  step.network = slotNet[slot];
  step.file = file.s;
}

void ExperimentChecker::exprStmt(const ast::ExpStmt &st, Scope &scope) {
  const ast::Expr &e = *st.expr;
  if (e.kind != ast::Expr::Call ||
      (e.text != "freeze" && e.text != "evaluate")) {
    diags.error(e.loc, "this statement has no effect; expected let, "
                       "train, report, save, load, freeze(...) or a "
                       "loop");
    return;
  }
  ev.eval(e, scope, this);
}

} // namespace netc
