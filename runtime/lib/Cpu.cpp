//===- Cpu.cpp - Start-up check of the CPU a program was built for --------===//
//
// The feature table mirrors LLVM's own host detection (llvm::sys::
// getHostCPUFeatures in TargetParser/Host.cpp): the same cpuid bits, and the
// same requirement that the OS saves the YMM (AVX) or ZMM (AVX-512)
// registers, so a program built with `--cpu native` always passes on the
// machine that built it. Only features that compiled numeric code can use
// are checked; the others of a target's list are recorded, not tested.
//
//===----------------------------------------------------------------------===//
#include "netc/Cpu.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <cpuid.h>
#define NETC_HAVE_CPUID 1
#endif

namespace netc::rt {

namespace {

enum Reg { EAX, EBX, ECX, EDX };
enum Save { NoState, AvxState, Avx512State };

struct FeatureBit {
  const char *name;
  unsigned leaf, subleaf;
  Reg reg;
  unsigned bit;
  Save state; // register state the OS must save for the feature to work
};

constexpr unsigned kExt = 0x80000001;

const FeatureBit kFeatures[] = {
    {"sse3", 1, 0, ECX, 0, NoState},
    {"pclmul", 1, 0, ECX, 1, NoState},
    {"ssse3", 1, 0, ECX, 9, NoState},
    {"fma", 1, 0, ECX, 12, AvxState},
    {"cx16", 1, 0, ECX, 13, NoState},
    {"sse4.1", 1, 0, ECX, 19, NoState},
    {"sse4.2", 1, 0, ECX, 20, NoState},
    {"movbe", 1, 0, ECX, 22, NoState},
    {"popcnt", 1, 0, ECX, 23, NoState},
    {"aes", 1, 0, ECX, 25, NoState},
    {"xsave", 1, 0, ECX, 26, AvxState},
    {"avx", 1, 0, ECX, 28, AvxState},
    {"f16c", 1, 0, ECX, 29, AvxState},
    {"sahf", kExt, 0, ECX, 0, NoState},
    {"lzcnt", kExt, 0, ECX, 5, NoState},
    {"sse4a", kExt, 0, ECX, 6, NoState},
    {"xop", kExt, 0, ECX, 11, AvxState},
    {"fma4", kExt, 0, ECX, 16, AvxState},
    {"bmi", 7, 0, EBX, 3, NoState},
    {"avx2", 7, 0, EBX, 5, AvxState},
    {"bmi2", 7, 0, EBX, 8, NoState},
    {"avx512f", 7, 0, EBX, 16, Avx512State},
    {"avx512dq", 7, 0, EBX, 17, Avx512State},
    {"adx", 7, 0, EBX, 19, NoState},
    {"avx512ifma", 7, 0, EBX, 21, Avx512State},
    {"avx512cd", 7, 0, EBX, 28, Avx512State},
    {"sha", 7, 0, EBX, 29, NoState},
    {"avx512bw", 7, 0, EBX, 30, Avx512State},
    {"avx512vl", 7, 0, EBX, 31, Avx512State},
    {"avx512vbmi", 7, 0, ECX, 1, Avx512State},
    {"avx512vbmi2", 7, 0, ECX, 6, Avx512State},
    {"gfni", 7, 0, ECX, 8, NoState},
    {"vaes", 7, 0, ECX, 9, AvxState},
    {"vpclmulqdq", 7, 0, ECX, 10, AvxState},
    {"avx512vnni", 7, 0, ECX, 11, Avx512State},
    {"avx512bitalg", 7, 0, ECX, 12, Avx512State},
    {"avx512vpopcntdq", 7, 0, ECX, 14, Avx512State},
    {"avx512fp16", 7, 0, EDX, 23, Avx512State},
    {"avxvnni", 7, 1, EAX, 4, AvxState},
    {"avx512bf16", 7, 1, EAX, 5, Avx512State},
};

// The x86-64 micro-architecture levels (System V psABI), each adding to the
// one before; as LLVM's x86-64-v2/v3/v4 CPUs.
const char *const kLevelV2[] = {"cx16",   "popcnt", "sahf", "sse3",
                                "sse4.1", "sse4.2", "ssse3"};
const char *const kLevelV3[] = {"avx", "avx2",  "bmi",   "bmi2", "f16c",
                                "fma", "lzcnt", "movbe", "xsave"};
const char *const kLevelV4[] = {"avx512bw", "avx512cd", "avx512dq", "avx512f",
                                "avx512vl"};

bool contains(const std::vector<std::string> &v, const std::string &s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

#ifdef NETC_HAVE_CPUID
struct Regs {
  unsigned r[4] = {0, 0, 0, 0};
  bool ok = false;
};

Regs cpuid(unsigned leaf, unsigned subleaf) {
  Regs out;
  const unsigned max = __get_cpuid_max(leaf & 0x80000000u, nullptr);
  if (max < leaf)
    return out;
  __cpuid_count(leaf, subleaf, out.r[EAX], out.r[EBX], out.r[ECX], out.r[EDX]);
  out.ok = true;
  if (leaf == 7 && subleaf == 1) { // valid only if leaf 7 says so
    unsigned a, b, c, d;
    __cpuid_count(7, 0, a, b, c, d);
    out.ok = a >= 1;
  }
  return out;
}

/// Which register state the OS saves (XCR0), as LLVM's HasAVXSave and
/// HasAVX512Save.
void savedState(bool &avx, bool &avx512) {
  avx = avx512 = false;
  const Regs one = cpuid(1, 0);
  if (!one.ok || !((one.r[ECX] >> 27) & 1) || !((one.r[ECX] >> 28) & 1))
    return; // no OSXSAVE or no AVX
  unsigned lo, hi;
  __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  avx = (lo & 0x6) == 0x6;
  avx512 = avx && (lo & 0xe0) == 0xe0;
}
#endif

} // namespace

std::vector<std::string> parseCpuFeatures(const std::string &list) {
  std::vector<std::string> out;
  std::string item;
  auto flush = [&] {
    if (!item.empty() && item[0] != '-')
      out.push_back(item[0] == '+' ? item.substr(1) : item);
    item.clear();
  };
  for (char c : list) {
    if (c == ',' || c == ' ')
      flush();
    else
      item += c;
  }
  flush();
  return out;
}

bool isCheckableCpuFeature(const std::string &feature) {
  for (const FeatureBit &f : kFeatures)
    if (feature == f.name)
      return true;
  return false;
}

std::vector<std::string> runningCpuFeatures() {
  std::vector<std::string> out;
#ifdef NETC_HAVE_CPUID
  bool avx = false, avx512 = false;
  savedState(avx, avx512);
  for (const FeatureBit &f : kFeatures) {
    const Regs r = cpuid(f.leaf, f.subleaf);
    const bool saved = f.state == NoState    ? true
                       : f.state == AvxState ? avx
                                             : avx512;
    if (r.ok && ((r.r[f.reg] >> f.bit) & 1) && saved)
      out.push_back(f.name);
  }
#endif
  if (const char *hide = std::getenv("NETC_TEST_HIDE_CPU_FEATURES"))
    for (const std::string &h : parseCpuFeatures(hide))
      out.erase(std::remove(out.begin(), out.end(), h), out.end());
  return out;
}

std::vector<std::string>
missingCpuFeatures(const std::vector<std::string> &required,
                   const std::vector<std::string> &available) {
  std::vector<std::string> missing; // in table order, whatever the input's
  for (const FeatureBit &f : kFeatures)
    if (contains(required, f.name) && !contains(available, f.name))
      missing.push_back(f.name);
  return missing;
}

std::string x86Level(const std::vector<std::string> &features) {
  auto all = [&](auto &names) {
    for (const char *n : names)
      if (!contains(features, n))
        return false;
    return true;
  };
  if (!all(kLevelV2))
    return "x86-64";
  if (!all(kLevelV3))
    return "x86-64-v2";
  return all(kLevelV4) ? "x86-64-v4" : "x86-64-v3";
}

std::string runningCpuName() {
  std::string name;
#ifdef NETC_HAVE_CPUID
  if (__get_cpuid_max(0x80000000u, nullptr) >= 0x80000004u)
    for (unsigned leaf = 0x80000002u; leaf <= 0x80000004u; ++leaf) {
      unsigned r[4];
      __cpuid(leaf, r[0], r[1], r[2], r[3]);
      name.append(reinterpret_cast<const char *>(r), sizeof r);
    }
#endif
  name = name.c_str(); // drop the NUL padding
  const size_t first = name.find_first_not_of(' ');
  const size_t last = name.find_last_not_of(' ');
  return first == std::string::npos ? "unknown"
                                    : name.substr(first, last - first + 1);
}

namespace {
nlohmann::ordered_json &cpuRecord() {
  static nlohmann::ordered_json record;
  return record;
}

std::string joined(const std::vector<std::string> &names,
                   const char *separator) {
  std::string out;
  for (const std::string &n : names)
    out += (out.empty() ? "" : separator) + n;
  return out;
}
} // namespace

bool checkTargetCpu(const char *cpu, const char *features, FILE *err) {
  const std::string name = cpu && *cpu ? cpu : "unknown";
  std::vector<std::string> required =
      parseCpuFeatures(features ? features : "");
  const std::vector<std::string> available = runningCpuFeatures();
  const std::string machine = runningCpuName();
  std::vector<std::string> checked; // in table order
  for (const FeatureBit &f : kFeatures)
    if (contains(required, f.name))
      checked.push_back(f.name);
  cpuRecord() = {{"target", name},
                 {"target_level", x86Level(required)},
                 {"target_features", joined(checked, " ")},
                 {"machine", machine},
                 {"machine_level", x86Level(available)}};
  const std::vector<std::string> missing =
      missingCpuFeatures(required, available);
  if (missing.empty())
    return true;
  std::fprintf(err,
               "error: this program was built for the CPU '%s', whose "
               "features %s this machine's CPU (%s) lacks; rebuild it with "
               "'netc build --cpu %s' (what this CPU supports) or "
               "'--cpu native' on this machine\n",
               name.c_str(), joined(missing, ", ").c_str(), machine.c_str(),
               x86Level(available).c_str());
  return false;
}

const nlohmann::ordered_json &targetCpuJson() { return cpuRecord(); }

} // namespace netc::rt
