#include "netc/data/Idx.h"
#include "TestUtil.h"
#include "netc/data/Dataset.h"

#include <gtest/gtest.h>

using namespace netc;
using namespace netc::rt;
using namespace netc::test;

namespace {

// EXPECT that `fn` throws a DataError whose message contains every needle.
template <typename F>
void expectDataError(F fn, std::vector<std::string> needles) {
  try {
    fn();
    ADD_FAILURE() << "no DataError";
  } catch (const DataError &e) {
    for (const std::string &needle : needles)
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
          << "message '" << e.what() << "' lacks '" << needle << "'";
  }
}

const std::vector<uint8_t> kData = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

} // namespace

TEST(Idx, ReadsPlainAndGzip) {
  TempDir dir;
  for (bool gzip : {false, true}) {
    const std::string path = dir / (gzip ? "a.gz" : "a");
    writeBytes(path, idxBytes({3, 2, 2}, kData), gzip);
    IdxArray a = readIdx(path, 3);
    EXPECT_EQ(a.dims, (std::vector<int64_t>{3, 2, 2}));
    EXPECT_EQ(a.data, kData);
  }
}

TEST(Idx, MaxRecordsReadsAPrefix) {
  TempDir dir;
  writeBytes(dir / "a", idxBytes({3, 4}, kData), false);
  IdxArray a = readIdx(dir / "a", 2, 2);
  EXPECT_EQ(a.dims, (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(a.data, std::vector<uint8_t>(kData.begin(), kData.begin() + 8));
  EXPECT_EQ(readIdx(dir / "a", 2, 10).dims[0], 3); // more than there are
}

TEST(Idx, MissingFileNamesTheFile) {
  TempDir dir;
  expectDataError([&] { readIdx(dir / "nope.gz", 1); }, {dir / "nope.gz"});
}

TEST(Idx, TruncatedDataIsAnError) {
  TempDir dir;
  for (bool gzip : {false, true}) {
    std::vector<uint8_t> bytes = idxBytes({3, 2, 2}, kData);
    bytes.resize(bytes.size() - 5);
    const std::string path = dir / (gzip ? "t.gz" : "t");
    writeBytes(path, bytes, gzip);
    expectDataError([&] { readIdx(path, 3); }, {path, "truncated"});
  }
}

TEST(Idx, TruncatedHeaderIsAnError) {
  TempDir dir;
  writeBytes(dir / "h", {0, 0, 8, 3, 0, 0}, false);
  expectDataError([&] { readIdx(dir / "h", 3); }, {dir / "h", "truncated"});
  writeBytes(dir / "e", {}, false);
  expectDataError([&] { readIdx(dir / "e", 3); }, {dir / "e", "truncated"});
}

TEST(Idx, BadMagicIsAnError) {
  TempDir dir;
  for (bool gzip : {false, true}) {
    std::vector<uint8_t> bytes = idxBytes({3, 4}, kData);
    bytes[0] = 0x1f;
    const std::string path = dir / (gzip ? "m.gz" : "m");
    writeBytes(path, bytes, gzip);
    expectDataError([&] { readIdx(path, 2); }, {path, "magic"});
  }
  // A non-ubyte element type (0x0D = float) is refused by name.
  std::vector<uint8_t> floats = idxBytes({3, 4}, kData);
  floats[2] = 0x0D;
  writeBytes(dir / "f", floats, false);
  expectDataError([&] { readIdx(dir / "f", 2); }, {dir / "f", "type"});
}

TEST(Idx, WrongRankIsAnError) {
  TempDir dir;
  writeBytes(dir / "r", idxBytes({12}, kData), false);
  expectDataError([&] { readIdx(dir / "r", 3); }, {dir / "r", "rank"});
}

TEST(Idx, CorruptGzipIsAnError) {
  TempDir dir;
  writeBytes(dir / "c.gz", idxBytes({3, 2, 2}, kData), true);
  std::vector<uint8_t> bytes = readFileBytes(dir / "c.gz"); // gunzipped
  // Rewrite the raw gzip stream with a damaged deflate body.
  std::ifstream in(dir / "c.gz", std::ios::binary);
  std::vector<uint8_t> raw((std::istreambuf_iterator<char>(in)), {});
  ASSERT_GT(raw.size(), 20u);
  for (size_t i = 10; i < raw.size() - 8; ++i)
    raw[i] ^= 0x5a;
  writeBytes(dir / "c.gz", raw, false);
  expectDataError([&] { readIdx(dir / "c.gz", 3); }, {dir / "c.gz"});
  EXPECT_EQ(bytes.size(), 4 + 12 + 12u);
}
