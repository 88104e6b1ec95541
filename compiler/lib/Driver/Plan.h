//===- Plan.h - The plan embedded in every program --------------*- C++ -*-===//
#ifndef NETC_DRIVER_PLAN_H
#define NETC_DRIVER_PLAN_H

#include "netc/Driver/Compile.h"
#include "netc/Plan.h"

#include <string>
#include <vector>

namespace netc {

/// What compilation decided about one kernel, read from its entry points.
struct KernelLayout {
  /// The plan's record of the kernel with its buffers' layout filled in
  /// (state_floats, state_init, workspace sizes, hasTrainF64); buildPlan
  /// adds the rest.
  KernelSpec spec;
  /// The entry functions' symbols (empty where there is none), from which
  /// the kernel table takes their C interfaces.
  std::string trainSymbol, evalSymbol, trainF64Symbol;
  /// The offset of each parameter in the train entry's flat buffer
  /// (`net.param_offsets`; empty without a train entry).
  std::vector<int64_t> paramOffsets;
};

/// The plan of `program` compiled into `kernels` (netc/Plan.h).
Plan buildPlan(const Program &program, const KernelPlan &kernels,
               const std::vector<KernelLayout> &layouts);

} // namespace netc

#endif
