// The pure parts of sharing runs over MPI ranks (netc/Ranks.h): the work
// queue's order and prerequisites, which runs must wait for which files, and
// a run record's exact round trip through the messages the ranks send.
#include "netc/Ranks.h"
#include "netc/Results.h"
#include "netc/Resume.h"

#include <cmath>
#include <cstdio>
#include <gtest/gtest.h>
#include <limits>

using namespace netc;
using namespace netc::rt;

namespace {

std::vector<size_t> drain(RunQueue &queue) {
  std::vector<size_t> order;
  while (auto run = queue.take()) {
    order.push_back(*run);
    queue.finish(*run);
  }
  return order;
}

TEST(RunQueueTest, HandsOutLowestIndexFirst) {
  RunQueue queue({5, 1, 3}, {});
  EXPECT_TRUE(queue.ready());
  EXPECT_EQ(drain(queue), (std::vector<size_t>{1, 3, 5}));
  EXPECT_TRUE(queue.exhausted());
  EXPECT_TRUE(queue.done());
  EXPECT_FALSE(queue.take().has_value());
}

TEST(RunQueueTest, ARunWaitsForItsPrerequisites) {
  // Run 2 loads what run 0 saves; run 1 is free.
  RunQueue queue({0, 1, 2, 3}, {{}, {}, {0}, {}});
  EXPECT_EQ(queue.take(), 0u); // in flight on one rank
  EXPECT_EQ(queue.take(), 1u);
  EXPECT_EQ(queue.take(), 3u); // 2 must wait for 0
  EXPECT_FALSE(queue.ready());
  EXPECT_FALSE(queue.take().has_value());
  EXPECT_FALSE(queue.exhausted());
  queue.finish(1);
  EXPECT_FALSE(queue.ready());
  queue.finish(0);
  EXPECT_TRUE(queue.ready());
  EXPECT_EQ(queue.take(), 2u);
  EXPECT_TRUE(queue.exhausted());
  EXPECT_FALSE(queue.done());
  queue.finish(2);
  queue.finish(3);
  EXPECT_TRUE(queue.done());
}

TEST(RunQueueTest, RunsNotToDoCountAsFinished) {
  // --resume: run 0 finished earlier, so run 2 need not wait for it.
  RunQueue queue({1, 2}, {{}, {}, {0}});
  EXPECT_EQ(queue.take(), 1u);
  EXPECT_EQ(queue.take(), 2u);
}

StepSpec step(StepOp op, const std::string &file = "") {
  StepSpec s;
  s.op = op;
  s.file = file;
  return s;
}

RunSpec run(std::vector<StepSpec> steps, bool shared = false) {
  RunSpec r;
  r.steps = std::move(steps);
  r.shared = shared;
  return r;
}

TEST(RunDependenciesTest, LoadsAndRewritesWaitForEarlierSaves) {
  ExperimentSpec e;
  e.runs = {run({step(StepOp::Save, "a.safetensors")}),
            run({step(StepOp::Train)}),
            run({step(StepOp::Load, "a.safetensors")}),
            run({step(StepOp::Save, "a.safetensors")}),
            run({step(StepOp::Load, "other.safetensors")})};
  const auto after = runDependencies(e, "/out", "/data");
  ASSERT_EQ(after.size(), 5u);
  EXPECT_TRUE(after[0].empty());
  EXPECT_TRUE(after[1].empty());
  EXPECT_EQ(after[2], (std::vector<size_t>{0}));
  // A second writer of the file waits for the first, so the last write
  // wins as in a single process, and for run 2, which reads the first's.
  EXPECT_EQ(after[3], (std::vector<size_t>{0, 2}));
  EXPECT_TRUE(after[4].empty());
}

TEST(RunDependenciesTest, SaveBestCountsAndSharedRunsPassThemOn) {
  ExperimentSpec e;
  StepSpec train = step(StepOp::Train);
  CallbackSpec best;
  best.name = "save_best";
  best.strArgs["file"] = "best.safetensors";
  train.callbacks.push_back(best);
  e.runs = {run({train}),
            // A shared run that loads run 0's file: every run after it,
            // whose rank runs it first, waits for run 0 too.
            run({step(StepOp::Load, "best.safetensors")}, /*shared=*/true),
            run({step(StepOp::Train)}),
            // Found under --data: no save writes it.
            run({step(StepOp::Load, "/data/w.safetensors")})};
  const auto after = runDependencies(e, "/out", "/data");
  EXPECT_EQ(after[1], (std::vector<size_t>{0}));
  EXPECT_EQ(after[2], (std::vector<size_t>{0}));
  EXPECT_EQ(after[3], (std::vector<size_t>{0}));
}

TEST(RunDependenciesTest, AWriterWaitsForEarlierReaders) {
  // Run 1 would otherwise overwrite the file before run 0 has read it.
  ExperimentSpec e;
  e.runs = {run({step(StepOp::Load, "a.safetensors")}),
            run({step(StepOp::Save, "a.safetensors")}),
            run({step(StepOp::Load, "b.safetensors")})};
  const auto after = runDependencies(e, "/out", "/data");
  EXPECT_EQ(after[1], (std::vector<size_t>{0}));
  EXPECT_TRUE(after[2].empty());
}

TEST(RunDependenciesTest, RunsRewritingASharedRunsFileRunAlone) {
  ExperimentSpec e;
  e.runs = {run({step(StepOp::Save, "w.safetensors")}, /*shared=*/true),
            run({step(StepOp::Load, "w.safetensors")})};
  std::string path;
  EXPECT_FALSE(sharedFilesRewritten(e, "/out", "/data", path));
  e.runs.push_back(run({step(StepOp::Save, "w.safetensors")}));
  EXPECT_TRUE(sharedFilesRewritten(e, "/out", "/data", path));
  EXPECT_EQ(path, "/out/w.safetensors");
  // A shared run that reads what a run writes: the same.
  ExperimentSpec r;
  r.runs = {run({step(StepOp::Load, "x.safetensors")}, /*shared=*/true),
            run({step(StepOp::Save, "x.safetensors")})};
  EXPECT_TRUE(sharedFilesRewritten(r, "/out", "/data", path));
}

TEST(RunDependenciesTest, SharedRunsAreNoPrerequisite) {
  // Every rank that needs a shared run's file runs the shared run itself.
  ExperimentSpec e;
  e.runs = {run({step(StepOp::Save, "base.safetensors")}, /*shared=*/true),
            run({step(StepOp::Load, "base.safetensors")}),
            run({step(StepOp::Load, "base.safetensors")})};
  const auto after = runDependencies(e, "/out", "/data");
  EXPECT_TRUE(after[1].empty());
  EXPECT_TRUE(after[2].empty());
}

TEST(RankMessagesTest, RunRecordsRoundTripExactly) {
  RunRecord r;
  r.params = {{"lr", "0.1"}, {"init", "he"}};
  r.seed = 4294967295u;
  r.fold = 3;
  r.metricName = "accuracy";
  r.moreMetricNames = {"mse"};
  EpochRecord e;
  e.epoch = 1;
  e.loss = 0.1 + 0.2; // not the shortest decimal of anything
  e.metric = std::nextafter(1.0, 0.0);
  e.more = {4.9406564584124654e-324}; // the smallest subnormal
  e.hasVal = true;
  e.valLoss = -0.0;
  e.valMetric = 1e300;
  e.valMore = {std::numeric_limits<double>::quiet_NaN()};
  e.hasLearningRate = true;
  e.learningRate = 1.0 / 3.0;
  r.history = {e, e};
  r.hasTest = true;
  r.testLoss = 2.0 / 7.0;
  r.testMetric = 0.875;
  r.testMore = {1e-17};
  r.cells = {{"lr", 0.1}, {"test_loss", 2.0 / 7.0}, {"name", "x"}};
  r.seconds = 1.25;
  r.rank = 2;
  r.stoppedEpoch = 2;
  r.restoredEpoch = 1;
  const nlohmann::ordered_json once = runRecordJson(r);
  const RunRecord back = runRecordFromJson(once);
  EXPECT_EQ(back.rank, 2);
  EXPECT_EQ(back.seed, r.seed);
  EXPECT_EQ(back.history.at(1).loss, e.loss);
  EXPECT_EQ(back.history.at(1).metric, e.metric);
  EXPECT_EQ(back.history.at(1).more.at(0), e.more[0]);
  EXPECT_TRUE(std::signbit(back.history.at(1).valLoss));
  EXPECT_EQ(back.history.at(1).learningRate, 1.0 / 3.0);
  EXPECT_EQ(back.testLoss, r.testLoss);
  EXPECT_EQ(back.cells.at(1).second.get<double>(), 2.0 / 7.0);
  // Written again, the record is the same text: what rank 0 writes for a
  // run another rank trained is what that rank would have written.
  EXPECT_EQ(runRecordJson(back).dump(), once.dump());
}

TEST(RankMessagesTest, FilesWithoutRankReadAsRankZero) {
  RunRecord r;
  nlohmann::ordered_json j = runRecordJson(r);
  j.erase("rank");
  EXPECT_EQ(runRecordFromJson(j).rank, 0);
}

TEST(RankMessagesTest, CsvEndsWithTheRank) {
  ExperimentRecord exp;
  exp.name = "e";
  RunRecord a, b;
  a.cells = {{"lr", 0.1}};
  b.cells = {{"lr", 0.2}};
  b.rank = 1;
  exp.runs = {a, b};
  const std::string csv = resultsCsv(exp);
  EXPECT_EQ(csv, "lr,seconds,rank\n0.1,0.000,0\n0.2,0.000,1\n");
}

} // namespace

namespace {

TEST(PrefixedStreamTest, WholeLinesWithThePrefix) {
  FILE *to = std::tmpfile();
  ASSERT_NE(to, nullptr);
  FILE *out = prefixedStream(to, "[rank 2] ");
  ASSERT_NE(out, nullptr);
  std::fputs("Epoch 1/2", out); // a line in pieces, as printf may write it
  std::fprintf(out, " - loss: %.1f\nEpoch 2/2\n", 0.5);
  std::fputs("partial", out);
  std::fclose(out); // writes what is left
  std::rewind(to);
  char text[256] = {};
  const size_t n = std::fread(text, 1, sizeof text - 1, to);
  std::fclose(to);
  EXPECT_EQ(std::string(text, n), "[rank 2] Epoch 1/2 - loss: 0.5\n"
                                  "[rank 2] Epoch 2/2\n"
                                  "[rank 2] partial");
}

TEST(PrefixedStreamTest, AloneProgressGoesStraightToTheStream) {
  // Without an MPI launcher there are no other ranks: no prefix.
  EXPECT_EQ(rankProgressStream(stderr), stderr);
}

} // namespace
