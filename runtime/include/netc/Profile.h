//===- Profile.h - Time per op family for --profile -------------*- C++ -*-===//
//
// `--profile` (a built program, `netc run`) prints after the run how the
// time went: per family of netc/Profile.def, the timed regions, their total
// and per-train-step milliseconds and their share of the run, and
// "other/idle", the time no region covers. Regions are opened and closed by
// compiled code around every top-level loop nest of a step
// (netc_profile_begin/end below), by the runtime's kernels and by the
// training loop (Scope). A region that begins while another is open is part
// of the outer one (the outermost region wins): evaluation is one row, not
// its convolutions. Off, a region costs one load and one branch; on, two
// reads of the monotonic clock. Regions are recorded on one thread, the one
// that runs the steps.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_PROFILE_H
#define NETC_PROFILE_H

#include <array>
#include <cstdint>
#include <string>

/// What compiled code calls around every top-level loop nest of a step;
/// `family` is a position in netc/Profile.def. (Part of the contract of
/// netc/Abi.h; the compiler declares them itself, ProfileLoops.cpp.)
extern "C" {
void netc_profile_begin(int32_t family);
void netc_profile_end(int32_t family);
}

namespace netc::rt::profile {

enum class Family : int32_t {
#define NETC_PROFILE_FAMILY(Id, Label) Id,
#include "netc/Profile.def"
};

/// The table's names for people, and the Ids the compiler's locations
/// carry.
inline constexpr const char *kLabels[] = {
#define NETC_PROFILE_FAMILY(Id, Label) Label,
#include "netc/Profile.def"
};
inline constexpr const char *kIds[] = {
#define NETC_PROFILE_FAMILY(Id, Label) #Id,
#include "netc/Profile.def"
};
inline constexpr int kNumFamilies = sizeof(kLabels) / sizeof(kLabels[0]);

/// What a profiled window holds: per family the outermost regions and their
/// nanoseconds, the window's length and the train steps in it.
struct Report {
  std::array<int64_t, kNumFamilies> calls{}, ns{};
  int64_t windowNs = 0, steps = 0;
  /// The window's nanoseconds that no region covers (never negative).
  int64_t otherNs() const;
};

/// The bookkeeping, apart from any clock so that tests drive it with chosen
/// times (nanoseconds). A family number out of range counts as `compiled`.
class Accumulator {
public:
  /// Clears everything and opens the window at `now`.
  void start(int64_t now);
  void begin(int32_t family, int64_t now);
  /// Closes the innermost open region; the outermost one's time is booked
  /// when it closes. An end without a begin is ignored.
  void end(int64_t now);
  void countStep() { ++report.steps; }
  /// The report of the window from start() to `now`.
  Report finish(int64_t now) const;

private:
  Report report;
  int64_t windowStart = 0, regionStart = 0;
  int32_t open = 0, depth = 0;
};

/// The table `--profile` prints: a title line, a header, one row per family
/// that ran, other/idle and the total.
std::string formatTable(const Report &report);

namespace detail {
/// Whether the program's profiler records: the one branch of every region.
extern bool enabled;
void countStep();
} // namespace detail

/// Starts recording into the program's accumulator (clearing it).
void start();
/// Stops recording; the report of the window since start().
Report stop();
/// One more train step in the window (a no-op when off).
inline void countStep() {
  if (detail::enabled)
    detail::countStep();
}

/// A region of family `f` for the lifetime of the object.
class Scope {
public:
  explicit Scope(Family f)
      : family(static_cast<int32_t>(f)), on(detail::enabled) {
    if (on)
      netc_profile_begin(family);
  }
  ~Scope() {
    if (on)
      netc_profile_end(family);
  }
  Scope(const Scope &) = delete;
  Scope &operator=(const Scope &) = delete;

private:
  const int32_t family;
  const bool on;
};

} // namespace netc::rt::profile

#endif // NETC_PROFILE_H
