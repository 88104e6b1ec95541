#include "netc/data/Dataset.h"
#include "TestUtil.h"

#include <cmath>
#include <gtest/gtest.h>
#include <sys/stat.h>

using namespace netc;
using namespace netc::rt;
using namespace netc::test;

namespace {

DatasetSpec mnistSpec(const std::string &path) {
  DatasetSpec spec;
  spec.name = "mnist";
  spec.kind = "mnist";
  spec.path = path;
  return spec;
}

std::string errorOf(const DatasetSpec &spec, const std::string &dataDir) {
  try {
    loadDataset(spec, dataDir);
  } catch (const DataError &e) {
    return e.what();
  }
  return "";
}

bool exists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

} // namespace

TEST(Mnist, LoadsSmallGzipAndPlainFiles) {
  for (bool gzip : {true, false}) {
    TempDir dir;
    std::filesystem::create_directory(dir / "m");
    writeMnist(dir / "m", "train", 12, gzip);
    writeMnist(dir / "m", "t10k", 5, gzip);
    // The spec's path is relative to --data.
    Dataset d = loadDataset(mnistSpec("m"), dir.path);
    EXPECT_EQ(d.numClasses, 10);
    EXPECT_EQ(d.train.count, 12);
    EXPECT_EQ(d.test.count, 5);
    EXPECT_EQ(d.train.sampleShape, (std::vector<int64_t>{28, 28, 1}));
    EXPECT_EQ(d.train.labelShape, (std::vector<int64_t>{1}));
    ASSERT_EQ(d.train.x.size(), 12u * 784);
    // Not rescaled: raw byte values.
    EXPECT_EQ(d.train.x[3 * 784 + 300], float((3 + 300) % 256));
    EXPECT_EQ(d.train.y[11], 1.0f);
    EXPECT_EQ(d.test.y[4], 4.0f);
  }
}

TEST(Mnist, ScaleAndLimit) {
  TempDir dir;
  writeMnist(dir.path, "train", 12, true);
  writeMnist(dir.path, "t10k", 5, true);
  DatasetSpec spec = mnistSpec(dir.path); // absolute path ignores --data
  spec.args["scale"] = 1.0 / 255;
  spec.args["limit"] = 3;
  Dataset d = loadDataset(spec, "/elsewhere");
  EXPECT_EQ(d.train.count, 3);
  EXPECT_EQ(d.test.count, 3);
  EXPECT_EQ(d.train.x.size(), 3u * 784);
  EXPECT_EQ(d.train.y.size(), 3u);
  EXPECT_FLOAT_EQ(d.train.x[2 * 784 + 100], 102.0f / 255);
}

