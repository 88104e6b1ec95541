// STL-10, image_folder (JPEG/PNG), csv and cifar10's JPEG tree on small files
// the tests write in the real formats, including truncated and corrupt ones.
#include "ImageWriters.h"
#include "TestUtil.h"
#include "netc/data/Dataset.h"
#include "netc/data/Image.h"
#include "netc/data/Prefetcher.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <set>

using namespace netc;
using namespace netc::rt;
using namespace netc::test;
namespace fs = std::filesystem;

namespace {

std::string errorOf(const DatasetSpec &spec, const std::string &dataDir = ".") {
  try {
    loadDataset(spec, dataDir);
  } catch (const DataError &e) {
    return e.what();
  }
  return "";
}

DatasetSpec specOf(const std::string &kind, const std::string &path) {
  DatasetSpec spec;
  spec.name = "d";
  spec.kind = kind;
  spec.path = path;
  return spec;
}

// STL-10 pixel of image n at (row, col, channel), as a test pattern.
uint8_t stlPixel(int n, int row, int col, int c) {
  return static_cast<uint8_t>((n * 7 + row * 3 + col * 5 + c * 11) % 256);
}

// Writes NAME_X.bin in the official column-major layout and NAME_y.bin.
void writeStl(const std::string &dir, const std::string &name, int n) {
  std::vector<uint8_t> x, y;
  for (int i = 0; i < n; ++i) {
    y.push_back(static_cast<uint8_t>(i % 10 + 1));
    for (int c = 0; c < 3; ++c)
      for (int col = 0; col < 96; ++col)
        for (int row = 0; row < 96; ++row)
          x.push_back(stlPixel(i, row, col, c));
  }
  writeBytes(dir + "/" + name + "_X.bin", x, false);
  writeBytes(dir + "/" + name + "_y.bin", y, false);
}

} // namespace

TEST(Stl10, ColumnMajorBecomesNhwcAndLabelsStartAtZero) {
  TempDir dir;
  writeStl(dir.path, "train", 3);
  writeStl(dir.path, "test", 2);
  Dataset d = loadDataset(specOf("stl10", dir.path), ".");
  EXPECT_EQ(d.train.count, 3);
  EXPECT_EQ(d.test.count, 2);
  EXPECT_EQ(d.numClasses, 10);
  EXPECT_EQ(d.train.sampleShape, (std::vector<int64_t>{96, 96, 3}));
  for (int n : {0, 2})
    for (auto [row, col, c] : {std::tuple{0, 0, 0}, std::tuple{5, 17, 1},
                               std::tuple{95, 2, 2}, std::tuple{40, 95, 0}})
      EXPECT_EQ(d.train.x[n * 27648 + (row * 96 + col) * 3 + c],
                stlPixel(n, row, col, c))
          << n << " " << row << " " << col << " " << c;
  EXPECT_EQ(d.train.y[0], 0.0f);
  EXPECT_EQ(d.train.y[2], 2.0f);
  DatasetSpec limited = specOf("stl10", dir.path);
  limited.args["limit"] = 1;
  EXPECT_EQ(loadDataset(limited, ".").train.count, 1);
}

TEST(Stl10, TruncatedMismatchedAndBadLabels) {
  TempDir dir;
  writeStl(dir.path, "train", 2);
  writeStl(dir.path, "test", 2);
  std::vector<uint8_t> x(2 * 27648 - 5, 0);
  writeBytes(dir / "test_X.bin", x, false);
  std::string msg = errorOf(specOf("stl10", dir.path));
  EXPECT_NE(msg.find(dir / "test_X.bin"), std::string::npos) << msg;
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;

  writeStl(dir.path, "test", 2);
  writeBytes(dir / "test_y.bin", {1, 2, 3}, false);
  msg = errorOf(specOf("stl10", dir.path));
  EXPECT_NE(msg.find(dir / "test_y.bin" + ": 3 labels but 2 images"),
            std::string::npos)
      << msg;

  writeBytes(dir / "test_y.bin", {1, 11}, false);
  msg = errorOf(specOf("stl10", dir.path));
  EXPECT_NE(msg.find("label 11 of record 1 is out of range 1..10"),
            std::string::npos)
      << msg;

  fs::remove(dir / "train_y.bin");
  msg = errorOf(specOf("stl10", dir.path));
  EXPECT_NE(msg.find(dir / "train_y.bin"), std::string::npos) << msg;
}

