//===- Preflight.cpp - What can fail is checked before the first step -----===//
//
// A study may train for hours. Whatever would stop it later and can be known
// at start-up is checked then: destinations that cannot be written, data
// that is missing or does not fit the networks, folds that cannot be cut,
// weights that no file or earlier save provides. The work a failure would
// lose is then none.
//
//===----------------------------------------------------------------------===//

#include "RunnerDetail.h"

#include "netc/DataParallel.h"
#include "netc/Runner.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

namespace fs = std::filesystem;

namespace netc::rt {

namespace detail {

namespace {

std::string numberText(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

bool readsClassIndices(const KernelSpec &kernel) {
  return (kernel.loss == "categorical_crossentropy" ||
          kernel.loss == "sparse_categorical_crossentropy") &&
         elementCount(kernel.labelShape) == 1;
}

} // namespace

void checkLabels(const Dataset &data, const Split &split,
                 const DatasetSpec &spec, const NetworkSpec &net,
                 const KernelSpec &kernel) {
  const int64_t outputs = elementCount(kernel.outputShape);
  const int64_t width = std::max<int64_t>(1, split.labelSize());
  if (readsClassIndices(kernel)) {
    if (data.numClasses > outputs)
      throw DataError(data.classesFrom.empty() ? spec.name : data.classesFrom,
                      std::to_string(data.numClasses) +
                          " classes do not fit the " + std::to_string(outputs) +
                          " outputs of network " + net.name +
                          " (every class needs an output)");
    for (size_t i = 0; i < split.y.size(); ++i) {
      const float v = split.y[i];
      if (!(v >= 0 && v < static_cast<float>(outputs) && v == std::floor(v)))
        throw DataError(split.where(static_cast<int64_t>(i)),
                        "label " + numberText(v) + " is not a class of " +
                            net.name + ", which has " +
                            std::to_string(outputs) +
                            " outputs (class labels are integers 0.." +
                            std::to_string(outputs - 1) + ")");
    }
  } else if (kernel.loss == "binary_crossentropy") {
    for (size_t i = 0; i < split.y.size(); ++i)
      if (!(split.y[i] >= 0 && split.y[i] <= 1))
        throw DataError(split.where(static_cast<int64_t>(i) / width),
                        "label " + numberText(split.y[i]) +
                            " is outside [0, 1], the range of "
                            "binary_crossentropy targets");
  }
}

} // namespace detail

using namespace detail;

namespace {

// Creates `dir` if needed and proves it writable by creating a file in it
// (permissions alone do not tell: read-only mounts, quotas, root).
void checkWritableDir(const std::string &dir, const std::string &what) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw DataError(dir, "cannot create the " + what + ": " + ec.message());
  if (!fs::is_directory(dir, ec))
    throw DataError(dir, "the " + what + " is not a directory");
  // Ranks on other hosts may check the same shared directory at once.
  char host[256] = "";
  ::gethostname(host, sizeof host - 1);
  const std::string probe =
      dir + "/.netc-write-test-" + host + "-" + std::to_string(::getpid());
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0)
    throw DataError(dir, "cannot write into the " + what + ": " +
                             std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
}

void checkWritableFile(const std::string &path, const std::string &what) {
  std::error_code ec;
  if (fs::is_directory(path, ec))
    throw DataError(path, "the " + what + " is a directory");
  const fs::path parent = fs::path(path).parent_path();
  checkWritableDir(parent.empty() ? "." : parent.string(),
                   "directory of the " + what);
}

std::string joined(const std::vector<std::string> &items) {
  std::string out;
  for (const std::string &item : items)
    out += (out.empty() ? "" : ", ") + item;
  return out;
}

} // namespace

void ExperimentRunner::prepare(const ExperimentSpec &experiment,
                               const std::string &outDir,
                               const std::string &weightsDir) {
  if (!outDir.empty())
    checkWritableDir(outDir, "results directory (--out)");
  if (!weightsDir.empty())
    checkWritableDir(weightsDir, "weights directory (--save-weights)");
  for (const RunSpec &run : experiment.runs)
    prepareRun(experiment, run, outDir);
}

// A train step's callbacks: a val_* monitor needs validation records, and
// save_best's file must be writable (and may be loaded later).
static void prepareCallbacks(const StepSpec &step, bool noValidation,
                             const std::string &root,
                             std::set<std::string> &plannedSaves) {
  for (const CallbackSpec &c : step.callbacks) {
    auto monitor = c.strArgs.find("monitor");
    if (noValidation && monitor != c.strArgs.end() &&
        monitor->second.rfind("val_", 0) == 0)
      throw RunError("callback " + c.name + " monitors '" + monitor->second +
                     "', but its training has no validation records");
    auto file = c.strArgs.find("file");
    if (c.name == "save_best" && file != c.strArgs.end()) {
      const std::string path = savePath(file->second, root);
      checkWritableFile(path, "save_best destination");
      plannedSaves.insert(path);
    }
  }
}

void ExperimentRunner::prepareRun(const ExperimentSpec &experiment,
                                  const RunSpec &run,
                                  const std::string &outDir) {
  for (const StepSpec &step : run.steps) {
    if (step.op == StepOp::Train || step.op == StepOp::Evaluate) {
      const netc_kernel_entry &fn = entry(step.kernel);
      const KernelSpec &kernel = plan.kernels[step.kernel];
      if (step.op == StepOp::Train ? !fn.train : !fn.eval)
        throw RunError("kernel '" + kernel.name + "' has no " +
                       (step.op == StepOp::Train ? "train" : "eval") +
                       " function");
      const Split &split = fittingSplit(step);
      if (step.op == StepOp::Train) {
        std::vector<int64_t> train, validation;
        holdOut(experiment, run, step, plan.datasets[step.dataset], split,
                train, validation);
        prepareCallbacks(step, validation.empty(), outRoot(options),
                         plannedSaves);
        try {
          dp::checkShards(options, options.batchSize.value_or(step.batchSize));
        } catch (const std::invalid_argument &e) {
          throw RunError(e.what());
        }
      }
    } else if (step.op == StepOp::Save) {
      const std::string path = savePath(step.file, outRoot(options));
      checkWritableFile(path, "save destination");
      plannedSaves.insert(path);
    } else if (step.op == StepOp::Load) {
      const auto candidates =
          loadCandidates(step.file, outRoot(options), options.dataDir);
      bool found = false;
      for (const std::string &path : candidates)
        found |= isFile(path) || plannedSaves.count(path) > 0;
      if (!found)
        throw DataError(step.file, "no such file to load (looked for " +
                                       joined(candidates) +
                                       "; no earlier save writes it)");
    }
  }
}

} // namespace netc::rt
