//===- Dataset.h - In-memory data sets and their loaders -------*- C++ -*-===//
//
// Every data set kind (mnist, fashion_mnist, cifar10, stl10, image_folder,
// csv, polynomial) is a loader function registered by kind name. A
// loader returns both splits fully in memory as floats, samples row-major in
// the network's input layout (NHWC for images), labels as floats (a class
// index, or the regression target). Generic options (`scale`, `limit`) are
// applied here once, after the loader, so loaders stay small.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_DATA_DATASET_H
#define NETC_DATA_DATASET_H

#include "netc/Plan.h"

#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace netc::rt {

/// Any malformed or missing input. The message is "FILE: problem" so the
/// driver can print `error: FILE: problem`.
struct DataError : std::runtime_error {
  DataError(const std::string &file, const std::string &problem)
      : std::runtime_error(file + ": " + problem) {}
};

/// One split: `count` samples of `sampleShape`, `count` labels of
/// `labelShape`.
struct Split {
  int64_t count = 0;
  std::vector<int64_t> sampleShape;
  std::vector<int64_t> labelShape;
  std::vector<float> x;
  std::vector<float> y;

  /// Where records come from, so that a message about a bad record names
  /// its file: records from `first` up to the next source's `first` are in
  /// `file`, record i on line `lines[i - first]` (CSV) or, without lines,
  /// record i - first of the file; a `single` file is one record (an image).
  struct Source {
    int64_t first = 0;
    std::string file;
    std::vector<int64_t> lines;
    bool single = false;
  };
  std::vector<Source> sources;
  /// Why a split has no records, when a loader knows ("there is no
  /// NAME_test.csv"), for the error when a step reads it.
  std::string emptyBecause;

  int64_t sampleSize() const;
  int64_t labelSize() const;
  /// Keeps only the first `n` records (no-op when n >= count).
  void truncate(int64_t n);
  /// Records from `count` on come from `file` (CSV: on these lines).
  void addSource(std::string file, std::vector<int64_t> lines = {});
  /// "FILE:LINE", "FILE, record N" or "FILE" for a message about `record`.
  std::string where(int64_t record) const;
};

struct Dataset {
  Split train;
  Split test;
  /// Number of classes for classification data, 0 for regression or
  /// numeric labels whose classes the data set does not fix (CSV).
  int64_t numClasses = 0;
  /// What fixes the classes (a labels file, a folder of class folders), for
  /// messages.
  std::string classesFrom;
};

/// DatasetSpec, a data set declaration as the plan gives it, is in
/// netc/Plan.h.
/// `dir` is the spec's path already resolved against --data.
using DatasetLoader =
    std::function<Dataset(const DatasetSpec &spec, const std::string &dir)>;

/// Registers a loader under `kind` (replaces an earlier one).
void registerDatasetLoader(const std::string &kind, DatasetLoader loader);

/// Loads `spec`: resolves its path against `dataDir`, runs the kind's loader,
/// then applies `scale` (multiplies inputs) and `limit` (first N records per
/// split), and checks that every feature and label is finite (NaN or Inf is
/// an error naming the record's file and line or index). Throws DataError.
Dataset loadDataset(const DatasetSpec &spec, const std::string &dataDir);

// Built-in loaders (registered by default; callable directly).
Dataset loadMnistLike(const std::string &dir, const std::string &prefixTrain,
                      const std::string &prefixTest, int64_t limit = -1);
Dataset loadMnist(const DatasetSpec &spec, const std::string &dir);
Dataset loadFashionMnist(const DatasetSpec &spec, const std::string &dir);
Dataset loadCifar10(const DatasetSpec &spec, const std::string &dir);
Dataset loadPolynomial(const DatasetSpec &spec, const std::string &dir);
Dataset loadStl10(const DatasetSpec &spec, const std::string &dir);
Dataset loadImageFolder(const DatasetSpec &spec, const std::string &dir);
Dataset loadCsv(const DatasetSpec &spec, const std::string &path);
/// DIR/train/<class>/* and DIR/test/<class>/* resized to height x width; the
/// first `limit` records (-1: all) of a fixed shuffled order.
Dataset loadImageFolderTree(const std::string &dir, int64_t height,
                            int64_t width, int64_t limit = -1);

} // namespace netc::rt

#endif // NETC_DATA_DATASET_H
