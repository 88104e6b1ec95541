//===- LeastSquaresTest.cpp - The closed-form solver ----------------------===//
#include "netc/LeastSquares.h"
#include "netc/Runner.h"

#include <gtest/gtest.h>

using namespace netc;
using namespace netc::rt;

// Tests that an overdetermined, consistent system is solved exactly and an
// inconsistent one gives the normal equations' solution.
TEST(LeastSquares, SolvesLinearFits) {
  // y = 2 + 3x at x = 0..4: exact.
  std::vector<double> a, b;
  for (int x = 0; x < 5; ++x) {
    a.insert(a.end(), {1.0, double(x)});
    b.push_back(2 + 3 * x);
  }
  std::vector<double> t = solveLeastSquares(a, b, 5, 2);
  EXPECT_NEAR(t[0], 2, 1e-12);
  EXPECT_NEAR(t[1], 3, 1e-12);
  // Mean of {1, 2, 6}: the least-squares constant is 3.
  t = solveLeastSquares({1, 1, 1}, {1, 2, 6}, 3, 1);
  EXPECT_NEAR(t[0], 3, 1e-12);
}

TEST(LeastSquares, RejectsUndeterminedWeights) {
  EXPECT_THROW(solveLeastSquares({1, 0, 1, 0}, {1, 2}, 2, 2), RunError);
}
