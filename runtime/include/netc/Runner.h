//===- Runner.h - Executing an experiment's runs ---------------*- C++ -*-===//
//
// Interprets the plan's steps (new, train, evaluate, report) for each run,
// calling the compiled kernels through the ABI. Data sets are loaded once
// and shared by all runs and experiments of a program.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_RUNNER_H
#define NETC_RUNNER_H

#include "netc/Abi.h"
#include "netc/Driver.h"
#include "netc/Plan.h"
#include "netc/Results.h"

#include <cstdio>
#include <map>
#include <stdexcept>

namespace netc {

/// A plan the runtime cannot execute (unknown step, mismatched shapes...).
struct RunError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The default seed of a run: FNV-1a over the experiment name, the run's
/// loop values (canonical JSON) and the fold, folded to 32 bits so it can be
/// passed back with --set seed=N.
uint64_t defaultSeed(const std::string &experiment,
                     const nlohmann::json &params, int64_t fold);

class ExperimentRunner {
public:
  /// `progress` receives the per-epoch lines (interactive: redrawn in place).
  ExperimentRunner(const Plan &plan, const netc_kernel_entry *kernels,
                   int64_t numKernels, const Options &options, FILE *progress,
                   bool interactive);

  /// Runs every run of `experiment`. Throws DataError, InitError, RunError.
  ExperimentRecord run(const ExperimentSpec &experiment);

private:
  RunRecord runOne(const ExperimentSpec &experiment, const RunSpec &run);
  const Dataset &dataset(int64_t index);
  const netc_kernel_entry &entry(int64_t kernelIndex) const;

  const Plan &plan;
  const netc_kernel_entry *kernels;
  int64_t numKernels;
  const Options &options;
  FILE *progress;
  bool interactive;
  std::map<int64_t, Dataset> datasets;
};

} // namespace netc

#endif // NETC_RUNNER_H
