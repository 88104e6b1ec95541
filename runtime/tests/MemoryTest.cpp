// The memory estimate (netc/MemoryEstimate.h, runtime/lib/Memory.cpp)
// against byte counts worked out by hand for a small network, the limit's
// parsing, saturation instead of overflow, and the errors naming the layer.
#include "netc/Memory.h"
#include "netc/AlignedBuffer.h"
#include "netc/Device.h"

#include <cstdlib>

#include <gtest/gtest.h>

using namespace netc;
using namespace netc::rt;

namespace {

// Tiny: input [4] -> dense(3) -> dense_1(2); adam (2 slots per weight).
// dense: 4x3 + 3 = 15 weights; dense_1: 3x2 + 2 = 8; state 2 x 23 = 46.
// Workspace: train 10 floats per sample + 23 fixed, eval 5 per sample.
// A polynomial data set of `samples` records of x and y.
Plan tinyPlan(int samples = 1000) {
  std::string text = R"json({
  "version": 1, "file": "tiny.net",
  "networks": [{"name": "Tiny", "instance": "Tiny", "param_floats": 23,
    "input_shape": [4], "output_shape": [2],
    "params": [],
    "layers": [
      {"name": "input", "kind": "input", "line": 2, "col": 5,
       "out_floats": 4, "param_floats": 0, "trainable_floats": 0},
      {"name": "dense", "kind": "dense", "line": 3, "col": 5,
       "out_floats": 3, "param_floats": 15, "trainable_floats": 15},
      {"name": "dense_1", "kind": "dense", "line": 4, "col": 5,
       "out_floats": 2, "param_floats": 8, "trainable_floats": 8}]}],
  "kernels": [{"name": "k0", "index": 0, "network": 0, "loss": "mse",
    "metric": "mse", "label_shape": [1], "output_shape": [2],
    "state_floats": 46, "train_ws_per_sample": 10, "train_ws_fixed": 23,
    "eval_ws_per_sample": 5, "eval_ws_fixed": 0}],
  "datasets": [{"name": "poly", "kind": "polynomial", "path": "",
    "args": {"samples": SAMPLES}, "list_args": {}, "str_args": {}}],
  "experiments": [{"name": "e", "select": null, "runs": [
    {"params": {}, "fold": -1, "steps": [
      {"op": "new", "slot": 0, "network": 0},
      {"op": "train", "slot": 0, "kernel": 0, "dataset": 0, "split": "train",
       "epochs": 1, "batch_size": 8}]}]}]
})json";
  text.replace(text.find("SAMPLES"), 7, std::to_string(samples));
  return parsePlan(text);
}

memory::Limit limitOf(int64_t bytes) {
  memory::Limit limit;
  limit.bytes = bytes;
  limit.source = "test";
  return limit;
}

std::string errorOf(const Plan &plan, const Options &options, int64_t bytes) {
  std::vector<const ExperimentSpec *> all{&plan.experiments[0]};
  try {
    checkMemory(plan, all, options, limitOf(bytes));
  } catch (const MemoryError &e) {
    return e.what();
  }
  return "";
}

} // namespace

TEST(Memory, TrainStepByHand) {
  const Plan plan = tinyPlan();
  std::vector<memory::Bytes> layers;
  const memory::Bytes b = stepBytes(plan, plan.kernels[0], true, 8, &layers);
  ASSERT_EQ(layers.size(), 3u);
  // input: two prefetch buffers of 8 x 4 floats.
  EXPECT_EQ(layers[0].data, 2 * 8 * 4 * 4);
  EXPECT_EQ(layers[0].total(), 256);
  // dense: 15 weights, 2 x 15 slots, output + gradient of 8 x 3.
  EXPECT_EQ(layers[1].params, 15 * 4);
  EXPECT_EQ(layers[1].state, 2 * 15 * 4);
  EXPECT_EQ(layers[1].activations, 2 * 8 * 3 * 4);
  EXPECT_EQ(layers[2].total(), 8 * 4 + 2 * 8 * 4 + 2 * 8 * 2 * 4);
  EXPECT_EQ(b.params, 23 * 4);
  EXPECT_EQ(b.state, 46 * 4);
  EXPECT_EQ(b.activations, 192 + 128);
  // The compiled step's workspace: 10 x 8 + 23 floats.
  EXPECT_EQ(b.workspace, (10 * 8 + 23) * 4);
  // Two input and two label batches.
  EXPECT_EQ(b.data, 256 + 2 * 8 * 1 * 4);
  EXPECT_EQ(b.total(), 92 + 184 + 320 + 412 + 320);
}