namespace {

// A w x h image whose colour tells its class and index.
std::vector<uint8_t> pattern(int h, int w, int channels, int seed) {
  std::vector<uint8_t> px(static_cast<size_t>(h * w * channels));
  for (size_t i = 0; i < px.size(); ++i)
    px[i] = static_cast<uint8_t>((seed * 40 + i * 3) % 256);
  return px;
}

// classes: cat (2 JPEG + 1 PNG), dog (1 JPEG, gray), zebra (1 RGBA PNG).
void writeTree(const std::string &root, int h = 8, int w = 6) {
  for (const char *split : {"train", "test"})
    for (const char *cls : {"cat", "dog", "zebra"})
      fs::create_directories(root + "/" + split + "/" + cls);
  for (const char *split : {"train", "test"}) {
    const std::string s = root + "/" + split;
    writeBytes(s + "/cat/a.jpg", encodeJpeg(pattern(h, w, 3, 1), h, w, 3),
               false);
    writeBytes(s + "/cat/b.JPEG", encodeJpeg(pattern(h, w, 3, 2), h, w, 3),
               false);
    writeBytes(s + "/cat/c.png", encodePng(pattern(h, w, 3, 3), h, w, 3),
               false);
    writeBytes(s + "/dog/d.jpg", encodeJpeg(pattern(h, w, 1, 4), h, w, 1),
               false);
    writeBytes(s + "/zebra/e.png", encodePng(pattern(h, w, 4, 5), h, w, 4),
               false);
    writeBytes(s + "/zebra/notes.txt", {'h', 'i'}, false); // ignored
  }
}

} // namespace

TEST(ImageFolder, SortedClassFoldersJpegAndPng) {
  TempDir dir;
  writeTree(dir.path);
  DatasetSpec spec = specOf("image_folder", dir.path);
  spec.list_args["size"] = {8, 6};
  Dataset d = loadDataset(spec, ".");
  EXPECT_EQ(d.numClasses, 3);
  EXPECT_EQ(d.train.count, 5);
  EXPECT_EQ(d.test.count, 5);
  EXPECT_EQ(d.train.sampleShape, (std::vector<int64_t>{8, 6, 3}));
  std::multiset<float> labels(d.train.y.begin(), d.train.y.end());
  EXPECT_EQ(labels, (std::multiset<float>{0, 0, 0, 1, 2}));
  // Same size: the PNG comes back exactly; find it by its first pixel.
  const std::vector<uint8_t> png = pattern(8, 6, 3, 3);
  bool found = false;
  for (int64_t i = 0; i < d.train.count; ++i)
    if (std::equal(png.begin(), png.end(), d.train.x.begin() + i * 144)) {
      found = true;
      EXPECT_EQ(d.train.y[i], 0.0f);
    }
  EXPECT_TRUE(found);
  // Gray JPEG: three equal channels.
  for (int64_t i = 0; i < d.train.count; ++i)
    if (d.train.y[i] == 1.0f)
      for (int p = 0; p < 48; ++p) {
        EXPECT_EQ(d.train.x[i * 144 + p * 3], d.train.x[i * 144 + p * 3 + 1]);
        EXPECT_EQ(d.train.x[i * 144 + p * 3], d.train.x[i * 144 + p * 3 + 2]);
      }
  // The order is fixed: loading twice gives the same records.
  EXPECT_EQ(loadDataset(spec, ".").train.x, d.train.x);
}

TEST(ImageFolder, ResizesBilinearToTheRequestedSize) {
  TempDir dir;
  writeTree(dir.path, 8, 6);
  DatasetSpec spec = specOf("image_folder", dir.path);
  spec.list_args["size"] = {4, 3};
  Dataset d = loadDataset(spec, ".");
  EXPECT_EQ(d.train.sampleShape, (std::vector<int64_t>{4, 3, 3}));
  EXPECT_EQ(d.train.x.size(), 5u * 36);
  spec.args["limit"] = 2;
  EXPECT_EQ(loadDataset(spec, ".").train.count, 2);
}

TEST(Image, BilinearMatchesHalfPixelCentres) {
  // 1x4 row [0, 40, 80, 120] to width 2: samples at x = 0.5 and 2.5.
  RgbImage img;
  img.height = 1;
  img.width = 4;
  for (int v : {0, 40, 80, 120})
    for (int c = 0; c < 3; ++c)
      img.pixels.push_back(static_cast<uint8_t>(v));
  float out[6];
  resizeBilinear(img, 1, 2, out);
  EXPECT_FLOAT_EQ(out[0], 20.0f);
  EXPECT_FLOAT_EQ(out[3], 100.0f);
  // Upsampling 4 -> 8: x = (i + 0.5) / 2 - 0.5, clamped at 0 and 3.
  float up[24];
  resizeBilinear(img, 1, 8, up);
  EXPECT_FLOAT_EQ(up[0], 0.0f);
  EXPECT_FLOAT_EQ(up[3], 10.0f);   // x = 0.25
  EXPECT_FLOAT_EQ(up[21], 120.0f); // x = 3.25 clamps to 3
}

