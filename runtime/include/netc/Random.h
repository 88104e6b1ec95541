//===- Random.h - The runtime's own random number generator ----*- C++ -*-===//
//
// Weights, shuffles and dropout seeds must be bit-identical on every machine
// and standard library, so the runtime never uses std:: distributions (their
// algorithms are implementation-defined). SplitMix64 expands the 64-bit seed
// into xoshiro256** state; floats and normals are derived here explicitly.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_RANDOM_H
#define NETC_RANDOM_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace netc::rt {

/// SplitMix64 step: advances `state` and returns the next output. Used to
/// seed xoshiro (a single seed word must fill 256 bits of state) and to
/// derive independent sub-seeds.
uint64_t splitmix64(uint64_t &state);

/// 64-bit FNV-1a hash; the stable basis of default run seeds.
uint64_t fnv1a64(const void *data, size_t size,
                 uint64_t hash = 0xcbf29ce484222325ULL);

class Rng {
public:
  explicit Rng(uint64_t seed);
  /// A generator at an exact xoshiro256** state (tests, checkpoints).
  static Rng fromState(const uint64_t state[4]);

  /// Raw xoshiro256** output.
  uint64_t next();
  /// Uniform float in [0, 1): the top 24 bits, so every value is exact.
  float uniform();
  /// Uniform double in [0, 1) from the top 53 bits.
  double uniformDouble();
  /// Standard normal via Box–Muller (pairs; the second value is cached).
  double normal();
  /// Uniform integer in [0, bound), unbiased (Lemire's rejection method).
  uint64_t below(uint64_t bound);

private:
  uint64_t s[4];
  double cachedNormal = 0.0;
  bool hasCachedNormal = false;
};

/// In-place Fisher–Yates shuffle driven by `rng`.
void shuffle(std::vector<int64_t> &indices, Rng &rng);

} // namespace netc::rt

#endif // NETC_RANDOM_H
