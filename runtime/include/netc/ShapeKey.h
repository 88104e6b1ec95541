//===- ShapeKey.h - Kernel shapes as keys of per-shape caches ---*- C++ -*-===//
//
// The kernels (oneDNN on cpu, cuDNN on cuda) cache their primitives and
// descriptors per shape: the ABI's integer arguments of one call as an
// array, hashed with FNV-1a over its words.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_SHAPEKEY_H
#define NETC_SHAPEKEY_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace netc::rt {

template <size_t N> using ShapeKey = std::array<int64_t, N>;

struct ShapeKeyHash {
  template <size_t N> size_t operator()(const ShapeKey<N> &k) const {
    size_t h = 0xcbf29ce484222325ULL;
    for (int64_t v : k)
      h = (h ^ static_cast<size_t>(v)) * 0x100000001b3ULL;
    return h;
  }
};

/// A cache of V per shape of N integers.
template <size_t N, typename V>
using ShapeCache = std::unordered_map<ShapeKey<N>, V, ShapeKeyHash>;

} // namespace netc::rt

#endif // NETC_SHAPEKEY_H
