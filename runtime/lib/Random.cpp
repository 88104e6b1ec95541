//===- Random.cpp - SplitMix64, xoshiro256**, Box–Muller ------------------===//

#include "netc/Random.h"

#include <cmath>

namespace netc::rt {

uint64_t splitmix64(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t fnv1a64(const void *data, size_t size, uint64_t hash) {
  const auto *bytes = static_cast<const unsigned char *>(data);
  for (size_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

static inline uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

Rng::Rng(uint64_t seed) {
  uint64_t sm = seed;
  for (uint64_t &word : s)
    word = splitmix64(sm);
}

Rng Rng::fromState(const uint64_t state[4]) {
  Rng rng(0);
  for (int i = 0; i < 4; ++i)
    rng.s[i] = state[i];
  return rng;
}

uint64_t Rng::next() {
  const uint64_t result = rotl(s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

float Rng::uniform() { return static_cast<float>(next() >> 40) * 0x1.0p-24f; }

double Rng::uniformDouble() {
  return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

double Rng::normal() {
  if (hasCachedNormal) {
    hasCachedNormal = false;
    return cachedNormal;
  }
  // u1 in (0, 1] keeps log() finite.
  const double u1 = 1.0 - uniformDouble();
  const double u2 = uniformDouble();
  const double radius = std::sqrt(-2.0 * std::log(u1));
  const double angle = 2.0 * M_PI * u2;
  cachedNormal = radius * std::sin(angle);
  hasCachedNormal = true;
  return radius * std::cos(angle);
}

uint64_t Rng::below(uint64_t bound) {
  if (bound <= 1)
    return 0;
  // Lemire: multiply-high maps 64 random bits onto [0, bound); reject the
  // few low products that would make some results more likely.
  unsigned __int128 m = static_cast<unsigned __int128>(next()) * bound;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < bound) {
    const uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(next()) * bound;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

void shuffle(std::vector<int64_t> &indices, Rng &rng) {
  for (size_t i = indices.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(rng.below(i));
    std::swap(indices[i - 1], indices[j]);
  }
}

} // namespace netc::rt