TEST(Memory, EvalStepByHand) {
  const Plan plan = tinyPlan();
  const memory::Bytes b = stepBytes(plan, plan.kernels[0], false, 8);
  EXPECT_EQ(b.params, 92);
  EXPECT_EQ(b.state, 0);
  // The layers' outputs and the eval function's outputs, 8 x 2.
  EXPECT_EQ(b.activations, 8 * 3 * 4 + 8 * 2 * 4 + 8 * 2 * 4);
  EXPECT_EQ(b.workspace, 5 * 8 * 4);
  EXPECT_EQ(b.data, 256 + 2 * 8 * 4);
}

TEST(Memory, GeneratedDataSet) {
  const Plan plan = tinyPlan();
  // Two splits of 1000 records of x and y (all generated, whatever the
  // limit that keeps the first ones afterwards).
  EXPECT_EQ(datasetBytes(plan.datasets[0]), 2 * 1000 * 2 * 4);
  DatasetSpec files = plan.datasets[0];
  files.kind = "mnist"; // sized by its files, not by the plan
  EXPECT_EQ(datasetBytes(files), 0);
}

TEST(Memory, ErrorNamesTheLayerOrTheStep) {
  const Plan plan = tinyPlan();
  Options options;
  // The data set: two splits of 1000 records of 2 floats, 16,000 B.
  EXPECT_EQ(errorOf(plan, options, 10000),
            "not enough memory: data set 'poly' needs 15.6 KiB; the limit is "
            "9.8 KiB (test)");
  const Plan one = tinyPlan(1); // its data set: 16 B
  EXPECT_EQ(errorOf(one, options, 300),
            "not enough memory: layer 'dense' (tiny.net:3:5) of network "
            "'Tiny' needs 372 B at batch 8 (parameters 60 B, optimizer state "
            "120 B, activations and gradients 192 B); the limit is 300 B "
            "(test)");
  // Every layer fits, their sum (1,344 B) does not.
  EXPECT_EQ(errorOf(one, options, 1000),
            "not enough memory: training network 'Tiny' at batch 8 needs "
            "1.3 KiB (parameters 92 B, optimizer state 184 B, activations "
            "and gradients 320 B, workspace 412 B, data 336 B); the limit is "
            "1000 B (test); its largest layer is 'dense' (tiny.net:3:5) with "
            "372 B");
  EXPECT_EQ(errorOf(one, options, 1344), "");
  // --set batch_size is what the run allocates for: the input batches are
  // 2 x 4 x 10^9 floats.
  options.batchSize = 1000000000;
  EXPECT_NE(errorOf(one, options, int64_t(16) << 30)
                .find("layer 'input' (tiny.net:2:5) of network 'Tiny' needs "
                      "29.8 GiB at batch 1000000000 (data 29.8 GiB)"),
            std::string::npos);
}

TEST(Memory, SaturatesInsteadOfOverflowing) {
  memory::LayerSize huge{
      "dense",          "dense",         1, 1, int64_t(1) << 40,
      int64_t(1) << 62, int64_t(1) << 62};
  const memory::Bytes b = memory::layerBytes(huge, true, 2, 1 << 30);
  EXPECT_EQ(b.params, memory::kMax);
  EXPECT_EQ(b.activations, memory::kMax);
  EXPECT_EQ(b.total(), memory::kMax);
  EXPECT_EQ(memory::formatBytes(b.total()), "over 8 EiB");
}

