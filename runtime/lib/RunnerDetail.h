//===- RunnerDetail.h - What Runner.cpp and Preflight.cpp share -*- C++ -*-===//
//
// The runner and its start-up checks must agree on which records a step
// reads and which files it writes or loads, so both use these.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_RUNTIME_RUNNERDETAIL_H
#define NETC_RUNTIME_RUNNERDETAIL_H

#include "netc/Plan.h"
#include "netc/data/Dataset.h"

#include <string>
#include <vector>

namespace netc::rt::detail {

/// The split `name` ("train" or "test") of `data`. Throws RunError.
const Split &splitOf(const Dataset &data, const DatasetSpec &spec,
                     const std::string &name);

/// A split must fit the kernel's input and label shapes before any compiled
/// code touches it: a mismatch would otherwise read out of bounds. Throws
/// DataError.
void checkFits(const Split &split, const std::string &splitName,
               const DatasetSpec &spec, const NetworkSpec &net,
               const KernelSpec &kernel);

/// Labels must be what the kernel's loss reads: class indices, integers in
/// [0, outputs), for (sparse) categorical cross-entropy, and a data set's
/// classes must fit the outputs; targets in [0, 1] for binary
/// cross-entropy. The compiled loss indexes its outputs by the label, so a
/// bad one would read out of bounds. Throws DataError naming the record.
void checkLabels(const Dataset &data, const Split &split,
                 const DatasetSpec &spec, const NetworkSpec &net,
                 const KernelSpec &kernel);

/// The records a train step trains on and validates with: a
/// cross-validation fold's complement and fold, else all but the last
/// `validation_split` (the step's, else the data set's) and that fraction.
/// Throws DataError when the split cannot be cut so (too few records for
/// the folds, nothing left to train on).
void holdOut(const ExperimentSpec &experiment, const RunSpec &run,
             const StepSpec &step, const DatasetSpec &spec, const Split &split,
             std::vector<int64_t> &train, std::vector<int64_t> &validation);

/// Where `save ... to FILE` writes: a relative FILE lives under --out's
/// root (outRoot(), shared by all experiments), `outDir` here.
std::string savePath(const std::string &file, const std::string &outDir);

/// Where `load` looks for FILE, in order: under --out's root, under --data,
/// in the working directory (an absolute FILE only there).
std::vector<std::string> loadCandidates(const std::string &file,
                                        const std::string &outDir,
                                        const std::string &dataDir);

/// The first candidate that is a file, else where `save` would have put it.
std::string loadPath(const std::string &file, const std::string &outDir,
                     const std::string &dataDir);

bool isFile(const std::string &path);

} // namespace netc::rt::detail

#endif // NETC_RUNTIME_RUNNERDETAIL_H
