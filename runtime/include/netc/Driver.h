//===- Driver.h - The experiment driver of a built program -----*- C++ -*-===//
//
// A program built by netc is main() → runProgram(): read the plan, parse the
// command line (spec §4), run the chosen experiments' steps with the
// compiled kernels, print progress and the results table, and write the
// results files (spec §5).
//
//===----------------------------------------------------------------------===//
#ifndef NETC_DRIVER_H
#define NETC_DRIVER_H

#include "netc/Abi.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace netc::rt {

/// The run options of a built program (spec §4).
struct Options {
  std::vector<std::string> experiments; // --experiment (repeatable); empty=all
  std::string dataDir = ".";            // --data
  std::string outDir;                   // --out; empty: ./netc-out/EXP/
  std::optional<int64_t> epochs, batchSize, limit; // --set overrides
  std::optional<uint64_t> seed;
  bool resume = false;        // --resume: skip runs in --out/results.json
  std::string saveWeightsDir; // --save-weights DIR: DIR/<run>.safetensors
  /// --memory-limit SIZE (8G, 512M) or "none"; empty: the machine's memory.
  std::string memoryLimit;
  bool help = false;
  bool profile = false; // --profile: time per op family (netc/Profile.h)
  /// --data-parallel: under mpirun, every rank trains each run together on
  /// its shard of every batch (gradients averaged), instead of the ranks
  /// sharing out the runs (netc/Mpi.h).
  bool dataParallel = false;
  /// --sync-batchnorm: with --data-parallel, batchnorm statistics over the
  /// whole global batch instead of each rank's shard.
  bool syncBatchNorm = false;
  // Developer tools instead of the experiments (runtime/lib/Tools.cpp):
  bool gradCheck = false;                  // --gradcheck
  int64_t gradCheckSeeds = 5;              // --gradcheck-seeds N
  int64_t benchSteps = 0;                  // --bench-steps N
  std::string dumpStepsDir, checkStepsDir; // --dump-steps, --check-steps DIR
  int64_t numericSteps = 3;                // --steps N (for --dump-steps)
};

/// Parses argv[1..argc). On a usage error returns false with `error` set.
bool parseOptions(int argc, char **argv, Options &options, std::string &error);

/// The usage text of --help.
std::string usage(const char *program);

/// The results root: --out, else ./netc-out. Each experiment writes into
/// ROOT/EXPERIMENT/ whatever the number of experiments, and relative `save`
/// and `load` paths are relative to ROOT, so that every experiment of a
/// program resolves them alike.
std::string outRoot(const Options &options);

/// The exit status of a program whose experiments all ran to the end but
/// some of whose runs diverged (their loss became NaN or Inf): their
/// results are written, marked "diverged".
constexpr int kExitDiverged = 3;

/// The whole program: returns the process exit status (0 success, 1 a
/// runtime error such as bad data, printed as `error: ...`, 2 a usage error,
/// kExitDiverged when every experiment completed but some run diverged).
int runProgram(const char *planJson, const netc_kernel_entry *kernels,
               int64_t numKernels, int argc, char **argv);

} // namespace netc::rt

#endif // NETC_DRIVER_H
