//===- MemoryEstimate.h - What a training step needs in memory -*- C++ -*-===//
//
// One model of a step's memory, shared by `netc check` (compiler/lib/Driver/
// Memory.cpp, where networks and batch sizes are static) and a program's
// start-up (runtime/lib/Memory.cpp, where --set batch_size and the data are
// known too), so both say the same numbers. Header-only and dependency-free
// so that both sides can include it.
//
// Per layer, at batch size B (floats of 4 bytes):
//   parameters       its weights
//   optimizer state  slots x its trainable weights
//   activations      its output for B samples, and the output's gradient
//                    while training (flatten: a view, nothing)
//   workspace        its weight gradients while training
//   data             the input layer: the prefetcher's two batch buffers
// All sizes saturate at INT64_MAX instead of overflowing.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_MEMORYESTIMATE_H
#define NETC_MEMORYESTIMATE_H

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <string>
#include <unistd.h>

namespace netc::memory {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kFloatBytes = 4;

/// a + b and a * b for non-negative sizes, saturating at kMax.
inline int64_t add(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_add_overflow(a, b, &r) ? kMax : r;
}
inline int64_t mul(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_mul_overflow(a, b, &r) ? kMax : r;
}

/// What the model needs to know about one layer.
struct LayerSize {
  std::string name, kind;
  int line = 0, col = 0; // where it is declared; 0 if unknown
  int64_t outFloats = 0; // its output, per sample
  int64_t paramFloats = 0, trainableFloats = 0;
};

/// Bytes by category.
struct Bytes {
  int64_t params = 0, state = 0, activations = 0, workspace = 0, data = 0;
  int64_t total() const {
    return add(add(add(params, state), add(activations, workspace)), data);
  }
  Bytes &operator+=(const Bytes &o) {
    params = add(params, o.params);
    state = add(state, o.state);
    activations = add(activations, o.activations);
    workspace = add(workspace, o.workspace);
    data = add(data, o.data);
    return *this;
  }
};

/// One layer's bytes in a training step (`training`) with `slots` optimizer
/// slots per trainable weight, or in an evaluation, at `batch` samples.
inline Bytes layerBytes(const LayerSize &l, bool training, int64_t slots,
                        int64_t batch) {
  Bytes b;
  b.params = mul(l.paramFloats, kFloatBytes);
  const int64_t batchBytes = mul(mul(l.outFloats, batch), kFloatBytes);
  if (l.kind == "input") // two prefetch buffers, no gradient
    b.data = mul(batchBytes, 2);
  else if (l.kind != "flatten") // a view: nothing of its own
    b.activations = mul(batchBytes, training ? 2 : 1); // output, gradient
  if (training) {
    b.state = mul(mul(l.trainableFloats, slots), kFloatBytes);
    b.workspace = mul(l.trainableFloats, kFloatBytes);
  }
  return b;
}

/// "512 B", "3.0 KiB", "16.0 GiB" (powers of 1024); "over 8 EiB" when
/// saturated.
inline std::string formatBytes(int64_t bytes) {
  if (bytes >= kMax)
    return "over 8 EiB";
  static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 6) {
    v /= 1024;
    ++u;
  }
  char buf[48];
  if (u == 0)
    std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
  else
    std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

/// "parameters 8.0 GiB, optimizer state 8.0 GiB, activations and gradients
/// 1.0 KiB": the non-zero categories.
inline std::string describe(const Bytes &b) {
  std::string out;
  auto item = [&](const char *what, int64_t v) {
    if (v > 0)
      out +=
          (out.empty() ? "" : ", ") + std::string(what) + " " + formatBytes(v);
  };
  item("parameters", b.params);
  item("optimizer state", b.state);
  item("activations and gradients", b.activations);
  item("workspace", b.workspace);
  item("data", b.data);
  return out;
}

/// The limit a step must fit in, and where it comes from.
struct Limit {
  int64_t bytes = kMax; // kMax: no limit
  std::string source;   // "this machine's memory", "--memory-limit 8G"
  std::string text() const { return formatBytes(bytes) + " (" + source + ")"; }
};

/// Parses a --memory-limit value: bytes, or a number with K, M, G, T
/// (powers of 1024, any case, optionally followed by "B" or "iB"), e.g.
/// 512M, 1.5G, 2kb.
inline bool parseSize(const std::string &text, int64_t &bytes) {
  if (text.empty())
    return false;
  errno = 0;
  char *end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (errno || end == text.c_str() || !std::isfinite(v) || v <= 0)
    return false;
  std::string unit;
  for (const char *c = end; *c; ++c)
    unit += static_cast<char>(*c | 0x20); // lower case
  if (unit.size() > 1 && (unit.substr(1) == "b" || unit.substr(1) == "ib"))
    unit = unit.substr(0, 1);
  const std::string units = "kmgt";
  double scale = 1;
  if (unit.size() == 1 && units.find(unit[0]) != std::string::npos)
    scale = std::pow(1024.0, units.find(unit[0]) + 1);
  else if (!unit.empty() && unit != "b")
    return false;
  const double b = v * scale;
  if (b >= 9.2e18)
    return false;
  bytes = static_cast<int64_t>(b);
  return bytes > 0;
}

/// The machine's physical memory, or the container's (cgroup v2) memory
/// limit when that is lower.
inline Limit machineLimit() {
  Limit limit;
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages > 0 && page > 0)
    limit.bytes = mul(pages, page);
  limit.source = "this machine's memory; --memory-limit SIZE sets another";
  std::ifstream cgroup("/sys/fs/cgroup/memory.max");
  long long max = 0;
  if (cgroup >> max && max > 0 && max < limit.bytes) {
    limit.bytes = max;
    limit.source = "this container's memory limit; --memory-limit SIZE "
                   "sets another";
  }
  return limit;
}

/// What no machine can hold: an x86-64 process addresses 128 TiB (47 bits).
/// `netc build`'s limit, which does not know the machine a program will run
/// on, so that sizes no machine can hold (or that overflow) fail early.
inline Limit addressSpaceLimit() {
  Limit limit;
  limit.bytes = int64_t(1) << 47;
  limit.source = "the address space of an x86-64 process; --memory-limit "
                 "SIZE checks for a machine";
  return limit;
}

} // namespace netc::memory

#endif // NETC_MEMORYESTIMATE_H
