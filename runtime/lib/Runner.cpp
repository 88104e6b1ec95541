//===- Runner.cpp - Executing an experiment's runs ------------------------===//

#include "netc/Runner.h"

#include "RunState.h"
#include "RunnerDetail.h"

#include "netc/LeastSquares.h"

#include "netc/AlignedBuffer.h"
#include "netc/CrossValidation.h"
#include "netc/Mpi.h"
#include "netc/Profile.h"
#include "netc/Progress.h"
#include "netc/Random.h"
#include "netc/Resume.h"
#include "netc/Safetensors.h"
#include "netc/Stability.h"
#include "netc/data/Prefetcher.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <optional>

using nlohmann::json;

namespace netc::rt {

namespace {

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// A file name for a run's weights: its loop values (and fold), with
// anything but [A-Za-z0-9._,=+-] replaced so it is safe in a path.
std::string runFileName(const RunSpec &run, size_t index) {
  std::string name;
  for (auto &[key, value] : run.params.items())
    name += (name.empty() ? "" : ",") + key + "=" +
            (value.is_string() ? value.get<std::string>() : value.dump());
  if (run.fold >= 0)
    name += (name.empty() ? "" : ",") + std::string("fold=") +
            std::to_string(run.fold);
  if (run.repetition >= 0) // repeated over seeds: one file per seed
    name += (name.empty() ? "" : ",") + std::string("seed=") +
            std::to_string(run.seed);
  if (run.shared)
    name = "shared" + std::to_string(index) + (name.empty() ? "" : "," + name);
  if (name.empty())
    name = "run" + std::to_string(index);
  for (char &c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        std::string("._,=+-").find(c) == std::string::npos)
      c = '_';
  return name;
}

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}

} // namespace

