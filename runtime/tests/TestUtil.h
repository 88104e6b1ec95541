// Helpers shared by the runtime tests: temporary directories and writers of
// small data files in the official formats.
#ifndef NETC_RUNTIME_TESTS_TESTUTIL_H
#define NETC_RUNTIME_TESTS_TESTUTIL_H

#include "netc/Random.h"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>
#include <zlib.h>

namespace netc::test {

/// Calls f(b, oy, ox, i, j, iy, ix) for every tap of a convolution that
/// reads a real input pixel (not padding); S has the ABI's 15 conv dims as
/// fields (n, h, w, c, kh, kw, oc, sh, sw, pt, pb, pl, pr, oh, ow).
template <typename S, typename F> void forEachTap(const S &s, F f) {
  for (int64_t b = 0; b < s.n; ++b)
    for (int64_t oy = 0; oy < s.oh; ++oy)
      for (int64_t ox = 0; ox < s.ow; ++ox)
        for (int64_t i = 0; i < s.kh; ++i)
          for (int64_t j = 0; j < s.kw; ++j) {
            const int64_t iy = oy * s.sh - s.pt + i, ix = ox * s.sw - s.pl + j;
            if (iy >= 0 && iy < s.h && ix >= 0 && ix < s.w)
              f(b, oy, ox, i, j, iy, ix);
          }
}

/// n values uniform in [-1, 1) from the runtime's generator.
inline std::vector<float> randomVector(size_t n, uint64_t seed) {
  netc::rt::Rng rng(seed);
  std::vector<float> v(n);
  for (float &x : v)
    x = rng.uniform() * 2 - 1;
  return v;
}

class TempDir {
public:
  TempDir() {
    std::string templ =
        (std::filesystem::temp_directory_path() / "netc-rt-XXXXXX").string();
    if (!mkdtemp(templ.data()))
      throw std::runtime_error("mkdtemp failed");
    path = templ;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string operator/(const std::string &name) const {
    return path + "/" + name;
  }
  std::string path;
};

inline void writeBytes(const std::string &path,
                       const std::vector<uint8_t> &bytes, bool gzip) {
  if (gzip) {
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
  } else {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char *>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
  }
}

/// An IDX ubyte file image: magic, big-endian dims, data.
inline std::vector<uint8_t> idxBytes(const std::vector<uint32_t> &dims,
                                     const std::vector<uint8_t> &data) {
  std::vector<uint8_t> bytes{0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8)
      bytes.push_back(static_cast<uint8_t>(d >> shift));
  bytes.insert(bytes.end(), data.begin(), data.end());
  return bytes;
}

/// Writes an MNIST-like set of `n` 28x28 images (pixel = (record + pixel
/// index) % 256) and labels record % 10 into `dir`.
inline void writeMnist(const std::string &dir, const std::string &prefix,
                       uint32_t n, bool gzip) {
  std::vector<uint8_t> images(n * 784), labels(n);
  for (uint32_t r = 0; r < n; ++r) {
    labels[r] = static_cast<uint8_t>(r % 10);
    for (uint32_t p = 0; p < 784; ++p)
      images[r * 784 + p] = static_cast<uint8_t>((r + p) % 256);
  }
  const std::string ext = gzip ? ".gz" : "";
  writeBytes(dir + "/" + prefix + "-images-idx3-ubyte" + ext,
             idxBytes({n, 28, 28}, images), gzip);
  writeBytes(dir + "/" + prefix + "-labels-idx1-ubyte" + ext,
             idxBytes({n}, labels), gzip);
}

} // namespace netc::test

#endif
