//===- Schedules.cpp - Learning-rate schedules ----------------------------===//
//
// The learning rate of each train step: Keras' ExponentialDecay and
// CosineDecay (with its optional linear warmup) and PyTorch's StepLR, all
// per step. The front end checks their arguments (Frontend/Specs.cpp); the
// plan's reader accepts the names isSchedule accepts.
//
//===----------------------------------------------------------------------===//

#include "netc/Plan.h"

#include <cmath>

namespace netc {

bool isSchedule(const std::string &name) {
  return name == "exponential_decay" || name == "cosine_decay" ||
         name == "step";
}

double OptimizerSpec::learningRateAt(int64_t iteration) const {
  if (schedule.empty())
    return learningRate();
  auto arg = [&](const char *key, double fallback) {
    auto it = scheduleArgs.find(key);
    return it == scheduleArgs.end() ? fallback : it->second;
  };
  const double initial = arg("initial_learning_rate", learningRate());
  const double t = static_cast<double>(iteration);
  if (schedule == "exponential_decay") {
    // keras.optimizers.schedules.ExponentialDecay
    double p = t / arg("decay_steps", 1);
    if (arg("staircase", 0) != 0)
      p = std::floor(p);
    return initial * std::pow(arg("decay_rate", 1), p);
  }
  if (schedule == "cosine_decay") {
    // keras.optimizers.schedules.CosineDecay, with its optional linear
    // warmup from initial_learning_rate to warmup_target.
    const double decaySteps = arg("decay_steps", 1), alpha = arg("alpha", 0);
    const double warmupSteps = arg("warmup_steps", 0);
    double from = initial, s = t;
    if (scheduleArgs.count("warmup_target")) {
      const double target = scheduleArgs.at("warmup_target");
      if (t < warmupSteps)
        return initial + (target - initial) * (t / warmupSteps);
      from = target;
      s = t - warmupSteps;
    }
    const double done = std::min(s, decaySteps) / decaySteps;
    const double cosine = 0.5 * (1 + std::cos(M_PI * done));
    return from * ((1 - alpha) * cosine + alpha);
  }
  if (schedule == "step") // torch.optim.lr_scheduler.StepLR, per step
    return initial *
           std::pow(arg("gamma", 0.1), std::floor(t / arg("step_size", 1)));
  throw PlanError("unknown learning-rate schedule '" + schedule + "'");
}

} // namespace netc
