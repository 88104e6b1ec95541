//===- Idx.cpp - IDX reader over zlib -------------------------------------===//
//
// zlib's gzread reads gzip and plain files alike, so one path handles both
// the official gzipped MNIST files and users' gunzipped copies.
//
//===----------------------------------------------------------------------===//

#include "netc/data/Idx.h"
#include "netc/data/Dataset.h"

#include <cerrno>
#include <cstring>
#include <memory>
#include <zlib.h>

namespace netc::rt {

namespace {

struct GzCloser {
  void operator()(gzFile_s *f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

GzFile openOrThrow(const std::string &path) {
  errno = 0;
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f)
    throw DataError(path, errno ? std::strerror(errno) : "cannot open");
  return GzFile(f);
}

// Reads up to `size` bytes; returns how many were read. Throws on a zlib
// error (corrupt gzip stream) rather than returning a short count.
size_t readSome(gzFile f, const std::string &path, uint8_t *dst, size_t size) {
  size_t done = 0;
  while (done < size) {
    const unsigned chunk =
        static_cast<unsigned>(std::min<size_t>(size - done, 1u << 30));
    const int got = gzread(f, dst + done, chunk);
    if (got < 0) {
      int code = 0;
      const char *msg = gzerror(f, &code);
      throw DataError(path, std::string("corrupt compressed data (") +
                                (msg ? msg : "zlib error") + ")");
    }
    if (got == 0)
      break;
    done += static_cast<size_t>(got);
  }
  return done;
}

} // namespace

std::vector<uint8_t> readFileBytes(const std::string &path) {
  GzFile f = openOrThrow(path);
  std::vector<uint8_t> bytes;
  uint8_t buffer[1 << 16];
  for (;;) {
    const size_t got = readSome(f.get(), path, buffer, sizeof buffer);
    bytes.insert(bytes.end(), buffer, buffer + got);
    if (got < sizeof buffer)
      break;
  }
  return bytes;
}

IdxArray readIdx(const std::string &path, int expectedRank,
                 int64_t maxRecords) {
  GzFile f = openOrThrow(path);
  uint8_t magic[4];
  if (readSome(f.get(), path, magic, 4) != 4)
    throw DataError(path, "truncated IDX header");
  if (magic[0] != 0 || magic[1] != 0)
    throw DataError(path, "bad magic number (not an IDX file)");
  if (magic[2] != 0x08)
    throw DataError(path, "unsupported IDX element type 0x" +
                              std::to_string(magic[2]) +
                              " (only unsigned bytes, 0x08)");
  const int rank = magic[3];
  if (rank == 0 || (expectedRank && rank != expectedRank))
    throw DataError(path, "IDX rank " + std::to_string(rank) + ", expected " +
                              std::to_string(expectedRank));
  IdxArray array;
  int64_t recordSize = 1;
  for (int i = 0; i < rank; ++i) {
    uint8_t b[4];
    if (readSome(f.get(), path, b, 4) != 4)
      throw DataError(path, "truncated IDX header");
    const int64_t dim = (int64_t(b[0]) << 24) | (int64_t(b[1]) << 16) |
                        (int64_t(b[2]) << 8) | int64_t(b[3]);
    if (dim <= 0 || dim > (int64_t(1) << 31))
      throw DataError(path, "bad IDX dimension " + std::to_string(dim));
    array.dims.push_back(dim);
    if (i > 0)
      recordSize *= dim;
  }
  if (maxRecords >= 0 && maxRecords < array.dims[0])
    array.dims[0] = maxRecords;
  const size_t total = static_cast<size_t>(array.dims[0] * recordSize);
  array.data.resize(total);
  const size_t got = readSome(f.get(), path, array.data.data(), total);
  if (got != total)
    throw DataError(path, "truncated data: expected " + std::to_string(total) +
                              " bytes after the header, found " +
                              std::to_string(got));
  return array;
}

} // namespace netc::rt
