// The plan's one writer and one reader (netc/Plan.h): what writePlan writes,
// parsePlan reads back field for field, and the reader's checks still apply
// to written plans.
#include "netc/Plan.h"

#include <gtest/gtest.h>

using namespace netc;

namespace {

/// A plan that sets every field away from its default.
Plan fullPlan() {
  Plan plan;
  plan.file = "m.net";
  NetworkSpec &n = plan.networks.emplace_back();
  n.name = "Net";
  n.instance = "Net(units=3)";
  n.trainableParams = 6;
  n.inputShape = {2};
  n.outputShape = {3};
  ParamSpec kernel;
  kernel.name = "dense/kernel";
  kernel.shape = {2, 3};
  kernel.fanIn = 2;
  kernel.fanOut = 3;
  kernel.init = {"variance_scaling", {{"scale", 2}}, {{"mode", "fan_out"}}};
  ParamSpec bias;
  bias.name = "dense/bias";
  bias.shape = {3};
  bias.trainable = false;
  bias.init = {"constant", {{"value", 0.5}}, {}};
  n.params = {kernel, bias};
  n.paramFloats = layOutParams(n.params);
  n.layers.push_back({"dense", "dense", 4, 7, 3, 9, 6});
  KernelSpec &k = plan.kernels.emplace_back();
  k.name = "k0";
  k.loss = "mse";
  k.metric = "mse";
  k.labelShape = k.outputShape = {3};
  k.stateFloats = 12;
  k.trainWsPerSample = 5;
  k.evalWsPerSample = 4;
  k.trainWsFixed = 6;
  k.evalWsFixed = 1;
  k.hasTrainF64 = true;
  k.trainF64WsPerSample = 7;
  k.trainF64WsFixed = 2;
  k.stateInit = {{0, 6, 0.0}, {6, 6, 0.1}};
  k.optimizer = {"adagrad",
                 {{"learning_rate", 0.01}},
                 "step",
                 {{"initial_learning_rate", 0.01}, {"step_size", 10}}};
  plan.datasets.push_back({"data",
                           "csv",
                           "d.csv",
                           {{"limit", 10}},
                           {{"x_range", {-1, 1}}},
                           {{"label", "y"}}});
  ExperimentSpec &e = plan.experiments.emplace_back();
  e.name = "main";
  e.select = {{"metric", "val_loss"}, {"folds", 3}};
  RunSpec &r = e.runs.emplace_back();
  r.params = {{"lr", "0.1"}};
  r.fold = 1;
  r.shared = true;
  StepSpec train;
  train.op = StepOp::Train;
  train.slot = 0;
  train.kernel = train.dataset = 0;
  train.split = "train";
  train.epochs = 3;
  train.batchSize = 8;
  train.validationSplit = 0.25;
  train.callbacks = {
      {"early_stopping", {{"patience", 3}}, {{"monitor", "val_loss"}}},
      {"save_best", {}, {{"file", "b.safetensors"}, {"mode", "min"}}}};
  StepSpec report;
  report.op = StepOp::Report;
  report.columns = {"test"};
  report.values = {"@eval:0"};
  StepSpec compose;
  compose.op = StepOp::Compose;
  compose.slot = 2;
  compose.network = 0;
  compose.parts = {0, 1};
  StepSpec save;
  save.op = StepOp::Save;
  save.slot = 2;
  save.file = "w.safetensors";
  r.steps = {train, report, compose, save};
  return plan;
}

TEST(Plan, LayOutParamsPlacesParamsOneAfterTheOther) {
  Plan plan = fullPlan();
  const NetworkSpec &n = plan.networks[0];
  EXPECT_EQ(n.params[0].offset, 0);
  EXPECT_EQ(n.params[1].offset, 6);
  EXPECT_EQ(n.paramFloats, 9);
}

TEST(Plan, WrittenPlanReadsBackFieldForField) {
  const Plan in = fullPlan();
  const Plan out = parsePlan(writePlan(in));
  EXPECT_EQ(out.file, in.file);
  ASSERT_EQ(out.networks.size(), 1u);
  const NetworkSpec &n = out.networks[0];
  EXPECT_EQ(n.instance, "Net(units=3)");
  EXPECT_EQ(n.paramFloats, 9);
  EXPECT_EQ(n.trainableParams, 6);
  EXPECT_EQ(n.inputShape, in.networks[0].inputShape);
  ASSERT_EQ(n.params.size(), 2u);
  EXPECT_EQ(n.params[0].init.strArgs.at("mode"), "fan_out");
  EXPECT_EQ(n.params[0].init.args.at("scale"), 2);
  EXPECT_EQ(n.params[0].fanOut, 3);
  EXPECT_EQ(n.params[1].offset, 6);
  EXPECT_FALSE(n.params[1].trainable);
  EXPECT_EQ(n.params[1].init.name, "constant");
  ASSERT_EQ(n.layers.size(), 1u);
  EXPECT_EQ(n.layers[0].col, 7);
  EXPECT_EQ(n.layers[0].trainableFloats, 6);

  const KernelSpec &k = out.kernels[0];
  EXPECT_EQ(k.trainWsFloats(2), 16);
  EXPECT_EQ(k.evalWsFloats(2), 9);
  EXPECT_TRUE(k.hasTrainF64);
  EXPECT_EQ(k.trainF64WsDoubles(2), 16);
  ASSERT_EQ(k.stateInit.size(), 2u);
  EXPECT_EQ(k.stateInit[1].offset, 6);
  EXPECT_EQ(k.stateInit[1].value, 0.1);
  EXPECT_EQ(k.optimizer.name, "adagrad");
  EXPECT_EQ(k.optimizer.schedule, "step");
  EXPECT_EQ(k.optimizer.scheduleArgs.at("step_size"), 10);

  const DatasetSpec &d = out.datasets[0];
  EXPECT_EQ(d.list_args.at("x_range"), (std::vector<double>{-1, 1}));
  EXPECT_EQ(d.str_args.at("label"), "y");

  const ExperimentSpec &e = out.experiments[0];
  EXPECT_EQ(e.select, in.experiments[0].select);
  const RunSpec &r = e.runs[0];
  EXPECT_EQ(r.params, in.experiments[0].runs[0].params);
  EXPECT_EQ(r.fold, 1);
  EXPECT_TRUE(r.shared);
  ASSERT_EQ(r.steps.size(), 4u);
  EXPECT_EQ(r.steps[0].batchSize, 8);
  EXPECT_EQ(r.steps[0].epochs, 3);
  EXPECT_EQ(r.steps[0].validationSplit, 0.25);
  EXPECT_EQ(r.steps[0].split, "train");
  EXPECT_EQ(r.steps[0].callbacks, in.experiments[0].runs[0].steps[0].callbacks);
  EXPECT_EQ(r.steps[1].values, in.experiments[0].runs[0].steps[1].values);
  EXPECT_EQ(r.steps[2].parts, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(r.steps[3].file, "w.safetensors");
  EXPECT_EQ(r.steps[3].network, -1);
}

TEST(Plan, WritingIsStableUnderARoundTrip) {
  const std::string text = writePlan(fullPlan());
  EXPECT_EQ(writePlan(parsePlan(text)), text);
}

TEST(Plan, WithoutAFloat64EntryNoFloat64Workspace) {
  Plan plan = fullPlan();
  plan.kernels[0].hasTrainF64 = false;
  const std::string text = writePlan(plan);
  EXPECT_EQ(text.find("train_f64"), std::string::npos);
  EXPECT_FALSE(parsePlan(text).kernels[0].hasTrainF64);
}

TEST(Plan, ReaderChecksWrittenPlans) {
  Plan plan = fullPlan();
  plan.networks[0].paramFloats = 8; // the bias no longer fits
  EXPECT_THROW(parsePlan(writePlan(plan)), PlanError);
  plan = fullPlan();
  plan.experiments[0].runs[0].steps[0].kernel = 1;
  EXPECT_THROW(parsePlan(writePlan(plan)), PlanError);
  plan = fullPlan();
  plan.experiments[0].runs[0].steps[0].callbacks[0].name = "early_stop";
  EXPECT_THROW(parsePlan(writePlan(plan)), PlanError);
}

} // namespace