TEST(Mnist, CountMismatchNamesTheLabelsFile) {
  TempDir dir;
  writeMnist(dir.path, "train", 12, true);
  writeMnist(dir.path, "t10k", 5, true);
  writeBytes(dir / "t10k-labels-idx1-ubyte.gz", idxBytes({4}, {0, 1, 2, 3}),
             true);
  const std::string msg = errorOf(mnistSpec(dir.path), ".");
  EXPECT_NE(msg.find(dir / "t10k-labels-idx1-ubyte.gz"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("4 labels but 5 images"), std::string::npos) << msg;
}

TEST(Mnist, LabelOutOfRange) {
  TempDir dir;
  writeMnist(dir.path, "train", 3, false);
  writeMnist(dir.path, "t10k", 3, false);
  writeBytes(dir / "train-labels-idx1-ubyte", idxBytes({3}, {0, 12, 1}), false);
  const std::string msg = errorOf(mnistSpec(dir.path), ".");
  EXPECT_NE(msg.find("train-labels-idx1-ubyte: label 12 of record 1"),
            std::string::npos)
      << msg;
}

TEST(Mnist, MissingDirectoryNamesTheFile) {
  TempDir dir;
  const std::string msg = errorOf(mnistSpec("absent"), dir.path);
  EXPECT_NE(msg.find(dir / "absent/train-images-idx3-ubyte.gz"),
            std::string::npos)
      << msg;
}

TEST(Mnist, RealMnistPrefix) {
  const std::string dir = "/work/shared/datasets/mnist";
  if (!exists(dir + "/train-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "no MNIST copy at " << dir;
  DatasetSpec spec = mnistSpec(dir);
  spec.args["limit"] = 100;
  Dataset d = loadDataset(spec, ".");
  EXPECT_EQ(d.train.count, 100);
  EXPECT_EQ(d.test.count, 100);
  EXPECT_EQ(d.train.y[0], 5.0f); // the famous first MNIST digit
  EXPECT_EQ(d.test.y[0], 7.0f);
}

TEST(FashionMnist, EmptyPathReadsTheDebianPackage) {
  if (!exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  DatasetSpec spec;
  spec.name = "data";
  spec.kind = "fashion_mnist";
  spec.args["limit"] = 50;
  Dataset d = loadDataset(spec, "/nonexistent-data-dir");
  EXPECT_EQ(d.train.count, 50);
  EXPECT_EQ(d.test.count, 50);
  EXPECT_EQ(d.train.y[0], 9.0f); // Fashion-MNIST's first item: ankle boot
  float hi = 0;
  for (float v : d.train.x)
    hi = std::max(hi, v);
  EXPECT_EQ(hi, 255.0f);
}

namespace {

// A CIFAR-10 record: label, then R, G, B planes of 32x32.
std::vector<uint8_t> cifarRecords(int n, int labelBase) {
  std::vector<uint8_t> bytes;
  for (int r = 0; r < n; ++r) {
    bytes.push_back(static_cast<uint8_t>((labelBase + r) % 10));
    for (int ch = 0; ch < 3; ++ch)
      for (int p = 0; p < 1024; ++p)
        bytes.push_back(static_cast<uint8_t>((ch * 100 + p + r) % 256));
  }
  return bytes;
}

void writeCifar(const std::string &dir) {
  for (int b = 1; b <= 5; ++b)
    writeBytes(dir + "/data_batch_" + std::to_string(b) + ".bin",
               cifarRecords(2, b), false);
  writeBytes(dir + "/test_batch.bin", cifarRecords(3, 7), false);
}

} // namespace

TEST(Cifar10, ReadsOfficialBatchesAsNhwc) {
  TempDir dir;
  writeCifar(dir.path);
  DatasetSpec spec;
  spec.name = "c";
  spec.kind = "cifar10";
  spec.path = dir.path;
  Dataset d = loadDataset(spec, ".");
  EXPECT_EQ(d.train.count, 10);
  EXPECT_EQ(d.test.count, 3);
  EXPECT_EQ(d.train.sampleShape, (std::vector<int64_t>{32, 32, 3}));
  EXPECT_EQ(d.train.y[2], 2.0f); // batch 2, record 0: label (2 + 0) % 10
  // Record 1 of batch 1, pixel (row 2, col 5), channel G.
  const int p = 2 * 32 + 5;
  EXPECT_EQ(d.train.x[1 * 3072 + p * 3 + 1], float((100 + p + 1) % 256));
  spec.args["limit"] = 4;
  EXPECT_EQ(loadDataset(spec, ".").train.count, 4);
}

TEST(Cifar10, TruncatedAndMissingFilesAreErrors) {
  TempDir dir;
  writeCifar(dir.path);
  std::vector<uint8_t> bad = cifarRecords(2, 0);
  bad.resize(bad.size() - 1);
  writeBytes(dir / "data_batch_3.bin", bad, false);
  DatasetSpec spec;
  spec.name = "c";
  spec.kind = "cifar10";
  spec.path = dir.path;
  std::string msg = errorOf(spec, ".");
  EXPECT_NE(msg.find(dir / "data_batch_3.bin"), std::string::npos) << msg;
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
  std::filesystem::remove(dir / "test_batch.bin");
  writeCifar(dir.path);
  std::filesystem::remove(dir / "test_batch.bin");
  msg = errorOf(spec, ".");
  EXPECT_NE(msg.find(dir / "test_batch.bin"), std::string::npos) << msg;
}

namespace {

DatasetSpec polySpec(double noise) {
  DatasetSpec spec;
  spec.name = "poly";
  spec.kind = "polynomial";
  spec.args = {{"samples", 200}, {"noise", noise}, {"seed", 7}};
  spec.list_args = {{"coefficients", {1, -2, 0.5, 0.3}}, {"x_range", {-3, 3}}};
  return spec;
}

} // namespace

TEST(Polynomial, ExactWithoutNoise) {
  Dataset d = loadDataset(polySpec(0.0), ".");
  ASSERT_EQ(d.train.count, 200);
  ASSERT_EQ(d.test.count, 200);
  EXPECT_EQ(d.numClasses, 0);
  for (int64_t i = 0; i < 200; ++i) {
    const double x = d.train.x[i];
    EXPECT_GE(x, -3.0);
    EXPECT_LT(x, 3.0);
    EXPECT_NEAR(d.train.y[i], 1 - 2 * x + 0.5 * x * x + 0.3 * x * x * x,
                1e-4 * (1 + std::abs(d.train.y[i])));
  }
  EXPECT_NE(d.train.x, d.test.x); // an independent draw
}

TEST(Polynomial, NoiseHasTheRequestedScaleAndIsDeterministic) {
  Dataset clean = loadDataset(polySpec(0.0), ".");
  Dataset noisy = loadDataset(polySpec(2.0), ".");
  Dataset again = loadDataset(polySpec(2.0), ".");
  EXPECT_EQ(noisy.train.y, again.train.y);
  double sq = 0;
  for (int64_t i = 0; i < 200; ++i) {
    EXPECT_EQ(clean.train.x[i], noisy.train.x[i]);
    const double r = noisy.train.y[i] - clean.train.y[i];
    sq += r * r;
  }
  EXPECT_NEAR(std::sqrt(sq / 200), 2.0, 0.4);
}

TEST(Polynomial, BadArgumentsAreErrors) {
  DatasetSpec spec = polySpec(0.0);
  spec.list_args["x_range"] = {3, -3};
  EXPECT_THROW(loadDataset(spec, "."), DataError);
  spec = polySpec(0.0);
  spec.list_args.erase("coefficients");
  EXPECT_THROW(loadDataset(spec, "."), DataError);
}

TEST(Dataset, UnknownKindIsAnError) {
  DatasetSpec spec;
  spec.name = "x";
  spec.kind = "tfrecord";
  EXPECT_NE(errorOf(spec, ".").find("unsupported data set kind 'tfrecord'"),
            std::string::npos);
}

TEST(Dataset, CustomLoadersSlotIn) {
  registerDatasetLoader("twos", [](const DatasetSpec &, const std::string &) {
    Dataset d;
    for (Split *s : {&d.train, &d.test}) {
      s->count = 4;
      s->sampleShape = {2};
      s->labelShape = {1};
      s->x.assign(8, 2.0f);
      s->y.assign(4, 0.0f);
    }
    return d;
  });
  DatasetSpec spec;
  spec.kind = "twos";
  spec.args["scale"] = 0.5;
  spec.args["limit"] = 1;
  Dataset d = loadDataset(spec, ".");
  EXPECT_EQ(d.train.count, 1);
  EXPECT_EQ(d.train.x, (std::vector<float>{1.0f, 1.0f}));
}
