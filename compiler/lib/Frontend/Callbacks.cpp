//===- Callbacks.cpp - Checking a train block's callbacks -----------------===//
//
// `callbacks: [early_stopping(...), reduce_lr_on_plateau(...),
// save_best("file", ...)]`: each a vocabulary call (Specs.cpp) whose
// arguments the binding already typed; here what types cannot say: the
// monitored value must be one the run logs (and a val_* one needs
// validation data), counts are non-negative, the plateau's factor below 1,
// and the learning rate must be one a callback can change. The runtime runs
// them (runtime/lib/Callbacks.cpp).
//
//===----------------------------------------------------------------------===//

#include "Experiments.h"

#include <algorithm>

namespace netc {

namespace {

/// The value written for argument `name` of the callback call `v`
/// (keyword or positional), or null when it was not written.
const Value *written(const Value &v, const std::string &name) {
  if (v.kind != Value::Call)
    return nullptr;
  for (const auto &[key, value] : v.kw)
    if (key == name)
      return &value;
  const FuncSpec *f = findFunc(v.s);
  for (size_t i = 0; f && i < f->params.size() && i < v.list.size(); ++i)
    if (f->params[i].name == name)
      return &v.list[i];
  return nullptr;
}

SourceLoc locOf(const Value &v, const std::string &name) {
  const Value *arg = written(v, name);
  return arg ? arg->loc : v.loc;
}

/// What a run logs per epoch, by Keras' names.
std::vector<std::string> logged(const TrainSpec &t, bool validation) {
  std::vector<std::string> names = {"loss"};
  for (const std::string &m : t.metricNames())
    names.push_back(m);
  if (validation) {
    names.push_back("val_loss");
    for (const std::string &m : t.metricNames())
      names.push_back("val_" + m);
  }
  return names;
}

} // namespace

bool ExperimentChecker::trainCallbacks(const Value &list, int dataset,
                                       TrainSpec &t) {
  std::vector<Value> items =
      list.kind == Value::List ? list.list : std::vector<Value>{list};
  bool ok = true;
  for (const Value &v : items) {
    std::optional<Call> c = ev.toCall(v, "callback", "callbacks");
    if (!c) {
      ok = false;
      continue;
    }
    if (!c->strArgs.count("monitor"))
      c->strArgs["monitor"] = "val_loss"; // Keras' default
    if (!checkCallback(v, *c, dataset, t)) {
      ok = false;
      continue;
    }
    t.callbacks.push_back(*c);
  }
  return ok;
}

/// The arguments of one callback.
bool ExperimentChecker::checkCallback(const Value &v, const Call &c,
                                      int dataset, const TrainSpec &t) {
  bool ok = checkMonitor(v, c, dataset, t);
  for (const char *count : {"patience", "cooldown", "start_from_epoch"}) {
    auto it = c.args.find(count);
    if (it != c.args.end() && it->second < 0) {
      diags.error(locOf(v, count),
                  "argument '" + std::string(count) + "' of '" + c.name +
                      "' must not be negative, got " + numberText(it->second));
      ok = false;
    }
  }
  if (t.optimizer.name == "least_squares") {
    diags.error(v.loc, "callback '" + c.name +
                           "' needs epochs of gradient descent; optimizer "
                           "least_squares fits in one step");
    return false;
  }
  if (c.name == "save_best" && c.strArgs.at("file").empty()) {
    diags.error(locOf(v, "file"), "'save_best' needs a file name");
    ok = false;
  }
  if (c.name != "reduce_lr_on_plateau")
    return ok;
  const double factor = c.args.at("factor"), minLr = c.args.at("min_lr");
  if (factor < 0 || factor >= 1) {
    diags.error(locOf(v, "factor"),
                "argument 'factor' of 'reduce_lr_on_plateau' must be in "
                "[0, 1), got " +
                    numberText(factor));
    ok = false;
  }
  if (minLr < 0) {
    diags.error(locOf(v, "min_lr"),
                "argument 'min_lr' of 'reduce_lr_on_plateau' must not be "
                "negative, got " +
                    numberText(minLr));
    ok = false;
  }
  if (!t.optimizer.schedule.empty()) {
    diags.error(v.loc, "'reduce_lr_on_plateau' cannot change the learning "
                       "rate of optimizer '" +
                           t.optimizer.name +
                           "', which follows the schedule '" +
                           t.optimizer.schedule + "'");
    ok = false;
  }
  return ok;
}

/// `monitor:` names a value the run logs; val_* needs validation data.
bool ExperimentChecker::checkMonitor(const Value &v, const Call &c, int dataset,
                                     const TrainSpec &t) {
  const Value *arg = written(v, "monitor");
  if (arg && arg->kind != Value::Sym && arg->kind != Value::Str) {
    diags.error(arg->loc, "argument 'monitor' of '" + c.name +
                              "' must name a logged value such as val_loss, "
                              "got " +
                              describe(*arg));
    return false;
  }
  const std::string &monitor = c.strArgs.at("monitor");
  const SourceLoc loc = arg ? arg->loc : v.loc;
  const std::vector<std::string> all = logged(t, true);
  if (std::find(all.begin(), all.end(), monitor) == all.end()) {
    std::string names;
    for (const std::string &n : all)
      names += (names.empty() ? "" : ", ") + n;
    diags.error(loc, "'" + c.name + "' monitors '" + monitor +
                         "', which this training does not log (it logs " +
                         names + ")" + didYouMean(monitor, all));
    return false;
  }
  const auto &args = ctx.program().datasets[dataset].args;
  auto split = args.find("validation_split");
  const bool validation = t.validationSplit > 0 || fold >= 0 ||
                          (split != args.end() && split->second > 0);
  if (monitor.rfind("val_", 0) == 0 && !validation) {
    diags.error(loc, "'" + c.name + "' monitors '" + monitor +
                         "', but this training has no validation data; give "
                         "it validation_split, or monitor '" +
                         monitor.substr(4) + "'");
    return false;
  }
  return true;
}

} // namespace netc
