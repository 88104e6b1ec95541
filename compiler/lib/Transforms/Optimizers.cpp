//===- Optimizers.cpp - Optimizer slots and defaults ---------------------===//
#include "netc/Transforms/Optimizers.h"

using namespace netc;

OptimizerInfo netc::optimizerInfo(const std::string &name,
                                  const std::map<std::string, double> &args) {
  OptimizerInfo info;
  info.known = true;
  auto &c = info.config;
  if (name == "sgd") {
    c = {{"learning_rate", 0.01}, {"momentum", 0}, {"nesterov", 0}};
  } else if (name == "adam" || name == "adamw" || name == "adamax" ||
             name == "nadam") {
    c = {{"learning_rate", 1e-3},
         {"beta_1", 0.9},
         {"beta_2", 0.999},
         {"epsilon", 1e-7}};
    if (name == "adamw")
      c["weight_decay"] = 0.004;
    info.slotInit = {0, 0};
    // amsgrad keeps the running maximum of v in a third slot.
    if ((name == "adam" || name == "adamw") && args.count("amsgrad") &&
        args.at("amsgrad") != 0)
      info.slotInit = {0, 0, 0};
  } else if (name == "rmsprop") {
    c = {{"learning_rate", 1e-3},
         {"rho", 0.9},
         {"momentum", 0},
         {"epsilon", 1e-7},
         {"centered", 0}};
  } else if (name == "adagrad") {
    c = {{"learning_rate", 1e-3},
         {"initial_accumulator_value", 0.1},
         {"epsilon", 1e-7}};
  } else if (name == "adadelta") {
    c = {{"learning_rate", 1e-3}, {"rho", 0.95}, {"epsilon", 1e-7}};
    info.slotInit = {0, 0};
  } else {
    info.known = false;
    return info;
  }
  for (auto &[k, v] : args)
    c[k] = v;
  // Slots that depend on the final configuration.
  if (name == "sgd" && c["momentum"] != 0)
    info.slotInit = {0};
  if (name == "rmsprop") {
    info.slotInit = {0}; // velocity (mean square)
    if (c["momentum"] != 0)
      info.slotInit.push_back(0);
    if (c["centered"] != 0)
      info.slotInit.push_back(0);
  }
  if (name == "adagrad")
    info.slotInit = {c["initial_accumulator_value"]};
  return info;
}
