//===- Mnist.cpp - MNIST and Fashion-MNIST (IDX) --------------------------===//

#include "netc/data/Dataset.h"
#include "netc/data/Idx.h"

#include <sys/stat.h>

namespace netc::rt {

namespace {

const char *kFashionMnistDefault = "/usr/share/datasets/fashion-mnist";

bool exists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// The official names end in .gz; users often gunzip them. Prefer what exists.
std::string findIdx(const std::string &dir, const std::string &base) {
  const std::string stem = (dir.empty() ? std::string(".") : dir) + "/" + base;
  if (exists(stem + ".gz") || !exists(stem))
    return stem + ".gz";
  return stem;
}

int64_t limitOf(const DatasetSpec &spec) {
  auto it = spec.args.find("limit");
  return it == spec.args.end() || it->second < 0
             ? -1
             : static_cast<int64_t>(it->second);
}

Split readSplit(const std::string &dir, const std::string &prefix,
                int64_t limit) {
  const std::string imagesPath = findIdx(dir, prefix + "-images-idx3-ubyte");
  const std::string labelsPath = findIdx(dir, prefix + "-labels-idx1-ubyte");
  IdxArray images = readIdx(imagesPath, 3, limit);
  IdxArray labels = readIdx(labelsPath, 1, limit);
  if (images.dims[0] != labels.dims[0])
    throw DataError(labelsPath, std::to_string(labels.dims[0]) +
                                    " labels but " +
                                    std::to_string(images.dims[0]) +
                                    " images in " + imagesPath);
  Split split;
  split.count = images.dims[0];
  split.sampleShape = {images.dims[1], images.dims[2], 1};
  split.labelShape = {1};
  split.sources.push_back({0, labelsPath, {}});
  split.x.assign(images.data.begin(), images.data.end());
  split.y.resize(labels.data.size());
  for (size_t i = 0; i < labels.data.size(); ++i) {
    if (labels.data[i] > 9)
      throw DataError(labelsPath, "label " + std::to_string(labels.data[i]) +
                                      " of record " + std::to_string(i) +
                                      " is out of range 0..9");
    split.y[i] = static_cast<float>(labels.data[i]);
  }
  return split;
}

} // namespace

Dataset loadMnistLike(const std::string &dir, const std::string &prefixTrain,
                      const std::string &prefixTest, int64_t limit) {
  Dataset data;
  data.train = readSplit(dir, prefixTrain, limit);
  data.test = readSplit(dir, prefixTest, limit);
  data.numClasses = 10;
  data.classesFrom = data.train.sources.front().file;
  return data;
}

Dataset loadMnist(const DatasetSpec &spec, const std::string &dir) {
  return loadMnistLike(dir, "train", "t10k", limitOf(spec));
}

Dataset loadFashionMnist(const DatasetSpec &spec, const std::string &dir) {
  return loadMnistLike(spec.path.empty() ? kFashionMnistDefault : dir, "train",
                       "t10k", limitOf(spec));
}

} // namespace netc::rt
