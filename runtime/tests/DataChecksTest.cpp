// Data is checked when it is loaded, before any training: features and
// labels must be finite, classification labels must be class indices of the
// network's outputs, and a data set's classes must fit them. Every message
// names the file and the line (CSV) or record. Data files are written here
// in the real formats.
#include "../lib/RunnerDetail.h"
#include "ImageWriters.h"
#include "TestUtil.h"
#include "netc/data/Dataset.h"

#include <gtest/gtest.h>

using namespace netc;
using namespace netc::rt;
using namespace netc::test;
namespace fs = std::filesystem;

namespace {

std::string loadError(const DatasetSpec &spec) {
  try {
    loadDataset(spec, ".");
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

DatasetSpec csvSpec(const std::string &path) {
  DatasetSpec spec = specOf("csv", path);
  spec.str_args["label"] = "label";
  return spec;
}

// A network of `outputs` outputs and the kernel training it with `loss`.
struct Net {
  NetworkSpec net;
  KernelSpec kernel;
  Net(int64_t outputs, const std::string &loss, int64_t labelWidth = 1) {
    net.name = "Net";
    net.outputShape = {outputs};
    kernel.loss = loss;
    kernel.outputShape = {outputs};
    kernel.labelShape = {labelWidth};
  }
};

// checkLabels on both splits of `spec`'s data; the first error's text.
std::string labelError(const DatasetSpec &spec, const Net &n) {
  try {
    const Dataset data = loadDataset(spec, ".");
    detail::checkLabels(data, data.train, spec, n.net, n.kernel);
    detail::checkLabels(data, data.test, spec, n.net, n.kernel);
  } catch (const DataError &e) {
    return e.what();
  }
  return "";
}

} // namespace

TEST(DataChecks, CsvFeaturesMustBeFinite) {
  TempDir dir;
  for (const char *bad : {"nan", "inf", "-inf", "1e39"}) {
    std::ofstream(dir / "t.csv") << "a,b,label\n1,2,0\n3," << bad << ",1\n";
    const std::string msg = loadError(csvSpec(dir / "t.csv"));
    EXPECT_NE(msg.find(dir / "t.csv:3: column 2 ('" + bad +
                       "') is not a finite number"),
              std::string::npos)
        << msg;
  }
  // A NaN label is no number for a class or a regression target either.
  std::ofstream(dir / "t.csv") << "a,b,label\n1,2,0\n\n3,4,nan\n";
  const std::string msg = loadError(csvSpec(dir / "t.csv"));
  EXPECT_NE(msg.find(dir / "t.csv:4: label 'nan' is not a finite number"),
            std::string::npos)
      << msg;
}

TEST(DataChecks, CsvClassLabelsMustBeClassesOfTheOutputs) {
  TempDir dir;
  std::ofstream(dir / "t_test.csv") << "a,b,label\n0,0,2\n";
  const Net three(3, "sparse_categorical_crossentropy");
  for (const char *bad : {"7", "-1", "1.5", "3"}) {
    std::ofstream(dir / "t.csv")
        << "a,b,label\n1,2,0\n3,4,2\n5,6," << bad << "\n7,8,1\n";
    const std::string msg = labelError(csvSpec(dir / "t.csv"), three);
    EXPECT_NE(msg.find(dir / "t.csv:4: label " + bad +
                       " is not a class of Net, which has 3 outputs "
                       "(class labels are integers 0..2)"),
              std::string::npos)
        << msg;
  }
  // Good labels pass; a regression reads any finite number.
  std::ofstream(dir / "t.csv") << "a,b,label\n1,2,0\n3,4,2\n5,6,1\n";
  EXPECT_EQ(labelError(csvSpec(dir / "t.csv"), three), "");
  std::ofstream(dir / "t.csv") << "a,b,label\n1,2,-7.5\n3,4,200\n";
  EXPECT_EQ(labelError(csvSpec(dir / "t.csv"), Net(1, "mse")), "");
  // The test split is checked as well.
  std::ofstream(dir / "t.csv") << "a,b,label\n1,2,0\n";
  std::ofstream(dir / "t_test.csv") << "a,b,label\n0,0,2\n0,0,200\n";
  const std::string msg = labelError(csvSpec(dir / "t.csv"), three);
  EXPECT_NE(msg.find(dir / "t_test.csv:3: label 200 is not a class of Net"),
            std::string::npos)
      << msg;
}

TEST(DataChecks, CsvTextClassesMustFitTheOutputs) {
  TempDir dir;
  std::ofstream(dir / "t.csv") << "a,label\n1,ant\n2,bee\n3,cat\n4,dog\n";
  const std::string msg =
      labelError(csvSpec(dir / "t.csv"), Net(3, "categorical_crossentropy"));
  EXPECT_NE(msg.find(dir / "t.csv: 4 classes do not fit the 3 outputs of "
                           "network Net (every class needs an output)"),
            std::string::npos)
      << msg;
  EXPECT_EQ(
      labelError(csvSpec(dir / "t.csv"), Net(4, "categorical_crossentropy")),
      "");
}

TEST(DataChecks, IdxCifarAndStl10ClassesMustFitTheOutputs) {
  TempDir dir;
  writeMnist(dir.path, "train", 12, true);
  writeMnist(dir.path, "t10k", 3, true);
  const Net three(3, "sparse_categorical_crossentropy");
  std::string msg = labelError(specOf("mnist", dir.path), three);
  EXPECT_NE(msg.find(dir / "train-labels-idx1-ubyte.gz: 10 classes do not fit "
                           "the 3 outputs of network Net"),
            std::string::npos)
      << msg;
  EXPECT_EQ(labelError(specOf("mnist", dir.path),
                       Net(10, "sparse_categorical_crossentropy")),
            "");

  TempDir cifar;
  std::vector<uint8_t> record(3073, 0);
  for (int b = 1; b <= 5; ++b)
    writeBytes(cifar / ("data_batch_" + std::to_string(b) + ".bin"), record,
               false);
  writeBytes(cifar / "test_batch.bin", record, false);
  msg = labelError(specOf("cifar10", cifar.path), three);
  EXPECT_NE(msg.find(cifar.path + ": 10 classes do not fit the 3 outputs"),
            std::string::npos)
      << msg;

  TempDir stl;
  for (const char *split : {"train", "test"}) {
    writeBytes(stl / (std::string(split) + "_X.bin"),
               std::vector<uint8_t>(96 * 96 * 3, 0), false);
    writeBytes(stl / (std::string(split) + "_y.bin"), {1}, false);
  }
  msg = labelError(specOf("stl10", stl.path), three);
  EXPECT_NE(msg.find(stl / "train_y.bin: 10 classes do not fit the 3 outputs"),
            std::string::npos)
      << msg;
}

TEST(DataChecks, ImageFolderClassesMustFitTheOutputs) {
  TempDir dir;
  const std::vector<uint8_t> pixels(4 * 4 * 3, 128);
  for (const char *split : {"train", "test"})
    for (const char *cls : {"ant", "bee", "cat", "dog"}) {
      const std::string folder = dir / split + "/" + cls;
      fs::create_directories(folder);
      writeBytes(folder + "/a.png", encodePng(pixels, 4, 4, 3), false);
    }
  DatasetSpec spec = specOf("image_folder", dir.path);
  spec.list_args["size"] = {4, 4};
  const std::string msg =
      labelError(spec, Net(3, "sparse_categorical_crossentropy"));
  EXPECT_NE(msg.find(dir / "train: 4 classes do not fit the 3 outputs of "
                           "network Net"),
            std::string::npos)
      << msg;
  EXPECT_EQ(labelError(spec, Net(4, "sparse_categorical_crossentropy")), "");
  // Each image is its own record: messages name the file.
  const Dataset data = loadDataset(spec, ".");
  EXPECT_EQ(data.train.where(2).rfind(dir / "train/", 0), 0u)
      << data.train.where(2);
  EXPECT_EQ(data.train.where(2).substr(data.train.where(2).size() - 6),
            "/a.png");
}

TEST(DataChecks, BinaryCrossentropyTargetsAreProbabilities) {
  TempDir dir;
  std::ofstream(dir / "t.csv") << "a,label\n1,0\n2,1\n3,0.25\n4,2\n";
  const std::string msg =
      labelError(csvSpec(dir / "t.csv"), Net(1, "binary_crossentropy"));
  EXPECT_NE(msg.find(dir / "t.csv:5: label 2 is outside [0, 1]"),
            std::string::npos)
      << msg;
}

TEST(DataChecks, RecordsAreNamedByFileAndIndex) {
  TempDir dir;
  writeMnist(dir.path, "train", 5, false);
  writeMnist(dir.path, "t10k", 2, false);
  const Dataset mnist = loadDataset(specOf("mnist", dir.path), ".");
  EXPECT_EQ(mnist.train.where(3), dir / "train-labels-idx1-ubyte, record 3");
  EXPECT_EQ(mnist.test.where(1), dir / "t10k-labels-idx1-ubyte, record 1");

  // CIFAR-10: records count from the start of their batch file.
  TempDir cifar;
  std::vector<uint8_t> two(2 * 3073, 0);
  for (int b = 1; b <= 5; ++b)
    writeBytes(cifar / ("data_batch_" + std::to_string(b) + ".bin"), two,
               false);
  writeBytes(cifar / "test_batch.bin", two, false);
  const Dataset c = loadDataset(specOf("cifar10", cifar.path), ".");
  EXPECT_EQ(c.train.where(3), cifar / "data_batch_2.bin, record 1");

  // Generated data has no file: the data set and split name it.
  DatasetSpec poly = specOf("polynomial", "");
  poly.name = "poly";
  poly.list_args["coefficients"] = {1, 2};
  EXPECT_EQ(loadDataset(poly, ".").test.where(4), "poly.test, record 4");
}

TEST(DataChecks, NonFiniteValuesFromAnyLoaderAreErrors) {
  registerDatasetLoader("nan_test",
                        [](const DatasetSpec &, const std::string &) {
                          Dataset d;
                          for (Split *s : {&d.train, &d.test}) {
                            s->count = 2;
                            s->sampleShape = {2};
                            s->labelShape = {1};
                            s->x = {1, 2, 3, 4};
                            s->y = {0, 1};
                          }
                          d.train.x[3] = NAN;
                          return d;
                        });
  DatasetSpec spec = specOf("nan_test", "");
  spec.name = "custom";
  std::string msg = loadError(spec);
  EXPECT_NE(msg.find("custom.train, record 1: feature 1 is NaN"),
            std::string::npos)
      << msg;

  // `scale` can overflow what the file holds.
  TempDir dir;
  writeMnist(dir.path, "train", 3, true);
  writeMnist(dir.path, "t10k", 3, true);
  spec = specOf("mnist", dir.path);
  spec.args["scale"] = 1e38;
  spec.name = "digits";
  msg = loadError(spec);
  EXPECT_NE(msg.find("digits: scale 1e+38 makes features infinite or NaN"),
            std::string::npos)
      << msg;
}
