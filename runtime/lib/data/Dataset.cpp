//===- Dataset.cpp - Loader registry and generic data set options ---------===//

#include "netc/data/Dataset.h"

#include <cmath>
#include <mutex>

namespace netc {

int64_t Split::sampleSize() const {
  int64_t n = 1;
  for (int64_t d : sampleShape)
    n *= d;
  return n;
}

int64_t Split::labelSize() const {
  int64_t n = 1;
  for (int64_t d : labelShape)
    n *= d;
  return n;
}

void Split::truncate(int64_t n) {
  if (n < 0 || n >= count)
    return;
  count = n;
  x.resize(static_cast<size_t>(n * sampleSize()));
  y.resize(static_cast<size_t>(n * labelSize()));
}

namespace {

std::map<std::string, DatasetLoader> &registry() {
  static std::map<std::string, DatasetLoader> loaders = {
      {"mnist", loadMnist},     {"fashion_mnist", loadFashionMnist},
      {"cifar10", loadCifar10}, {"polynomial", loadPolynomial},
      {"stl10", loadStl10},     {"image_folder", loadImageFolder},
      {"csv", loadCsv},
  };
  return loaders;
}

std::mutex registryMutex;

} // namespace

void registerDatasetLoader(const std::string &kind, DatasetLoader loader) {
  std::lock_guard<std::mutex> lock(registryMutex);
  registry()[kind] = std::move(loader);
}

Dataset loadDataset(const DatasetSpec &spec, const std::string &dataDir) {
  DatasetLoader loader;
  {
    std::lock_guard<std::mutex> lock(registryMutex);
    auto it = registry().find(spec.kind);
    if (it == registry().end())
      throw DataError(spec.name,
                      "unsupported data set kind '" + spec.kind + "'");
    loader = it->second;
  }
  std::string dir;
  if (!spec.path.empty())
    dir = spec.path.front() == '/' || dataDir.empty() || dataDir == "."
              ? spec.path
              : dataDir + "/" + spec.path;
  Dataset data = loader(spec, dir);

  auto limit = spec.args.find("limit");
  if (limit != spec.args.end() && limit->second >= 0) {
    data.train.truncate(static_cast<int64_t>(limit->second));
    data.test.truncate(static_cast<int64_t>(limit->second));
  }
  auto scale = spec.args.find("scale");
  if (scale != spec.args.end() && scale->second != 1.0) {
    const float s = static_cast<float>(scale->second);
    for (float &v : data.train.x)
      v *= s;
    for (float &v : data.test.x)
      v *= s;
  }
  return data;
}

} // namespace netc
