//===- Profile.cpp - The --profile accumulator and its table --------------===//

#include "netc/Profile.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace netc::rt::profile {

int64_t Report::otherNs() const {
  int64_t covered = 0;
  for (int64_t v : ns)
    covered += v;
  return std::max<int64_t>(windowNs - covered, 0);
}

void Accumulator::start(int64_t now) {
  report = Report();
  windowStart = now;
  depth = 0;
}

void Accumulator::begin(int32_t family, int64_t now) {
  if (depth++ > 0)
    return;
  open = family >= 0 && family < kNumFamilies
             ? family
             : static_cast<int32_t>(Family::compiled);
  regionStart = now;
}

void Accumulator::end(int64_t now) {
  if (depth == 0 || --depth > 0)
    return;
  ++report.calls[open];
  report.ns[open] += now - regionStart;
}

Report Accumulator::finish(int64_t now) const {
  Report r = report;
  r.windowNs = now - windowStart;
  return r;
}

namespace {

std::string row(const char *label, const std::string &calls, double ms,
                int64_t steps, double windowMs) {
  char perStep[32] = "-";
  if (steps > 0)
    std::snprintf(perStep, sizeof perStep, "%.3f", ms / steps);
  char line[160];
  std::snprintf(line, sizeof line, "%-24s %8s %12.3f %10s %9.1f\n", label,
                calls.c_str(), ms, perStep,
                windowMs > 0 ? 100 * ms / windowMs : 0.0);
  return line;
}

} // namespace

std::string formatTable(const Report &r) {
  const double windowMs = r.windowNs / 1e6;
  char title[160];
  if (r.steps > 0)
    std::snprintf(title, sizeof title,
                  "Profile: %lld train steps in %.1f ms, %.3f ms per step\n",
                  static_cast<long long>(r.steps), windowMs,
                  windowMs / r.steps);
  else
    std::snprintf(title, sizeof title,
                  "Profile: no train steps, %.1f ms in all\n", windowMs);
  char header[160];
  std::snprintf(header, sizeof header, "%-24s %8s %12s %10s %9s\n", "family",
                "calls", "total ms", "ms/step", "% of step");
  std::string out = std::string(title) + header;
  for (int f = 0; f < kNumFamilies; ++f)
    if (r.calls[f] > 0)
      out += row(kLabels[f], std::to_string(r.calls[f]), r.ns[f] / 1e6, r.steps,
                 windowMs);
  out += row("other/idle", "-", r.otherNs() / 1e6, r.steps, windowMs);
  out += row("total", "-", windowMs, r.steps, windowMs);
  return out;
}

// ---- The program's profiler --------------------------------------------

bool detail::enabled = false;

namespace {

Accumulator programAccumulator;

Accumulator &program() { return programAccumulator; }

int64_t now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

} // namespace

void detail::countStep() { program().countStep(); }

void start() {
  program().start(now());
  detail::enabled = true;
}

Report stop() {
  detail::enabled = false;
  return program().finish(now());
}

} // namespace netc::rt::profile

extern "C" {

void netc_profile_begin(int32_t family) {
  using namespace netc::rt::profile;
  if (detail::enabled)
    program().begin(family, now());
}

void netc_profile_end(int32_t /*family*/) {
  using namespace netc::rt::profile;
  if (detail::enabled)
    program().end(now());
}

} // extern "C"
