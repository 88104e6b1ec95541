//===- Cpu.h - The CPU a program was built for ------------------*- C++ -*-===//
//
// `netc build --cpu NAME` compiles the kernels for one CPU and records its
// name and its x86 features (LLVM's names) in the program. Before anything
// else, main() compares them with the running CPU (cpuid, and XCR0 for the
// register state the OS saves), so a program built for AVX-512 refuses to
// start on an AVX2 machine with a message instead of dying of SIGILL. This
// file is compiled for the baseline x86-64 like the rest of the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_CPU_H
#define NETC_CPU_H

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace netc::rt {

/// Splits a comma- or space-separated feature list ("avx2,+fma") into
/// names without '+'; "-name" entries (disabled features) are dropped.
std::vector<std::string> parseCpuFeatures(const std::string &list);

/// Whether the runtime can test `feature` on the running CPU.
bool isCheckableCpuFeature(const std::string &feature);

/// The checkable features the running CPU has, in table order. The
/// environment variable NETC_TEST_HIDE_CPU_FEATURES (a list, for tests only)
/// removes features, as if the CPU lacked them.
std::vector<std::string> runningCpuFeatures();

/// The checkable names of `required` that `available` lacks.
std::vector<std::string>
missingCpuFeatures(const std::vector<std::string> &required,
                   const std::vector<std::string> &available);

/// The highest x86-64 micro-architecture level ("x86-64-v3") whose features
/// are all in `features`.
std::string x86Level(const std::vector<std::string> &features);

/// The running CPU's brand string ("AMD EPYC 7B13"), or "unknown".
std::string runningCpuName();

/// The start-up check: `cpu` and `features` are what the compiler recorded
/// (null in a program built before they existed). Prints an error naming
/// the missing features to `err` and returns false when the running CPU
/// lacks any. Remembers the target for results.json.
bool checkTargetCpu(const char *cpu, const char *features, FILE *err);

/// results.json's "cpu": the target (name, level, features) and the machine
/// the program runs on; null until checkTargetCpu has run.
const nlohmann::ordered_json &targetCpuJson();

} // namespace netc::rt

#endif // NETC_CPU_H
