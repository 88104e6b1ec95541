//===- OptimizerTable.h - The optimizers as C++ data ------------*- C++ -*-===//
//
// The table netc/Optimizers.def seen from C++: the front end checks a
// program's optimizer calls against it, code generation takes the merged
// configuration and the slots from it, the lowering dispatches on the update
// rule, and the runtime takes the default learning rate from it.
// Header-only, so the compiler and the runtime share it without linking.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_OPTIMIZERTABLE_H
#define NETC_OPTIMIZERTABLE_H

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace netc::optimizers {

/// One enumerator per optimizer of the table, in table order: which update
/// rule the lowering emits.
enum class OptimizerId {
#define NETC_OPTIMIZER(Id, LearningRate, Rule) Id,
#include "netc/Optimizers.def"
};

enum class HyperKind { Number, Flag };

struct Hyper {
  const char *name;
  double defaultValue;
  HyperKind kind;
};

/// A per-weight state tensor: present when the hyper-parameter `presentIf`
/// is nonzero (always when empty), starting at the value of `initFrom`
/// (zero when empty).
struct Slot {
  std::string_view name, presentIf, initFrom;
};

struct Optimizer {
  OptimizerId id;
  const char *name;
  double learningRate; // default
  /// False for least_squares, which the runtime solves in closed form.
  bool hasUpdateRule;
  std::vector<Hyper> hypers; // positional order, after learning_rate
  std::vector<Slot> slots;   // every possible slot, in slot order
};

namespace detail {
enum RuleKind { UpdateRule, ClosedForm };
enum { Number = static_cast<int>(HyperKind::Number), Flag };

inline std::vector<Optimizer> buildTable() {
  std::vector<Optimizer> table;
#define NETC_OPTIMIZER(Id, LearningRate, Rule)                                 \
  table.push_back(                                                             \
      {OptimizerId::Id, #Id, LearningRate, Rule == UpdateRule, {}, {}});
#include "netc/Optimizers.def"
  auto find = [&](OptimizerId id) -> Optimizer & {
    return table[static_cast<size_t>(id)];
  };
#define NETC_HYPER(Id, Name, Default, Kind)                                    \
  find(OptimizerId::Id)                                                        \
      .hypers.push_back({Name, Default, static_cast<HyperKind>(Kind)});
#define NETC_SLOT(Id, Name, PresentIf, InitFrom)                               \
  find(OptimizerId::Id).slots.push_back({Name, PresentIf, InitFrom});
#include "netc/Optimizers.def"
  return table;
}
} // namespace detail

/// Every optimizer, indexed by OptimizerId.
inline const std::vector<Optimizer> &optimizerTable() {
  static const std::vector<Optimizer> table = detail::buildTable();
  return table;
}

/// The optimizer called `name`, or null.
inline const Optimizer *findOptimizer(std::string_view name) {
  for (const Optimizer &o : optimizerTable())
    if (name == o.name)
      return &o;
  return nullptr;
}

inline const Optimizer &optimizer(OptimizerId id) {
  return optimizerTable()[static_cast<size_t>(id)];
}

/// learning_rate and every hyper-parameter at its default, overridden by
/// `args` (arguments the table does not know are kept).
inline std::map<std::string, double>
configure(const Optimizer &o, const std::map<std::string, double> &args) {
  std::map<std::string, double> config;
  if (o.hasUpdateRule)
    config["learning_rate"] = o.learningRate;
  for (const Hyper &h : o.hypers)
    config[h.name] = h.defaultValue;
  for (const auto &[key, value] : args)
    config[key] = value;
  return config;
}

/// The value of `key` in a configuration from configure() (zero if absent).
inline double configValue(const std::map<std::string, double> &config,
                          std::string_view key) {
  auto it = config.find(std::string(key));
  return it == config.end() ? 0.0 : it->second;
}

/// Whether slot `s` exists under `config`; `lookup(name)` gives a
/// hyper-parameter's value (so the lowering can read an MLIR attribute).
template <typename Lookup>
bool slotPresent(const Slot &s, const Lookup &lookup) {
  return s.presentIf.empty() || lookup(s.presentIf) != 0.0;
}

/// The initial value of each slot present under `config`, in slot order.
inline std::vector<double>
slotInit(const Optimizer &o, const std::map<std::string, double> &config) {
  auto lookup = [&](std::string_view k) { return configValue(config, k); };
  std::vector<double> init;
  for (const Slot &s : o.slots)
    if (slotPresent(s, lookup))
      init.push_back(s.initFrom.empty() ? 0.0 : lookup(s.initFrom));
  return init;
}

} // namespace netc::optimizers

#endif // NETC_OPTIMIZERTABLE_H
