//===- Stl10.cpp - STL-10 official binary files ---------------------------===//
//
// train_X.bin / test_X.bin: uint8, 96x96x3 per image stored as MATLAB wrote
// it, column-major: per image the three channel planes in turn, each plane
// column by column. train_y.bin / test_y.bin: one byte per image, 1..10.
// Converted to NHWC floats and labels 0..9. unlabeled_X.bin is not read.
//
//===----------------------------------------------------------------------===//

#include "netc/data/Dataset.h"
#include "netc/data/Idx.h"

namespace netc::rt {

namespace {

constexpr int64_t kSide = 96, kPlane = kSide * kSide, kImage = 3 * kPlane;

Split readSplit(const std::string &root, const std::string &prefix,
                int64_t limit) {
  const std::string xPath = root + "/" + prefix + "_X.bin";
  const std::string yPath = root + "/" + prefix + "_y.bin";
  const std::vector<uint8_t> x = readFileBytes(xPath);
  const std::vector<uint8_t> y = readFileBytes(yPath);
  if (x.empty())
    throw DataError(xPath, "empty file");
  if (x.size() % kImage != 0)
    throw DataError(xPath, "truncated data: size " + std::to_string(x.size()) +
                               " is not a multiple of the 27648-byte image");
  const int64_t images = static_cast<int64_t>(x.size()) / kImage;
  if (static_cast<int64_t>(y.size()) != images)
    throw DataError(yPath, std::to_string(y.size()) + " labels but " +
                               std::to_string(images) + " images in " + xPath);
  Split split;
  split.count = limit >= 0 && limit < images ? limit : images;
  split.sampleShape = {kSide, kSide, 3};
  split.labelShape = {1};
  split.sources.push_back({0, yPath, {}});
  split.x.resize(static_cast<size_t>(split.count * kImage));
  split.y.resize(static_cast<size_t>(split.count));
  for (int64_t n = 0; n < split.count; ++n) {
    if (y[n] < 1 || y[n] > 10)
      throw DataError(yPath, "label " + std::to_string(y[n]) + " of record " +
                                 std::to_string(n) + " is out of range 1..10");
    split.y[n] = static_cast<float>(y[n] - 1);
    const uint8_t *src = x.data() + n * kImage;
    float *dst = split.x.data() + n * kImage;
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t col = 0; col < kSide; ++col)
        for (int64_t row = 0; row < kSide; ++row)
          dst[(row * kSide + col) * 3 + c] =
              src[c * kPlane + col * kSide + row];
  }
  return split;
}

} // namespace

Dataset loadStl10(const DatasetSpec &spec, const std::string &dir) {
  auto it = spec.args.find("limit");
  const int64_t limit = it == spec.args.end() || it->second < 0
                            ? -1
                            : static_cast<int64_t>(it->second);
  const std::string root = dir.empty() ? "." : dir;
  Dataset data;
  data.train = readSplit(root, "train", limit);
  data.test = readSplit(root, "test", limit);
  data.numClasses = 10;
  data.classesFrom = root + "/train_y.bin";
  return data;
}

} // namespace netc::rt