TEST(Memory, ParsesAndFormatsSizes) {
  int64_t bytes = 0;
  EXPECT_TRUE(memory::parseSize("8G", bytes));
  EXPECT_EQ(bytes, int64_t(8) << 30);
  EXPECT_TRUE(memory::parseSize("512M", bytes));
  EXPECT_EQ(bytes, int64_t(512) << 20);
  EXPECT_TRUE(memory::parseSize("1.5GiB", bytes));
  EXPECT_EQ(bytes, int64_t(3) << 29);
  EXPECT_TRUE(memory::parseSize("4096", bytes));
  EXPECT_EQ(bytes, 4096);
  EXPECT_TRUE(memory::parseSize("2kb", bytes));
  EXPECT_EQ(bytes, 2048);
  for (const char *bad : {"", "G", "-1G", "0", "8X", "8GG", "nan", "1e30"})
    EXPECT_FALSE(memory::parseSize(bad, bytes)) << bad;
  EXPECT_EQ(memory::formatBytes(1023), "1023 B");
  EXPECT_EQ(memory::formatBytes(int64_t(16) << 30), "16.0 GiB");
  EXPECT_GT(memory::machineLimit().bytes, 0);
}

TEST(Memory, OptionAndLimit) {
  Options options;
  options.memoryLimit = "8G";
  EXPECT_EQ(memoryLimit(options).bytes, int64_t(8) << 30);
  EXPECT_EQ(memoryLimit(options).text(), "8.0 GiB (--memory-limit 8G)");
  options.memoryLimit = "none";
  EXPECT_EQ(memoryLimit(options).bytes, memory::kMax);
}

TEST(Memory, AllocationErrorSaysHowMuch) {
  try {
    AlignedBuffer b(int64_t(1) << 59); // more than any machine has
    // The pointer escapes: the compiler may not elide the allocation.
    asm volatile("" : : "r"(b.get()) : "memory");
    FAIL() << "allocated 2 EiB";
  } catch (const std::bad_alloc &e) {
    EXPECT_STREQ(e.what(), "cannot allocate 2.0 EiB (576460752303423488 "
                           "floats)");
  }
  // Bytes beyond int64 would wrap to a small buffer: refused before.
  EXPECT_THROW(AlignedBuffer(int64_t(1) << 62), AllocationError);
  EXPECT_THROW(AlignedBuffer(-1), AllocationError);
}

namespace {
bool smallInit(std::string &) { return true; }
void *smallAllocate(size_t bytes) { return std::aligned_alloc(256, bytes); }
void smallRelease(void *p) { std::free(p); }
void smallSynchronize() {}
std::string smallName() { return "Small GPU"; }
int64_t smallMemory() { return 1000; }
const device::Backend smallDevice{"small",      smallInit,        smallAllocate,
                                  smallRelease, smallSynchronize, smallName,
                                  smallMemory};
const device::Backend unsizedDevice{"unsized",        smallInit,
                                    smallAllocate,    smallRelease,
                                    smallSynchronize, smallName};
} // namespace

// A GPU asked for more managed memory than it has can hang: the start-up
// check also compares the estimate with the active device's memory.
TEST(Memory, DeviceMemoryIsALimitToo) {
  memory::Limit limit;
  EXPECT_FALSE(deviceMemoryLimit(limit)); // host memory only
  device::registerBackend(unsizedDevice);
  std::string reason;
  ASSERT_TRUE(device::activate("unsized", reason)) << reason;
  EXPECT_FALSE(deviceMemoryLimit(limit)); // size unknown
  device::registerBackend(smallDevice);
  ASSERT_TRUE(device::activate("small", reason)) << reason;
  ASSERT_TRUE(deviceMemoryLimit(limit));
  device::deactivate();
  EXPECT_EQ(limit.bytes, 1000);
  EXPECT_EQ(limit.source, "the memory of the small device Small GPU");
  const Plan plan = tinyPlan();
  std::vector<const ExperimentSpec *> all{&plan.experiments[0]};
  try {
    checkMemory(plan, all, Options{}, limit);
    FAIL() << "a step larger than the device's memory was accepted";
  } catch (const MemoryError &e) {
    EXPECT_NE(std::string(e.what()).find(
                  "; the limit is 1000 B (the memory of the small device "
                  "Small GPU)"),
              std::string::npos)
        << e.what();
  }
}
