//===- Callbacks.cpp - Keras' training callbacks, per epoch ---------------===//
//
// keras/src/callbacks/{monitor_callback,early_stopping,reduce_lr_on_plateau,
// model_checkpoint}.py, line for line where the logic is Keras' own: the
// order of the wait counter's updates, the first epoch that may stop, the
// cooldown, the float32 learning rate. Epochs are 0-based inside (Keras'
// `epoch` argument) and 1-based outside (the history's numbering).
//
//===----------------------------------------------------------------------===//

#include "netc/Callbacks.h"

#include <algorithm>
#include <cmath>

namespace netc {

bool isCallback(const std::string &name) {
  return name == "early_stopping" || name == "reduce_lr_on_plateau" ||
         name == "save_best";
}

namespace {

/// Whether a metric of this name improves downwards, as Keras' metrics'
/// `_direction` says; nullopt when netc does not know the name.
std::optional<bool> lowerIsBetter(const std::string &monitor) {
  std::string base = monitor;
  if (base.rfind("val_", 0) == 0)
    base = base.substr(4);
  if (base == "loss" || base == "mse" || base == "mae")
    return true;
  const std::string top = "top_", acc = "_accuracy";
  const bool topK =
      base.size() > top.size() + acc.size() && base.rfind(top, 0) == 0 &&
      base.compare(base.size() - acc.size(), acc.size(), acc) == 0;
  if (base == "accuracy" || base == "top_k_categorical_accuracy" || topK)
    return false;
  return std::nullopt;
}

double arg(const CallbackSpec &spec, const char *key, double fallback) {
  auto it = spec.args.find(key);
  return it == spec.args.end() ? fallback : it->second;
}

std::string strArg(const CallbackSpec &spec, const char *key,
                   const char *fallback) {
  auto it = spec.strArgs.find(key);
  return it == spec.strArgs.end() ? fallback : it->second;
}

/// Keras' defaults of min_delta differ: 1e-4 for ReduceLROnPlateau, 0 for
/// the others.
Monitor monitorOf(const CallbackSpec &spec) {
  const double minDelta =
      arg(spec, "min_delta", spec.name == "reduce_lr_on_plateau" ? 1e-4 : 0);
  return Monitor(strArg(spec, "monitor", "val_loss"),
                 strArg(spec, "mode", "auto"), minDelta);
}

} // namespace

Monitor::Monitor(const std::string &name, const std::string &mode,
                 double minDelta)
    : name(name), minDelta(std::fabs(minDelta)) {
  if (mode == "min" || mode == "max") {
    lower = mode == "min";
    return;
  }
  if (mode != "auto")
    throw PlanError("callback mode '" + mode + "' (expected auto, min, max)");
  std::optional<bool> direction = lowerIsBetter(name);
  if (!direction)
    throw PlanError("a callback monitors '" + name +
                    "' whose direction is unknown; give mode: min or max");
  lower = *direction;
}

bool Monitor::improves(double current, std::optional<double> reference) const {
  if (!reference)
    return true;
  // Keras negates min_delta for `less`: less(current + |d|, reference).
  return lower ? current + minDelta < *reference
               : current - minDelta > *reference;
}

Callbacks::Callbacks(const std::vector<CallbackSpec> &specs,
                     double learningRate)
    : rate(static_cast<float>(learningRate)) {
  for (const CallbackSpec &spec : specs) {
    if (!isCallback(spec.name))
      throw PlanError("unknown callback '" + spec.name + "'");
    if (spec.name == "reduce_lr_on_plateau" && arg(spec, "factor", 0.1) >= 1)
      throw PlanError("reduce_lr_on_plateau does not support a factor >= 1");
    if (spec.name == "save_best" && strArg(spec, "file", "").empty())
      throw PlanError("save_best needs a file");
    all.push_back(State{spec, monitorOf(spec), std::nullopt, 0, 0, 0, false});
  }
}

bool Callbacks::controlsLearningRate() const {
  return std::any_of(all.begin(), all.end(), [](const State &s) {
    return s.spec.name == "reduce_lr_on_plateau";
  });
}

int64_t Callbacks::restoreEpoch() const {
  for (const State &s : all)
    if (s.spec.name == "early_stopping" &&
        arg(s.spec, "restore_best_weights", 0) != 0 && s.haveWeights)
      return s.bestEpoch + 1;
  return 0;
}

CallbackActions Callbacks::endEpoch(int64_t epoch,
                                    const std::map<std::string, double> &logs) {
  CallbackActions out;
  const int64_t epoch0 = epoch - 1;
  for (State &s : all) {
    auto it = logs.find(s.monitor.name);
    if (it == logs.end()) {
      std::string have;
      for (const auto &[key, value] : logs)
        have += (have.empty() ? "" : ", ") + key;
      throw PlanError(s.spec.name + " monitors '" + s.monitor.name +
                      "', which the run does not log (it logs " + have + ")");
    }
    const double current = it->second;
    if (s.spec.name == "early_stopping") {
      earlyStopping(s, epoch0, current, out);
    } else if (s.spec.name == "reduce_lr_on_plateau") {
      reduceLearningRate(s, current);
    } else if (s.monitor.improves(current, s.best)) { // save_best
      s.best = current;
      out.saveTo.push_back(s.spec.strArgs.at("file"));
    }
  }
  return out;
}

// EarlyStopping.on_epoch_end (the baseline only decides whether the wait
// restarts).
void Callbacks::earlyStopping(State &s, int64_t epoch0, double current,
                              CallbackActions &out) {
  if (epoch0 < static_cast<int64_t>(arg(s.spec, "start_from_epoch", 0)))
    return;
  const bool restore = arg(s.spec, "restore_best_weights", 0) != 0;
  if (restore && !s.haveWeights) {
    s.haveWeights = out.keepWeights = true;
    s.bestEpoch = epoch0;
  }
  ++s.wait;
  if (s.monitor.improves(current, s.best)) {
    s.best = current;
    s.bestEpoch = epoch0;
    out.keepWeights |= restore;
    auto baseline = s.spec.args.find("baseline");
    if (baseline == s.spec.args.end() ||
        s.monitor.improves(current, baseline->second))
      s.wait = 0;
    return;
  }
  if (s.wait >= static_cast<int64_t>(arg(s.spec, "patience", 0)) &&
      epoch0 > 0) {
    stopped = epoch0 + 1;
    out.stop = true;
  }
}

// ReduceLROnPlateau.on_epoch_end and _reduce_optimizer_lr, with Keras'
// float32 learning-rate variable.
void Callbacks::reduceLearningRate(State &s, double current) {
  const bool inCooldown = s.cooldownCounter > 0;
  if (inCooldown) {
    --s.cooldownCounter;
    s.wait = 0;
  }
  if (s.monitor.improves(current, s.best)) {
    s.best = current;
    s.wait = 0;
    return;
  }
  if (s.cooldownCounter > 0 ||
      ++s.wait < static_cast<int64_t>(arg(s.spec, "patience", 10)))
    return;
  const double oldRate = rate, minRate = arg(s.spec, "min_lr", 0);
  if (!(oldRate > static_cast<double>(static_cast<float>(minRate))))
    return;
  rate = static_cast<float>(
      std::max(oldRate * arg(s.spec, "factor", 0.1), minRate));
  s.cooldownCounter = static_cast<int64_t>(arg(s.spec, "cooldown", 0));
  s.wait = 0;
}

} // namespace netc
