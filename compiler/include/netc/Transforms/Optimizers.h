//===- Optimizers.h - Optimizer slots and defaults --------------*- C++ -*-===//
//
// The one place that knows, per Keras optimizer, its default hyper-parameters
// and how many per-weight state tensors ("slots") it keeps and how they start.
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
