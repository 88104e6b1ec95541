//===- Runner.h - Executing an experiment's runs ---------------*- C++ -*-===//
//
// Interprets the plan's steps (new, copy, compose, load, save, freeze, train,
// evaluate, report) for each run, calling the compiled kernels through the
// ABI. Data sets are loaded once and shared by all runs and experiments of a
// program. Network weights live in numbered slots: a run's own slots die
// with it; those of a shared run stay for the experiment's later runs, which
// see them copy-on-write (a run that trains a shared network trains its own
// copy, so runs stay independent and resumable).
//
//===----------------------------------------------------------------------===//
#ifndef NETC_RUNNER_H
#define NETC_RUNNER_H

#include "netc/Abi.h"
#include "netc/AlignedBuffer.h"
#include "netc/Driver.h"
#include "netc/Initializers.h"
#include "netc/Plan.h"
#include "netc/Results.h"
#include "netc/data/Dataset.h"

#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>

namespace netc::rt {

class Progress;

/// A plan the runtime cannot execute (unknown step, mismatched shapes...).
struct RunError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The default seed of a run: FNV-1a over the experiment name, the run's
/// loop values (canonical JSON) and the fold, folded to 32 bits so it can be
/// passed back with --set seed=N.
uint64_t defaultSeed(const std::string &experiment,
                     const nlohmann::json &params, int64_t fold);

/// The seed a run uses: --set seed=N (`override`) before the file's
/// (`experiment e (seeds: ...)`, RunSpec::seed) before defaultSeed.
uint64_t runSeed(const std::string &experiment, const RunSpec &run,
                 const std::optional<uint64_t> &override);

/// Whether the run is skipped: --set seed=N runs each configuration once,
/// so the repetitions after the first of `experiment e (seeds: ...)` are.
bool skippedRepetition(const RunSpec &run,
                       const std::optional<uint64_t> &override);

class ExperimentRunner {
public:
  /// `progress` receives the per-epoch lines (interactive: redrawn in place).
  ExperimentRunner(const Plan &plan, const netc_kernel_entry *kernels,
                   int64_t numKernels, const Options &options, FILE *progress,
                   bool interactive);

  /// What can fail before the first step is checked before it (call for
  /// every chosen experiment, in order, before running any): `outDir` and
  /// `weightsDir` can be created and written, as can every `save`
  /// destination; every data set the experiment reads loads (a missing or
  /// malformed file), fits its kernels' inputs and labels, and can be cut
  /// into the experiment's folds and validation splits; every file a `load`
  /// reads exists or is written by an earlier `save`; every kernel is in the
  /// program. Loaded data sets stay for the runs. Throws DataError,
  /// RunError.
  void prepare(const ExperimentSpec &experiment, const std::string &outDir,
               const std::string &weightsDir = "");

  /// Runs every run of `experiment`, rewriting results.json, results.csv
  /// and report.html in `outDir` after each finished run (short runs in
  /// quick succession: at most a tenth of the time goes to rewriting, see
  /// ThrottledWriter) and at the end. With --resume the
  /// runs already in outDir/results.json are not run again. With
  /// `weightsDir` non-empty every trained network is saved there as
  /// <run>.safetensors. Throws DataError, InitError, RunError.
  ExperimentRecord run(const ExperimentSpec &experiment,
                       const std::string &outDir,
                       const std::string &weightsDir = "");

  /// A network's weights and what training must leave alone.
  struct Slot {
    int64_t network = -1;
    AlignedBuffer params;
    /// [offset, size) ranges restored after every train step (freeze).
    std::vector<std::pair<int64_t, int64_t>> frozen;
    /// compose: where each part slot's weights sit, to write them back
    /// after training (a composed network shares its parts' weights, as
    /// in Keras).
    std::vector<std::pair<int64_t, int64_t>> parts; // (slot, offset)
  };

private:
  struct RunState;
  struct Training;
  /// run() under mpirun (Ranks.cpp): rank 0 hands the runs out to every rank
  /// including itself and writes the results; the others train what it
  /// sends. Returns the experiment's record on rank 0, an empty one on the
  /// others.
  ExperimentRecord runOverRanks(const ExperimentSpec &experiment,
                                const std::string &outDir,
                                const std::string &weightsDir);
  /// Run `index` of `experiment` after the shared runs before it that this
  /// rank has not run yet (same seeds, same weights), which are appended to
  /// `sharedRan` with their indices.
  RunRecord
  runAfterShared(const ExperimentSpec &experiment, size_t index,
                 const std::string &outDir, const std::string &weightsDir,
                 std::vector<std::pair<size_t, RunRecord>> &sharedRan);
  RunRecord runOne(const ExperimentSpec &experiment, const RunSpec &run,
                   size_t index, const std::string &outDir,
                   const std::string &weightsDir);
  /// --save-weights: every network the run trained, as
  /// weightsDir/<name>[.slot<id>].safetensors.
  void saveTrainedWeights(RunState &state, const std::string &name,
                          const std::string &weightsDir);

  /// The step's handler (Steps.cpp, Training.cpp). Throws RunError for a
  /// step this runtime does not know.
  void runStep(RunState &state, const StepSpec &step);
  void newNetwork(RunState &state, const StepSpec &step);
  void copyNetwork(RunState &state, const StepSpec &step);
  void compose(RunState &state, const StepSpec &step);
  void freeze(RunState &state, const StepSpec &step);
  void save(RunState &state, const StepSpec &step);
  void load(RunState &state, const StepSpec &step);
  void train(RunState &state, const StepSpec &step);
  void evaluateStep(RunState &state, const StepSpec &step);
  void report(RunState &state, const StepSpec &step);

  /// Training (Training.cpp): false when the run diverged.
  bool fitClosedForm(RunState &state, Training &training);
  bool fitByGradient(RunState &state, Training &training);
  bool runEpoch(RunState &state, Training &training,
                const std::vector<int64_t> &order, int64_t epoch, Progress &bar,
                EpochRecord &record);
  /// Marks the run diverged at `step` (1-based) of `epoch`, with a warning
  /// naming `what` became NaN or Inf ("loss", "validation loss").
  void diverge(RunState &state, int64_t epoch, int64_t step, const char *what);
  const Dataset &dataset(int64_t index);
  /// The split a train or evaluate step reads, checked against the step's
  /// kernel (shapes always, labels once per split and kernel).
  const Split &fittingSplit(const StepSpec &step);
  void prepareRun(const ExperimentSpec &experiment, const RunSpec &run,
                  const std::string &outDir);
  const netc_kernel_entry &entry(int64_t kernelIndex) const;
  int64_t trainableParamsOf(const RunSpec &run) const;

  /// Slots of the shared runs of the current experiment.
  std::map<int64_t, Slot> sharedSlots;
  /// Under mpirun: the shared runs this rank has run (runAfterShared).
  std::set<size_t> sharedDone;

  const Plan &plan;
  const netc_kernel_entry *kernels;
  int64_t numKernels;
  const Options &options;
  FILE *progress;
  bool interactive;
  std::map<int64_t, Dataset> datasets;
  /// (data set, split, kernel) whose labels have been checked.
  std::set<std::tuple<int64_t, std::string, int64_t>> labelsChecked;
  /// Files `save` steps of the prepared experiments will write, in order.
  std::set<std::string> plannedSaves;
};

} // namespace netc::rt

#endif // NETC_RUNNER_H
