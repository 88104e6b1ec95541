//===- Plan.h - The plan embedded in every program ----------------*- C++
//-*-===//
#ifndef NETC_DRIVER_PLAN_H
#define NETC_DRIVER_PLAN_H

#include "netc/Driver/Compile.h"

#include <array>
#include <string>
#include <vector>

namespace netc {

/// What compilation decided about one kernel's buffers.
struct KernelLayout {
  int64_t stateFloats = 0, trainWsPerSample = 0, evalWsPerSample = 0;
  int64_t trainWsFixed = 0, evalWsFixed = 0;
  /// The float64 train entry of --gradcheck-f64, when there is one.
  bool hasTrainF64 = false;
  int64_t trainF64WsPerSample = 0, trainF64WsFixed = 0;
  std::vector<std::array<double, 3>> stateInit; // offset, size, value
  /// The entry functions' symbols (empty where there is none), from which
  /// the kernel table takes their C interfaces.
  std::string trainSymbol, evalSymbol, trainF64Symbol;
};

/// The JSON plan of docs/design.md.
std::string planJson(const Program &program, const KernelPlan &kernels,
                     const std::vector<KernelLayout> &layouts);

} // namespace netc

#endif
