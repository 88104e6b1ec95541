// The optimizer table (netc/Optimizers.def through netc/OptimizerTable.h):
// defaults merged with arguments, and the slots each configuration keeps.
#include "netc/OptimizerTable.h"

#include <gtest/gtest.h>

using namespace netc::optimizers;

namespace {

std::vector<double> slots(const char *name,
                          const std::map<std::string, double> &args) {
  const Optimizer *o = findOptimizer(name);
  EXPECT_NE(o, nullptr) << name;
  return slotInit(*o, configure(*o, args));
}

TEST(OptimizerTable, IndexedByIdInTableOrder) {
  for (const Optimizer &o : optimizerTable())
    EXPECT_EQ(&optimizer(o.id), &o) << o.name;
  EXPECT_EQ(findOptimizer("nope"), nullptr);
}

TEST(OptimizerTable, ConfigureMergesDefaultsWithArguments) {
  const Optimizer &adamw = *findOptimizer("adamw");
  auto c = configure(adamw, {{"beta_2", 0.5}});
  EXPECT_EQ(c.at("learning_rate"), 1e-3);
  EXPECT_EQ(c.at("weight_decay"), 0.004);
  EXPECT_EQ(c.at("beta_2"), 0.5);
  EXPECT_EQ(c.at("amsgrad"), 0);
  EXPECT_EQ(configure(*findOptimizer("sgd"), {}).at("learning_rate"), 0.01);
  // least_squares is solved in closed form: no learning rate, no slots.
  const Optimizer &ls = *findOptimizer("least_squares");
  EXPECT_FALSE(ls.hasUpdateRule);
  EXPECT_EQ(configure(ls, {}).count("learning_rate"), 0u);
}

TEST(OptimizerTable, SlotsFollowTheConfiguration) {
  EXPECT_TRUE(slots("sgd", {}).empty());
  EXPECT_EQ(slots("sgd", {{"momentum", 0.9}}).size(), 1u);
  EXPECT_EQ(slots("adam", {}).size(), 2u);
  EXPECT_EQ(slots("adam", {{"amsgrad", 1}}).size(), 3u);
  EXPECT_EQ(slots("rmsprop", {}).size(), 1u);
  EXPECT_EQ(slots("rmsprop", {{"momentum", 0.5}, {"centered", 1}}).size(), 3u);
  EXPECT_EQ(slots("adadelta", {}).size(), 2u);
  EXPECT_TRUE(slots("least_squares", {}).empty());
}

TEST(OptimizerTable, AdagradAccumulatorStartsAtItsArgument) {
  EXPECT_EQ(slots("adagrad", {}), std::vector<double>{0.1});
  EXPECT_EQ(slots("adagrad", {{"initial_accumulator_value", 0.5}}),
            std::vector<double>{0.5});
}

} // namespace
