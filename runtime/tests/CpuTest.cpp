// The start-up CPU check (runtime/lib/Cpu.cpp): feature lists, levels, the
// refusal naming the missing features, and the test hook that hides some.
#include "netc/Cpu.h"

#include <cstdio>
#include <cstdlib>
#include <gtest/gtest.h>

using namespace netc;
using namespace netc::rt;

namespace {

using Names = std::vector<std::string>;

std::string checkOutput(const char *cpu, const char *features, bool &ok) {
  char *buf = nullptr;
  size_t size = 0;
  FILE *err = open_memstream(&buf, &size);
  ok = checkTargetCpu(cpu, features, err);
  std::fclose(err);
  std::string out(buf, size);
  std::free(buf);
  return out;
}

} // namespace

TEST(Cpu, ParsesFeatureLists) {
  EXPECT_EQ(parseCpuFeatures("+avx2,-avx512f,fma sse4.2"),
            (Names{"avx2", "fma", "sse4.2"}));
  EXPECT_EQ(parseCpuFeatures(""), Names{});
}

TEST(Cpu, MissingFeaturesInTableOrder) {
  EXPECT_EQ(
      missingCpuFeatures({"avx512f", "avx2", "crc32", "sse4.2"}, {"sse4.2"}),
      (Names{"avx2", "avx512f"})); // crc32: not checkable
  EXPECT_EQ(missingCpuFeatures({"avx2"}, {"avx2", "fma"}), Names{});
}

TEST(Cpu, Levels) {
  const Names v2{"cx16", "popcnt", "sahf", "sse3", "sse4.1", "sse4.2", "ssse3"};
  Names v3 = v2;
  for (const char *f :
       {"avx", "avx2", "bmi", "bmi2", "f16c", "fma", "lzcnt", "movbe", "xsave"})
    v3.push_back(f);
  Names v4 = v3;
  for (const char *f :
       {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"})
    v4.push_back(f);
  EXPECT_EQ(x86Level({}), "x86-64");
  EXPECT_EQ(x86Level(v2), "x86-64-v2");
  EXPECT_EQ(x86Level(v3), "x86-64-v3");
  EXPECT_EQ(x86Level(v4), "x86-64-v4");
  v4.pop_back();
  EXPECT_EQ(x86Level(v4), "x86-64-v3");
}

TEST(Cpu, RunningCpuPassesItsOwnFeatures) {
  const Names here = runningCpuFeatures();
  std::string list;
  for (const std::string &f : here)
    list += f + ",";
  bool ok = false;
  EXPECT_EQ(checkOutput("native-here", list.c_str(), ok), "");
  EXPECT_TRUE(ok);
  EXPECT_EQ(targetCpuJson()["target"], "native-here");
  EXPECT_EQ(targetCpuJson()["machine"], runningCpuName());
}

TEST(Cpu, RefusesNamingTheMissingFeatures) {
  ASSERT_EQ(setenv("NETC_TEST_HIDE_CPU_FEATURES", "sse4.2,sse3", 1), 0);
  bool ok = true;
  const std::string out =
      checkOutput("x86-64-v2", "cx16,popcnt,sahf,sse3,sse4.1,sse4.2,ssse3", ok);
  unsetenv("NETC_TEST_HIDE_CPU_FEATURES");
  EXPECT_FALSE(ok);
  EXPECT_NE(out.find("error: this program was built for the CPU 'x86-64-v2', "
                     "whose features sse3, sse4.2 this machine's CPU ("),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("rebuild it with 'netc build --cpu x86-64'"),
            std::string::npos)
      << out;
  EXPECT_EQ(targetCpuJson()["target_level"], "x86-64-v2");
}
