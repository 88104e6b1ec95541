//===- Driver.cpp - runProgram: options, plan, experiments, results -------===//

#include "netc/Driver.h"

#include "netc/Aggregate.h"
#include "netc/CrossValidation.h"
#include "netc/DataParallel.h"
#include "netc/Initializers.h"
#include "netc/Memory.h"
#include "netc/Mpi.h"
#include "netc/Plan.h"
#include "netc/Profile.h"
#include "netc/Progress.h"
#include "netc/Ranks.h"
#include "netc/Runner.h"
#include "netc/Tools.h"

#include <cstdio>
#include <exception>

namespace netc::rt {

namespace {

// Under mpirun rank 0 alone prints the tables, and the errors that every
// rank meets alike (usage, AgreedFailure: netc/Ranks.h).
bool speaks() { return mpi::world().rank == 0; }

/// Prints `message` as this rank's error: rank 0's plainly, another rank's
/// as "error: rank N: ..." (an error only it met, say a file missing on its
/// host, which rank 0 cannot tell; with --data-parallel an error all ranks
/// meet is printed by each).
int fail(const std::string &message) {
  if (speaks())
    std::fprintf(stderr, "error: %s\n", message.c_str());
  else
    std::fprintf(stderr, "error: rank %d: %s\n", mpi::world().rank,
                 message.c_str());
  return 1;
}

/// fail(), and under mpirun, unless every rank knows of the failure
/// (failureAgreed), the end of the job: the other ranks may be waiting for
/// this one in a collective, and would wait forever.
int failAlone(const std::string &message) {
  fail(message);
  if (mpi::distributed() && !failureAgreed()) {
    std::fflush(stderr);
    mpi::abortAll(1);
  }
  return 1;
}

/// The experiments --experiment names, in order, else all of them; a name
/// the program lacks is an error (exit 2) listing the names it has.
bool chooseExperiments(const Plan &plan, const Options &options,
                       std::vector<const ExperimentSpec *> &chosen) {
  if (options.experiments.empty()) {
    for (const ExperimentSpec &e : plan.experiments)
      chosen.push_back(&e);
    return true;
  }
  for (const std::string &name : options.experiments) {
    const ExperimentSpec *found = nullptr;
    for (const ExperimentSpec &e : plan.experiments)
      if (e.name == name)
        found = &e;
    if (!found) {
      std::string names;
      for (const ExperimentSpec &e : plan.experiments)
        names += (names.empty() ? "" : ", ") + e.name;
      if (speaks())
        std::fprintf(stderr, "error: no experiment '%s' (available: %s)\n",
                     name.c_str(), names.c_str());
      return false;
    }
    chosen.push_back(found);
  }
  return true;
}

/// --gradcheck, --bench-steps, --dump-steps, --check-steps: the tool's exit
/// code, or -1 when none was asked for.
int runTool(const Plan &plan, const netc_kernel_entry *kernels,
            int64_t numKernels, const Options &options) {
  if (options.gradCheck)
    return runGradCheck(plan, kernels, numKernels, options);
  if (options.benchSteps > 0)
    return runBench(plan, kernels, numKernels, options);
  if (!options.dumpStepsDir.empty())
    return runDumpSteps(plan, kernels, numKernels, options);
  if (!options.checkStepsDir.empty())
    return runCheckSteps(plan, kernels, numKernels, options);
  return -1;
}

/// Prepares every chosen experiment (everything that can fail before the
/// first step fails now), then runs them in order, printing each one's
/// table. 0, or kExitDiverged when a run diverged.
int runExperiments(const Plan &plan, const netc_kernel_entry *kernels,
                   int64_t numKernels, const Options &options,
                   const std::vector<const ExperimentSpec *> &chosen) {
  // Under mpirun each rank's lines say whose they are; with --data-parallel
  // every rank trains the same runs and rank 0 alone prints and writes
  // (netc/DataParallel.h).
  const bool dpFollower = dp::follower(options);
  dp::markFollower(dpFollower);
  FILE *progress = dpFollower ? dp::nullSink() : rankProgressStream(stderr);
  ExperimentRunner runner(plan, kernels, numKernels, options, progress,
                          Progress::isTerminal(stderr) && !mpi::distributed());
  // One layout whatever the number of experiments (spec §5): each writes
  // into ROOT/EXPERIMENT/ (--out, default ./netc-out), and its weights into
  // --save-weights DIR/EXPERIMENT/.
  auto outDir = [&](const ExperimentSpec *experiment) {
    return outRoot(options) + "/" + experiment->name;
  };
  auto weightsDir = [&](const ExperimentSpec *experiment) {
    return options.saveWeightsDir.empty()
               ? options.saveWeightsDir
               : options.saveWeightsDir + "/" + experiment->name;
  };
  agreeOnPreflight([&] {
    for (const ExperimentSpec *experiment : chosen)
      runner.prepare(*experiment, outDir(experiment), weightsDir(experiment));
  });
  bool diverged = false;
  for (const ExperimentSpec *experiment : chosen) {
    // The runner rewrites the results files after every finished run.
    ExperimentRecord record =
        runner.run(*experiment, outDir(experiment), weightsDir(experiment));
    const std::string warning = divergenceSummary(record);
    diverged |= !warning.empty();
    if (!speaks()) // rank 0 prints the tables
      continue;
    std::printf("Experiment %s\n%s\n", experiment->name.c_str(),
                resultsTable(record).c_str());
    if (!record.selection.is_null())
      std::printf("%s\n", selectionTable(record.selection).c_str());
    const std::string overSeeds = summaryText(record);
    if (!overSeeds.empty())
      std::printf("%s\n", overSeeds.c_str());
    std::fflush(stdout);
    if (!warning.empty())
      std::fprintf(stderr, "warning: %s\n", warning.c_str());
  }
  return diverged ? kExitDiverged : 0;
}

} // namespace

int runProgram(const char *planJson, const netc_kernel_entry *kernels,
               int64_t numKernels, int argc, char **argv) {
  const char *program = argc > 0 ? argv[0] : "program";
  Options options;
  std::string error;
  if (!parseOptions(argc, argv, options, error)) {
    if (speaks())
      std::fprintf(stderr, "error: %s\n%s", error.c_str(),
                   usage(program).c_str());
    return 2;
  }
  if (options.help) {
    std::fputs(usage(program).c_str(), stdout);
    return 0;
  }
  try {
    const Plan plan = parsePlan(planJson ? planJson : "");
    const int tool = runTool(plan, kernels, numKernels, options);
    if (tool >= 0)
      return tool;
    std::vector<const ExperimentSpec *> chosen;
    if (!chooseExperiments(plan, options, chosen))
      return 2;
    if (chosen.empty())
      return speaks() ? fail("the program has no experiments") : 1;
    // Before the first large allocation: will every step fit?
    agreeOnPreflight([&] {
      checkMemory(plan, chosen, options, memoryLimit(options));
      // A GPU asked for more managed memory than it has can hang.
      if (memory::Limit device; deviceMemoryLimit(device))
        checkMemory(plan, chosen, options, device);
    });
    if (options.profile)
      profile::start();
    const int status =
        runExperiments(plan, kernels, numKernels, options, chosen);
    if (options.profile)
      std::fputs(profile::formatTable(profile::stop()).c_str(), stderr);
    return status;
  } catch (const AgreedFailure &e) {
    // Every rank failed alike: rank 0 says why.
    return speaks() ? fail(e.what()) : 1;
  } catch (const std::bad_alloc &e) {
    // The estimate above should have said so; what it missed is named here.
    const std::string what = e.what();
    return failAlone(
        "out of memory: " +
        (what == "std::bad_alloc" ? "an allocation failed" : what) +
        "; a smaller batch_size or network may fit");
  } catch (const std::exception &e) {
    // DataError ("FILE: problem"), PlanError, InitError, RunError, I/O.
    return failAlone(e.what());
  }
}

} // namespace netc::rt
