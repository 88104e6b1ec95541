//===- Dataset.cpp - Loader registry and generic data set options ---------===//

#include "netc/data/Dataset.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mutex>

namespace netc::rt {

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

void Split::addSource(std::string file, std::vector<int64_t> lines) {
  sources.push_back({count, std::move(file), std::move(lines)});
}

std::string Split::where(int64_t record) const {
  auto it =
      std::upper_bound(sources.begin(), sources.end(), record,
                       [](int64_t r, const Source &s) { return r < s.first; });
  if (it == sources.begin())
    return "record " + std::to_string(record);
  const Source &s = *(it - 1);
  const int64_t local = record - s.first;
  if (s.single)
    return s.file;
  if (local < static_cast<int64_t>(s.lines.size()))
    return s.file + ":" + std::to_string(s.lines[local]);
  return s.file + ", record " + std::to_string(local);
}

namespace {

// NaN or Inf in a feature or label would silently turn the loss into NaN;
// one pass over the split names the first bad record instead.
void checkFinite(const Split &split) {
  auto firstBad = [](const std::vector<float> &v) {
    return std::find_if(v.begin(), v.end(),
                        [](float f) { return !std::isfinite(f); }) -
           v.begin();
  };
  const int64_t sample = std::max<int64_t>(1, split.sampleSize());
  const int64_t label = std::max<int64_t>(1, split.labelSize());
  const int64_t x = firstBad(split.x), y = firstBad(split.y);
  auto text = [](float f) {
    return std::string(std::isnan(f) ? "NaN" : "Inf");
  };
  if (x < static_cast<int64_t>(split.x.size()))
    throw DataError(split.where(x / sample),
                    "feature " + std::to_string(x % sample) + " is " +
                        text(split.x[x]) + " (features must be finite)");
  if (y < static_cast<int64_t>(split.y.size()))
    throw DataError(split.where(y / label), "label is " + text(split.y[y]) +
                                                " (labels must be finite)");
}

// Multiplies the features by `scale`; a product that overflows is the
// scale's fault, not the file's.
void applyScale(Split &split, double scale, const std::string &name) {
  const float s = static_cast<float>(scale);
  bool finite = std::isfinite(s);
  for (float &v : split.x) {
    v *= s;
    finite &= std::isfinite(v);
  }
  if (!finite) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", scale);
    throw DataError(name, std::string("scale ") + text +
                              " makes features infinite or NaN");
  }
}

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

static Dataset finishLoad(const DatasetSpec &spec, Dataset data);

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
  auto underData = [&](const std::string &path) {
    return path.front() == '/' || dataDir.empty() || dataDir == "."
               ? path
               : dataDir + "/" + path;
  };
  std::string dir;
  if (!spec.path.empty())
    dir = underData(spec.path);
  // csv(train: ..., test: "b.csv"): the test file is relative to --data too.
  auto test = spec.str_args.find("test");
  if (test == spec.str_args.end() || test->second.empty())
    return finishLoad(spec, loader(spec, dir));
  DatasetSpec resolved = spec;
  resolved.str_args["test"] = underData(test->second);
  return finishLoad(spec, loader(resolved, dir));
}

/// --set limit / limit:, split names, finiteness and scale, for every kind.
static Dataset finishLoad(const DatasetSpec &spec, Dataset data) {
  auto limit = spec.args.find("limit");
  if (limit != spec.args.end() && limit->second >= 0) {
    data.train.truncate(static_cast<int64_t>(limit->second));
    data.test.truncate(static_cast<int64_t>(limit->second));
  }
  // A generated or custom split without files is named by its data set.
  for (auto [split, name] :
       {std::pair{&data.train, ".train"}, std::pair{&data.test, ".test"}}) {
    if (split->sources.empty())
      split->sources.push_back({0, spec.name + name, {}});
    checkFinite(*split);
  }
  auto scale = spec.args.find("scale");
  if (scale != spec.args.end() && scale->second != 1.0)
    for (Split *split : {&data.train, &data.test})
      applyScale(*split, scale->second, spec.name);
  return data;
}

} // namespace netc::rt
