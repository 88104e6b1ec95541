//===- Tools.h - Developer tools of a built program ------------*- C++ -*-===//
//
// Modes of a built program that do not run its experiments:
//   --gradcheck       finite-difference check of every kernel's gradients
//                     (float64; --gradcheck-seeds N)
//   --bench-steps N   time N training steps of the first trained kernel
//   --dump-steps DIR  write, per kernel, a random batch, the initial weights,
//                     the eval outputs and the weights after each of N steps
//   --check-steps DIR compare those with DIR's references (test/Numerics)
//
//===----------------------------------------------------------------------===//
#ifndef NETC_TOOLS_H
#define NETC_TOOLS_H

#include "netc/Abi.h"
#include "netc/Driver.h"
#include "netc/Plan.h"

namespace netc::rt {

/// Compares each trainable weight's gradient from the compiled float64 train
/// step (`netc build --gradcheck-f64`) with central differences of its
/// float64 loss, at a few coordinates per weight, for --gradcheck-seeds
/// seeds from --set seed (default 1). The kernels must use plain sgd (the
/// step then moves each weight by exactly -learning_rate * gradient).
/// Returns 0 when all agree (relative error <= 1e-6 on smooth coordinates),
/// else 1.
int runGradCheck(const Plan &plan, const netc_kernel_entry *kernels,
                 int64_t numKernels, const Options &options);

/// Prints training throughput (images/s, ms/step) on a random batch.
int runBench(const Plan &plan, const netc_kernel_entry *kernels,
             int64_t numKernels, const Options &options);

/// Per kernel: DIR/<kernel>.safetensors with tensors x, y, init/<param>,
/// out (eval outputs at the initial weights), step<k>/<param> (all weights
/// after step k, k = 1..--steps) and loss (each step's loss).
int runDumpSteps(const Plan &plan, const netc_kernel_entry *kernels,
                 int64_t numKernels, const Options &options);

/// Reads DIR/<kernel>.safetensors references in --dump-steps' layout (a
/// tensor NAME may be sampled: NAME@idx (I64) gives its flat indices; sampled
/// init/<param> values are checked against netc's own initialization with
/// the metadata's seed), reruns the steps and prints the max relative error
/// of each quantity (weights compared as changes from the initial ones).
/// Metadata: seed, steps, rtol. Returns 0 when all are within rtol.
int runCheckSteps(const Plan &plan, const netc_kernel_entry *kernels,
                  int64_t numKernels, const Options &options);

} // namespace netc::rt

#endif // NETC_TOOLS_H
