//===- Optimizers.h - Optimizer slots and defaults --------------*- C++ -*-===//
//
// What code generation needs of an optimizer, per Keras optimizer: its
// configuration (defaults merged with the program's arguments) and its
// per-weight state tensors ("slots") and how they start, as the table
// runtime/include/netc/Optimizers.def gives them.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_TRANSFORMS_OPTIMIZERS_H
#define NETC_TRANSFORMS_OPTIMIZERS_H

#include <map>
#include <string>
#include <vector>

namespace netc {

struct OptimizerInfo {
  bool known = false;
  /// Keras' defaults, overridden by the program's arguments.
  std::map<std::string, double> config;
  /// Initial value of each per-weight slot, in slot order.
  std::vector<double> slotInit;
};

/// Defaults merged with `args` (learning_rate is kept in config too; the
/// runtime feeds it per step).
OptimizerInfo optimizerInfo(const std::string &name,
                            const std::map<std::string, double> &args);

} // namespace netc

#endif
