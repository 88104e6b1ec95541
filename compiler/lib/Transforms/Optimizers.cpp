//===- Optimizers.cpp - Optimizer slots and defaults ---------------------===//
//
// Reads the table runtime/include/netc/Optimizers.def.
//
//===----------------------------------------------------------------------===//
#include "netc/Transforms/Optimizers.h"
#include "netc/OptimizerTable.h"

using namespace netc;

OptimizerInfo netc::optimizerInfo(const std::string &name,
                                  const std::map<std::string, double> &args) {
  OptimizerInfo info;
  const optimizers::Optimizer *o = optimizers::findOptimizer(name);
  // least_squares has no update rule to generate.
  if (!o || !o->hasUpdateRule)
    return info;
  info.known = true;
  info.config = optimizers::configure(*o, args);
  info.slotInit = optimizers::slotInit(*o, info.config);
  return info;
}