TEST(ImageFolder, CorruptTruncatedAndMissing) {
  TempDir dir;
  writeTree(dir.path);
  DatasetSpec spec = specOf("image_folder", dir.path);
  spec.list_args["size"] = {8, 6};
  std::vector<uint8_t> jpeg = encodeJpeg(pattern(8, 6, 3, 1), 8, 6, 3);
  jpeg.resize(jpeg.size() / 2);
  writeBytes(dir / "train/cat/a.jpg", jpeg, false);
  std::string msg = errorOf(spec);
  EXPECT_NE(msg.find(dir / "train/cat/a.jpg: corrupt JPEG"), std::string::npos)
      << msg;

  writeTree(dir.path);
  std::vector<uint8_t> png = encodePng(pattern(8, 6, 3, 3), 8, 6, 3);
  png.resize(png.size() - 20);
  writeBytes(dir / "test/cat/c.png", png, false);
  msg = errorOf(spec);
  EXPECT_NE(msg.find(dir / "test/cat/c.png: corrupt PNG"), std::string::npos)
      << msg;

  writeTree(dir.path);
  writeBytes(dir / "train/dog/fake.jpg", {'G', 'I', 'F', '8'}, false);
  msg = errorOf(spec);
  EXPECT_NE(msg.find(dir / "train/dog/fake.jpg: not a JPEG or PNG image"),
            std::string::npos)
      << msg;

  fs::remove(dir / "train/dog/fake.jpg");
  fs::create_directories(dir / "test/horse");
  msg = errorOf(spec);
  EXPECT_NE(msg.find(dir / "test/horse: class folder not present"),
            std::string::npos)
      << msg;

  msg = errorOf(specOf("image_folder", dir / "nowhere"));
  EXPECT_NE(msg.find("size: [height, width]"), std::string::npos) << msg;
  DatasetSpec missing = specOf("image_folder", dir / "nowhere");
  missing.list_args["size"] = {8, 6};
  msg = errorOf(missing);
  EXPECT_NE(msg.find(dir / "nowhere/train: no such directory"),
            std::string::npos)
      << msg;
}

TEST(Cifar10, ReadsTheJpegClassFolderTree) {
  TempDir dir;
  const char *classes[] = {"airplane", "automobile", "bird",  "cat",  "deer",
                           "dog",      "frog",       "horse", "ship", "truck"};
  for (int c = 0; c < 10; ++c)
    for (const char *split : {"train", "test"}) {
      const std::string d = dir.path + "/" + split + "/" + classes[c];
      fs::create_directories(d);
      writeBytes(d + "/0001.jpg", encodeJpeg(pattern(32, 32, 3, c), 32, 32, 3),
                 false);
    }
  Dataset data = loadDataset(specOf("cifar10", dir.path), ".");
  EXPECT_EQ(data.numClasses, 10);
  EXPECT_EQ(data.train.count, 10);
  EXPECT_EQ(data.train.sampleShape, (std::vector<int64_t>{32, 32, 3}));
  std::set<float> labels(data.test.y.begin(), data.test.y.end());
  EXPECT_EQ(labels.size(), 10u);
  fs::remove_all(dir / "train/truck");
  fs::remove_all(dir / "test/truck");
  const std::string msg = errorOf(specOf("cifar10", dir.path));
  EXPECT_NE(msg.find("expected 10, found 9"), std::string::npos) << msg;
}

TEST(Cifar10, RealJpegCopyWhenUnpacked) {
  // scripts/ or a developer may unpack shared/datasets/cifar10-jpeg.tar.gz
  // here; the test is skipped otherwise.
  const char *dir = std::getenv("NETC_CIFAR10_JPEG");
  if (!dir)
    GTEST_SKIP() << "set NETC_CIFAR10_JPEG to an unpacked cifar10-jpeg tree";
  DatasetSpec spec = specOf("cifar10", dir);
  spec.args["limit"] = 200;
  Dataset d = loadDataset(spec, ".");
  EXPECT_EQ(d.train.count, 200);
  std::set<float> labels(d.train.y.begin(), d.train.y.end());
  EXPECT_EQ(labels.size(), 10u); // the shuffled order mixes the classes
}

