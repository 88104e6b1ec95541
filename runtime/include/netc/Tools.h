//===- Tools.h - Developer tools of a built program ------------*- C++ -*-===//
//
// Modes of a built program that do not run its experiments:
//   --gradcheck       finite-difference check of every kernel's gradients
//   --bench-steps N   time N training steps of the first trained kernel
//
//===----------------------------------------------------------------------===//
#ifndef NETC_TOOLS_H
#define NETC_TOOLS_H

#include "netc/Abi.h"
#include "netc/Driver.h"
#include "netc/Plan.h"

namespace netc {

/// Compares each trainable weight's gradient from the compiled train step
/// with central differences of the compiled loss, at a few coordinates per
/// weight. The kernels must use plain sgd (the step then moves each weight by
/// exactly -learning_rate * gradient). Returns 0 when all agree, else 1.
int runGradCheck(const Plan &plan, const netc_kernel_entry *kernels,
                 int64_t numKernels, const Options &options);

/// Prints training throughput (images/s, ms/step) on a random batch.
int runBench(const Plan &plan, const netc_kernel_entry *kernels,
             int64_t numKernels, const Options &options);

} // namespace netc

#endif // NETC_TOOLS_H
