//===- ImageFolder.cpp - Class-per-folder JPEG/PNG trees ------------------===//
//
// DIR/train/<class>/<file> and DIR/test/<class>/<file>; classes are the
// train/ subfolders in sorted order (label = position), so CIFAR-10's
// alphabetical folders get the official label numbers. Every image is
// resized (bilinear) to the network input.
//
// The files are put in one deterministic shuffled order (our Rng, fixed
// seed) before `limit` and `validation_split` apply: in folder order the
// first N records, or the last fraction held out, would be a single class.
//
//===----------------------------------------------------------------------===//

#include "netc/Random.h"
#include "netc/data/Dataset.h"
#include "netc/data/Image.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <filesystem>
#include <mutex>
#include <thread>

namespace fs = std::filesystem;

namespace netc::rt {

namespace {

constexpr uint64_t kOrderSeed = 0x6e657463; // "netc": fixed file order

bool isImageName(const fs::path &p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png";
}

std::vector<std::string> sortedEntries(const fs::path &dir, bool dirs) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    const bool isDir = it->is_directory(ec);
    if (dirs ? isDir : (!isDir && isImageName(it->path())))
      names.push_back(it->path().filename().string());
  }
  if (ec)
    throw DataError(dir.string(), ec.message());
  std::sort(names.begin(), names.end());
  return names;
}

struct Record {
  std::string path;
  int64_t label;
};

Split readSplit(const fs::path &dir, const std::vector<std::string> &classes,
                int64_t height, int64_t width, int64_t limit) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw DataError(dir.string(), "no such directory (image_folder expects "
                                  "train/<class>/ and test/<class>/)");
  std::vector<Record> records;
  for (const std::string &sub : sortedEntries(dir, true)) {
    auto it = std::find(classes.begin(), classes.end(), sub);
    if (it == classes.end())
      throw DataError((dir / sub).string(),
                      "class folder not present under train/");
    for (const std::string &file : sortedEntries(dir / sub, false))
      records.push_back({(dir / sub / file).string(), it - classes.begin()});
  }
  if (records.empty())
    throw DataError(dir.string(), "no .jpg, .jpeg or .png images found");
  std::vector<int64_t> order(records.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = static_cast<int64_t>(i);
  Rng rng(kOrderSeed);
  shuffle(order, rng);
  if (limit >= 0 && limit < static_cast<int64_t>(order.size()))
    order.resize(static_cast<size_t>(limit));

  Split split;
  split.count = static_cast<int64_t>(order.size());
  split.sampleShape = {height, width, 3};
  split.labelShape = {1};
  const int64_t sampleSize = height * width * 3;
  split.x.resize(static_cast<size_t>(split.count * sampleSize));
  split.y.resize(static_cast<size_t>(split.count));
  // Each record is its own file, named in any message about it.
  split.sources.reserve(static_cast<size_t>(split.count));
  for (int64_t i = 0; i < split.count; ++i)
    split.sources.push_back({i, records[order[i]].path, {}, true});
  // Decoding dominates loading (50,000 CIFAR JPEGs): spread it over cores.
  // Each worker writes disjoint records, so the result is order-independent.
  const int64_t workers = std::max<int64_t>(
      1, std::min<int64_t>(std::thread::hardware_concurrency(), split.count));
  std::exception_ptr failure;
  std::mutex failureMutex;
  auto work = [&](int64_t w) {
    try {
      for (int64_t i = w; i < split.count; i += workers) {
        const Record &r = records[order[i]];
        RgbImage image = readImage(r.path);
        resizeBilinear(image, height, width, split.x.data() + i * sampleSize);
        split.y[i] = static_cast<float>(r.label);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(failureMutex);
      if (!failure)
        failure = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  for (int64_t w = 1; w < workers; ++w)
    threads.emplace_back(work, w);
  work(0);
  for (std::thread &t : threads)
    t.join();
  if (failure)
    std::rethrow_exception(failure);
  return split;
}

int64_t limitOf(const DatasetSpec &spec) {
  auto it = spec.args.find("limit");
  return it == spec.args.end() || it->second < 0
             ? -1
             : static_cast<int64_t>(it->second);
}

} // namespace

Dataset loadImageFolderTree(const std::string &dir, int64_t height,
                            int64_t width, int64_t limit) {
  const fs::path root = dir.empty() ? "." : dir;
  std::error_code ec;
  if (!fs::is_directory(root / "train", ec))
    throw DataError((root / "train").string(),
                    "no such directory (image_folder expects train/<class>/ "
                    "and test/<class>/)");
  const std::vector<std::string> classes = sortedEntries(root / "train", true);
  if (classes.empty())
    throw DataError((root / "train").string(), "no class folders");
  Dataset data;
  data.train = readSplit(root / "train", classes, height, width, limit);
  data.test = readSplit(root / "test", classes, height, width, limit);
  data.numClasses = static_cast<int64_t>(classes.size());
  data.classesFrom = (root / "train").string();
  return data;
}

Dataset loadImageFolder(const DatasetSpec &spec, const std::string &dir) {
  auto size = spec.list_args.find("size");
  if (size == spec.list_args.end() || size->second.size() != 2 ||
      size->second[0] < 1 || size->second[1] < 1)
    throw DataError(spec.name, "image_folder needs size: [height, width]");
  return loadImageFolderTree(dir, static_cast<int64_t>(size->second[0]),
                             static_cast<int64_t>(size->second[1]),
                             limitOf(spec));
}

} // namespace netc::rt