TEST(Csv, HeaderNamedLabelAndTestSibling) {
  TempDir dir;
  std::ofstream(dir / "iris.csv")
      << "a,b,species,c\n1,2,setosa,3\n4,5.5,virginica,6\n\n7,8,setosa,9\n";
  std::ofstream(dir / "iris_test.csv") << "a,b,species,c\n0,0,virginica,1\n";
  DatasetSpec spec = specOf("csv", dir / "iris.csv");
  spec.str_args["label"] = "species";
  Dataset d = loadDataset(spec, ".");
  EXPECT_EQ(d.train.count, 3);
  EXPECT_EQ(d.train.sampleShape, (std::vector<int64_t>{3}));
  EXPECT_EQ(d.train.x, (std::vector<float>{1, 2, 3, 4, 5.5, 6, 7, 8, 9}));
  EXPECT_EQ(d.train.y, (std::vector<float>{0, 1, 0}));
  EXPECT_EQ(d.numClasses, 2);
  EXPECT_EQ(d.test.count, 1);
  EXPECT_EQ(d.test.y, (std::vector<float>{1}));
}

TEST(Csv, DirectoryWithIndexLabelAndNoHeader) {
  TempDir dir;
  std::ofstream(dir / "train.csv") << "0.5,1.5,2\n1,2,3.25\n";
  std::ofstream(dir / "test.csv") << "9,9,9\n";
  DatasetSpec spec = specOf("csv", dir.path);
  spec.args["label"] = -1; // the last column
  Dataset d = loadDataset(spec, ".");
  EXPECT_EQ(d.train.count, 2);
  EXPECT_EQ(d.train.y, (std::vector<float>{2, 3.25}));
  EXPECT_EQ(d.train.x, (std::vector<float>{0.5, 1.5, 1, 2}));
  EXPECT_EQ(d.numClasses, 0);
  spec.args["validation_split"] = 0.5; // accepted; the runner applies it
  spec.args["scale"] = 2;
  EXPECT_EQ(loadDataset(spec, ".").train.x, (std::vector<float>{1, 3, 2, 4}));
}

TEST(Csv, ErrorsNameFileAndLine) {
  TempDir dir;
  std::ofstream(dir / "t.csv") << "x,y\n1,2\n3\n";
  DatasetSpec spec = specOf("csv", dir / "t.csv");
  spec.str_args["label"] = "y";
  std::string msg = errorOf(spec);
  EXPECT_NE(msg.find(dir / "t.csv:3: 1 fields, expected 2"), std::string::npos)
      << msg;
  std::ofstream(dir / "t.csv") << "x,y\n1,2\nabc,3\n";
  msg = errorOf(spec);
  EXPECT_NE(msg.find(dir / "t.csv:3: column 1 ('abc') is not a number"),
            std::string::npos)
      << msg;
  spec.str_args["label"] = "z";
  msg = errorOf(spec);
  EXPECT_NE(msg.find("no column named 'z'"), std::string::npos) << msg;
  std::ofstream(dir / "t.csv") << "x,\"y\n1,2\n";
  spec.str_args["label"] = "y";
  msg = errorOf(spec);
  EXPECT_NE(msg.find("unterminated quoted field"), std::string::npos) << msg;
  msg = errorOf(specOf("csv", dir / "absent.csv"));
  EXPECT_NE(msg.find(dir / "absent.csv"), std::string::npos) << msg;
}

TEST(Prefetcher, BatchesFollowTheOrderWithAPartialLastBatch) {
  Split split;
  split.count = 7;
  split.sampleShape = {2};
  split.labelShape = {1};
  for (int i = 0; i < 7; ++i) {
    split.x.push_back(static_cast<float>(i));
    split.x.push_back(static_cast<float>(10 * i));
    split.y.push_back(static_cast<float>(100 + i));
  }
  const std::vector<int64_t> order = {6, 0, 3, 5, 1, 2, 4};
  for (int repeat = 0; repeat < 50; ++repeat) { // shake out races
    Prefetcher p(split, order, 3);
    EXPECT_EQ(p.batches(), 3);
    std::vector<float> seen;
    int64_t batches = 0;
    for (auto b = p.next(); b.n > 0; b = p.next(), ++batches) {
      EXPECT_EQ(b.n, batches < 2 ? 3 : 1);
      for (int64_t i = 0; i < b.n; ++i) {
        EXPECT_EQ((*b.x)[i * 2 + 1], 10 * (*b.x)[i * 2]);
        EXPECT_EQ((*b.y)[i], 100 + (*b.x)[i * 2]);
        seen.push_back((*b.x)[i * 2]);
      }
    }
    EXPECT_EQ(seen, (std::vector<float>{6, 0, 3, 5, 1, 2, 4}));
  }
  // Abandoned early: the destructor stops the worker.
  Prefetcher early(split, order, 2);
  EXPECT_EQ(early.next().n, 2);
}
