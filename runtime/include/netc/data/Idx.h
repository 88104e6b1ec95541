//===- Idx.h - IDX files (MNIST's format), gzipped or plain ----*- C++ -*-===//
#ifndef NETC_DATA_IDX_H
#define NETC_DATA_IDX_H

#include <cstdint>
#include <string>
#include <vector>

namespace netc::rt {

/// An IDX array of unsigned bytes (the only element type MNIST-like sets
/// use): dims as in the header, data row-major.
struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;
};

/// Reads `path`; gzip is detected by zlib transparently. `expectedRank` is
/// checked (0 = any). At most `maxRecords` along dim 0 are read (-1 = all).
/// Throws DataError naming `path` on a missing file, bad magic, a non-ubyte
/// type, a wrong rank or truncated data.
IdxArray readIdx(const std::string &path, int expectedRank,
                 int64_t maxRecords = -1);

/// Reads a whole (possibly gzipped) file into memory; DataError if missing.
std::vector<uint8_t> readFileBytes(const std::string &path);

} // namespace netc::rt

#endif // NETC_DATA_IDX_H