namespace detail {

const Split &splitOf(const Dataset &data, const DatasetSpec &spec,
                     const std::string &name) {
  if (name == "train")
    return data.train;
  if (name == "test")
    return data.test;
  throw RunError("data set '" + spec.name + "' has no split '" + name +
                 "' (train, test)");
}

void checkFits(const Split &split, const std::string &splitName,
               const DatasetSpec &spec, const NetworkSpec &net,
               const KernelSpec &kernel) {
  if (split.count == 0)
    throw DataError(spec.name, "the " + splitName + " split is empty" +
                                   (split.emptyBecause.empty()
                                        ? std::string()
                                        : ": " + split.emptyBecause));
  if (split.sampleSize() != elementCount(net.inputShape))
    throw DataError(spec.name,
                    "samples of shape " + shapeText(split.sampleShape) +
                        " do not fit the input " + shapeText(net.inputShape) +
                        " of " + net.name);
  if (split.labelSize() != elementCount(kernel.labelShape))
    throw DataError(spec.name, "labels of shape " +
                                   shapeText(split.labelShape) +
                                   " do not fit the kernel's labels " +
                                   shapeText(kernel.labelShape));
}

void holdOut(const ExperimentSpec &experiment, const RunSpec &run,
             const StepSpec &step, const DatasetSpec &spec, const Split &split,
             std::vector<int64_t> &train, std::vector<int64_t> &validation) {
  train.clear();
  validation.clear();
  if (run.fold >= 0 && experiment.select.is_object()) {
    const int64_t folds = experiment.select.value("folds", int64_t(5));
    const uint64_t seed = experiment.select.value("seed", uint64_t(0));
    if (folds > split.count)
      throw DataError(spec.name, "cannot cut " + std::to_string(split.count) +
                                     " records into " + std::to_string(folds) +
                                     " folds (experiment " + experiment.name +
                                     ")");
    foldSplit(split.count, folds, seed, run.fold, train, validation);
    return;
  }
  double fraction = step.validationSplit;
  auto it = spec.args.find("validation_split");
  if (fraction <= 0 && it != spec.args.end())
    fraction = it->second;
  const int64_t keep =
      fraction > 0 ? static_cast<int64_t>(split.count * (1.0 - fraction))
                   : split.count;
  if (keep < 1)
    throw DataError(spec.name, "validation_split leaves no training records "
                               "of " +
                                   std::to_string(split.count));
  for (int64_t i = 0; i < split.count; ++i)
    (i < keep ? train : validation).push_back(i);
}

std::string savePath(const std::string &file, const std::string &outDir) {
  if (file.front() == '/' || outDir.empty())
    return file;
  return outDir + "/" + file;
}

std::vector<std::string> loadCandidates(const std::string &file,
                                        const std::string &outDir,
                                        const std::string &dataDir) {
  if (file.front() == '/')
    return {file};
  std::vector<std::string> out;
  for (const std::string &dir : {outDir, dataDir})
    if (!dir.empty())
      out.push_back(dir + "/" + file);
  out.push_back(file);
  return out;
}

std::string loadPath(const std::string &file, const std::string &outDir,
                     const std::string &dataDir) {
  for (const std::string &path : loadCandidates(file, outDir, dataDir))
    if (isFile(path))
      return path;
  return savePath(file, outDir);
}

bool isFile(const std::string &path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

} // namespace detail

using namespace detail;

uint64_t defaultSeed(const std::string &experiment, const json &params,
                     int64_t fold) {
  // nlohmann::json objects keep keys sorted, so dump() is canonical.
  const std::string text =
      experiment + '\0' + params.dump() + '\0' + std::to_string(fold);
  const uint64_t h = fnv1a64(text.data(), text.size());
  return (h ^ (h >> 32)) & 0xffffffffULL;
}

uint64_t runSeed(const std::string &experiment, const RunSpec &run,
                 const std::optional<uint64_t> &override) {
  if (override)
    return *override;
  if (run.seed >= 0)
    return static_cast<uint64_t>(run.seed);
  return defaultSeed(experiment, run.params, run.fold);
}

bool skippedRepetition(const RunSpec &run,
                       const std::optional<uint64_t> &override) {
  return override && run.repetition > 0;
}

ExperimentRunner::ExperimentRunner(const Plan &plan,
                                   const netc_kernel_entry *kernels,
                                   int64_t numKernels, const Options &options,
                                   FILE *progress, bool interactive)
    : plan(plan), kernels(kernels), numKernels(numKernels), options(options),
      progress(progress), interactive(interactive) {}

const Dataset &ExperimentRunner::dataset(int64_t index) {
  auto it = datasets.find(index);
  if (it != datasets.end())
    return it->second;
  DatasetSpec spec = plan.datasets[index];
  if (options.limit)
    spec.args["limit"] = static_cast<double>(*options.limit);
  const profile::Scope timed(profile::Family::data_read);
  return datasets.emplace(index, loadDataset(spec, options.dataDir))
      .first->second;
}

const Split &ExperimentRunner::fittingSplit(const StepSpec &step) {
  const KernelSpec &kernel = plan.kernels[step.kernel];
  const NetworkSpec &net = plan.networks[kernel.network];
  const DatasetSpec &spec = plan.datasets[step.dataset];
  const Dataset &data = dataset(step.dataset);
  const Split &split = splitOf(data, spec, step.split);
  checkFits(split, step.split, spec, net, kernel);
  // Labels are scanned once per split and kernel, not at every step.
  if (labelsChecked.insert({step.dataset, step.split, step.kernel}).second) {
    try {
      checkLabels(data, split, spec, net, kernel);
    } catch (...) {
      labelsChecked.erase({step.dataset, step.split, step.kernel});
      throw;
    }
  }
  return split;
}

const netc_kernel_entry &ExperimentRunner::entry(int64_t kernelIndex) const {
  const KernelSpec &spec = plan.kernels[kernelIndex];
  // The plan's index normally names the table row; fall back to the name so a
  // reordered table still works, and refuse a plan/table mismatch.
  if (spec.index >= 0 && spec.index < numKernels && kernels[spec.index].name &&
      spec.name == kernels[spec.index].name)
    return kernels[spec.index];
  for (int64_t i = 0; i < numKernels; ++i)
    if (kernels[i].name && spec.name == kernels[i].name)
      return kernels[i];
  throw RunError("kernel '" + spec.name +
                 "' of the plan is missing from the program's kernel table");
}

namespace detail {

bool ThrottledWriter::due() const {
  return !written || lastCost <= std::chrono::milliseconds(50) ||
         std::chrono::steady_clock::now() - lastEnd >= 10 * lastCost;
}

void ThrottledWriter::afterRun(const ExperimentRecord &record,
                               const std::string &dir) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point now = Clock::now();
  if (!due())
    return;
  writeResults(record, dir);
  lastEnd = Clock::now();
  lastCost = lastEnd - now;
  written = true;
}

void selectAndWrite(const ExperimentSpec &experiment, ExperimentRecord &record,
                    const std::vector<int64_t> &trainable,
                    const std::string &outDir) {
  if (experiment.select.is_object()) {
    try {
      selectAll(experiment.select, record, trainable);
    } catch (const std::runtime_error &e) {
      throw RunError("experiment " + experiment.name + ": " + e.what());
    }
  }
  if (!outDir.empty())
    writeResults(record, outDir);
}

} // namespace detail

