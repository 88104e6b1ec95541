//===- Cifar10.cpp - CIFAR-10 official binary batches ---------------------===//
//
// data_batch_1..5.bin and test_batch.bin: records of 1 label byte and 3072
// pixel bytes (R plane, G plane, B plane, each 32x32 row-major). Images are
// converted to the NHWC layout networks use.
//
// A directory without data_batch_1.bin but with train/<class>/ folders (the
// JPEG copy of CIFAR-10 at hand, see shared/datasets/README.md) is read as an
// image folder of 32x32 images: its ten alphabetical class folders give the
// official label numbers.
//
//===----------------------------------------------------------------------===//

#include "netc/data/Dataset.h"
#include "netc/data/Idx.h"

#include <filesystem>

namespace netc::rt {

namespace {

constexpr int64_t kSide = 32, kPlane = kSide * kSide, kRecord = 1 + 3 * kPlane;

void appendBatch(Split &split, const std::string &path, int64_t limit) {
  std::vector<uint8_t> bytes = readFileBytes(path);
  if (bytes.empty())
    throw DataError(path, "empty file");
  if (bytes.size() % kRecord != 0)
    throw DataError(path, "truncated data: size " +
                              std::to_string(bytes.size()) +
                              " is not a multiple of the 3073-byte record");
  const int64_t records = static_cast<int64_t>(bytes.size()) / kRecord;
  split.addSource(path);
  for (int64_t r = 0; r < records; ++r) {
    if (limit >= 0 && split.count >= limit)
      return;
    const uint8_t *rec = bytes.data() + r * kRecord;
    if (rec[0] > 9)
      throw DataError(path, "label " + std::to_string(rec[0]) + " of record " +
                                std::to_string(r) + " is out of range 0..9");
    split.y.push_back(static_cast<float>(rec[0]));
    const size_t base = split.x.size();
    split.x.resize(base + 3 * kPlane);
    for (int64_t p = 0; p < kPlane; ++p)
      for (int64_t ch = 0; ch < 3; ++ch)
        split.x[base + p * 3 + ch] = rec[1 + ch * kPlane + p];
    ++split.count;
  }
}

} // namespace

Dataset loadCifar10(const DatasetSpec &spec, const std::string &dir) {
  auto it = spec.args.find("limit");
  const int64_t limit = it == spec.args.end() || it->second < 0
                            ? -1
                            : static_cast<int64_t>(it->second);
  const std::string root = dir.empty() ? "." : dir;
  std::error_code ec;
  if (!std::filesystem::exists(root + "/data_batch_1.bin", ec) &&
      std::filesystem::is_directory(root + "/train", ec)) {
    Dataset data = loadImageFolderTree(root, kSide, kSide, limit);
    if (data.numClasses != 10)
      throw DataError(root + "/train",
                      "CIFAR-10 class folders: expected 10, found " +
                          std::to_string(data.numClasses));
    return data;
  }
  Dataset data;
  for (Split *split : {&data.train, &data.test}) {
    split->sampleShape = {kSide, kSide, 3};
    split->labelShape = {1};
  }
  for (int b = 1; b <= 5; ++b)
    appendBatch(data.train, root + "/data_batch_" + std::to_string(b) + ".bin",
                limit);
  appendBatch(data.test, root + "/test_batch.bin", limit);
  data.numClasses = 10;
  data.classesFrom = root;
  return data;
}

} // namespace netc::rt