ExperimentRecord ExperimentRunner::run(const ExperimentSpec &experiment,
                                       const std::string &outDir,
                                       const std::string &weightsDir) {
  // Under mpirun the ranks share out the runs (Ranks.cpp); with
  // --data-parallel every rank takes part in every run instead.
  if (mpi::distributed() && !options.dataParallel)
    return runOverRanks(experiment, outDir, weightsDir);
  ExperimentRecord record;
  record.name = experiment.name;
  sharedSlots.clear();
  std::vector<RunRecord> finished;
  if (options.resume && !outDir.empty()) {
    finished = readFinishedRuns(outDir + "/results.json", experiment.name);
    // --data-parallel: every rank reads the file before rank 0 rewrites it,
    // so that all skip the same runs.
    if (options.dataParallel)
      mpi::barrier();
  }
  std::vector<int64_t> trainable;
  // Shared runs only matter to the runs after them: on --resume they run
  // (again: same seed, same weights) just before the first run that must.
  std::vector<size_t> pendingShared;
  ThrottledWriter writer;
  for (size_t i = 0; i < experiment.runs.size(); ++i) {
    const RunSpec &run = experiment.runs[i];
    if (skippedRepetition(run, options.seed))
      continue;
    if (run.shared) {
      pendingShared.push_back(i);
      continue;
    }
    const uint64_t seed = runSeed(experiment.name, run, options.seed);
    auto done =
        std::find_if(finished.begin(), finished.end(), [&](const RunRecord &r) {
          return sameRun(r, run.params, run.fold, seed);
        });
    if (done != finished.end()) {
      RunRecord reused = *done;
      reused.params = run.params;
      record.runs.push_back(std::move(reused));
      std::fprintf(progress, "Run %s: finished earlier, skipped (--resume)\n",
                   runLabel(record.runs.back()).c_str());
    } else {
      for (size_t s : pendingShared)
        record.sharedRuns.push_back(
            runOne(experiment, experiment.runs[s], s, outDir, weightsDir));
      pendingShared.clear();
      record.runs.push_back(runOne(experiment, run, i, outDir, weightsDir));
    }
    trainable.push_back(trainableParamsOf(run));
    if (!outDir.empty())
      writer.afterRun(record, outDir);
  }
  for (size_t s : pendingShared) // shared runs with no run after them
    record.sharedRuns.push_back(
        runOne(experiment, experiment.runs[s], s, outDir, weightsDir));
  selectAndWrite(experiment, record, trainable, outDir);
  sharedSlots.clear();
  return record;
}

int64_t ExperimentRunner::trainableParamsOf(const RunSpec &run) const {
  // The network the run trains last is the candidate being compared.
  int64_t params = 0;
  for (const StepSpec &step : run.steps) {
    if (step.op == StepOp::Train)
      params = plan.networks[plan.kernels[step.kernel].network].trainableParams;
    else if (step.op == StepOp::New && params == 0)
      params = plan.networks[step.network].trainableParams;
  }
  return params;
}

RunRecord ExperimentRunner::runOne(const ExperimentSpec &experiment,
                                   const RunSpec &run, size_t index,
                                   const std::string &outDir,
                                   const std::string &weightsDir) {
  const auto start = std::chrono::steady_clock::now();
  const uint64_t seed = runSeed(experiment.name, run, options.seed);
  // One generator per run drives, in step order, initial weights, shuffles
  // and dropout seeds: the seed alone fixes the run.
  RunState st(experiment, run, outDir, seed, sharedSlots, plan);
  RunRecord &record = st.record;
  record.params = run.params;
  record.fold = run.fold;
  record.seed = seed;
  record.rank = mpi::world().rank;
  for (const StepSpec &step : run.steps) {
    // A diverged run stops; its report still names its loop values.
    if (!record.diverged() || step.op == StepOp::Report)
      runStep(st, step);
  }
  // Without a report, the last evaluation is still the run's test result.
  if (!record.hasTest && st.lastEval) {
    record.hasTest = true;
    record.testLoss = st.lastEval->loss;
    record.testMetric = st.lastEval->metric;
    record.testMore = st.lastEval->more;
    record.cells.emplace_back("test_loss", st.lastEval->loss);
    record.cells.emplace_back("test_" + record.metricName, st.lastEval->metric);
    for (size_t j = 0; j < record.testMore.size(); ++j)
      record.cells.emplace_back("test_" + record.moreMetricNames.at(j),
                                record.testMore[j]);
  }
  if (!weightsDir.empty() && !st.trained.empty() && !record.diverged())
    saveTrainedWeights(st, runFileName(run, index), weightsDir);
  if (run.shared)
    for (auto &[id, slot] : st.slots)
      sharedSlots[id] = std::move(slot);
  record.seconds = seconds(start);
  return record;
}

void ExperimentRunner::saveTrainedWeights(RunState &st, const std::string &name,
                                          const std::string &weightsDir) {
  std::error_code ec;
  std::filesystem::create_directories(weightsDir, ec);
  if (ec)
    throw std::runtime_error(weightsDir + ": " + ec.message());
  // The network trained last is the run's; any other gets its slot number.
  for (int64_t id : st.trained) {
    const Slot &slot = st.read(id);
    const std::string file =
        weightsDir + "/" + name +
        (id == st.trained.back() ? "" : ".slot" + std::to_string(id)) +
        ".safetensors";
    saveSafetensors(file, plan.networks[slot.network], slot.params.get(),
                    {{"format", "pt"},
                     {"network", plan.networks[slot.network].instance},
                     {"seed", std::to_string(st.record.seed)}});
  }
}

} // namespace netc::rt
