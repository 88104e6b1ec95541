//===- StatisticsTest.cpp - Summaries, Student's t, paired differences ----===//

#include "netc/Statistics.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace netc::rt::stats;

namespace {

TEST(Statistics, SummaryMatchesHandComputedValues) {
  // mean 2.5; sample variance ((1.5^2 + 0.5^2) * 2) / 3 = 5/3; SE = sd / 2.
  const Summary s = summarize({1, 2, 3, 4});
  EXPECT_EQ(s.n, 4);
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_NEAR(s.stdError, std::sqrt(5.0 / 3.0) / 2.0, 1e-15);
  EXPECT_NEAR(s.stdError, 0.6454972243679028, 1e-15);
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 4);
  EXPECT_EQ(s.missing, 0);
}

TEST(Statistics, SummarySkipsValuesThatAreNotFinite) {
  // {2, 4}: mean 3, sample sd sqrt(2), SE sqrt(2) / sqrt(2) = 1.
  const Summary s = summarize({2, NAN, 4, INFINITY});
  EXPECT_EQ(s.n, 2);
  EXPECT_EQ(s.missing, 2);
  EXPECT_DOUBLE_EQ(s.mean, 3);
  EXPECT_DOUBLE_EQ(s.stdError, 1);
  EXPECT_EQ(s.min, 2);
  EXPECT_EQ(s.max, 4);
}

TEST(Statistics, SummaryOfOneAndOfNoValue) {
  const Summary one = summarize({-7.5});
  EXPECT_EQ(one.n, 1);
  EXPECT_EQ(one.mean, -7.5);
  EXPECT_EQ(one.stdError, 0);
  EXPECT_EQ(one.min, -7.5);
  EXPECT_EQ(one.max, -7.5);
  const Summary none = summarize({});
  EXPECT_EQ(none.n, 0);
  EXPECT_TRUE(std::isnan(none.mean));
  EXPECT_TRUE(std::isnan(none.stdError));
}

TEST(Statistics, TCdfMatchesClosedForms) {
  // df 1 is Cauchy: 1/2 + atan(t)/pi; df 2: 1/2 + t / (2 sqrt(2 + t^2)).
  for (double t : {-30.0, -2.5, -0.3, 0.0, 0.7, 1.0, 4.0, 100.0}) {
    EXPECT_NEAR(studentTCdf(t, 1), 0.5 + std::atan(t) / M_PI, 1e-13) << t;
    EXPECT_NEAR(studentTCdf(t, 2), 0.5 + t / (2 * std::sqrt(2 + t * t)), 1e-13)
        << t;
  }
  EXPECT_TRUE(std::isnan(studentTCdf(1, 0)));
}

TEST(Statistics, TQuantileMatchesTableValues) {
  // Six-digit values from the usual t table.
  EXPECT_NEAR(studentTQuantile(0.975, 4), 2.776445, 5e-7);
  EXPECT_NEAR(studentTQuantile(0.975, 9), 2.262157, 5e-7);
  EXPECT_NEAR(studentTQuantile(0.975, 1), 12.706205, 5e-7);
  EXPECT_NEAR(studentTQuantile(0.95, 10), 1.812461, 5e-7);
  EXPECT_NEAR(studentTQuantile(0.995, 30), 2.749996, 5e-7);
  EXPECT_NEAR(studentTQuantile(0.025, 4), -2.776445, 5e-7);
  EXPECT_EQ(studentTQuantile(0.5, 7), 0);
  // Many degrees of freedom: the normal quantile 1.959964.
  EXPECT_NEAR(studentTQuantile(0.975, 1e7), 1.959964, 5e-7);
  // df 2 in closed form: (2p - 1) / sqrt(2 p (1 - p)).
  for (double p : {0.6, 0.9, 0.975, 0.999})
    EXPECT_NEAR(studentTQuantile(p, 2),
                (2 * p - 1) / std::sqrt(2 * p * (1 - p)), 1e-10)
        << p;
  EXPECT_TRUE(std::isnan(studentTQuantile(0, 4)));
  EXPECT_TRUE(std::isnan(studentTQuantile(1, 4)));
  EXPECT_TRUE(std::isnan(studentTQuantile(0.9, -1)));
}

TEST(Statistics, PairedDifferenceMatchesClosedForm) {
  // Differences {1, 2, 3}: mean 2, sample sd 1, SE 1/sqrt(3); df 2, whose
  // 0.975 quantile is 0.95 / sqrt(2 * 0.975 * 0.025) = 4.302653.
  const PairedDifference d = pairedDifference({3, 5, 7}, {2, 3, 4});
  const double t = 0.95 / std::sqrt(2 * 0.975 * 0.025);
  EXPECT_EQ(d.n, 3);
  EXPECT_DOUBLE_EQ(d.mean, 2);
  EXPECT_NEAR(d.stdError, 1 / std::sqrt(3.0), 1e-15);
  EXPECT_NEAR(d.low, 2 - t / std::sqrt(3.0), 1e-10);
  EXPECT_NEAR(d.high, 2 + t / std::sqrt(3.0), 1e-10);
  EXPECT_NEAR(d.low, -0.484138, 5e-7);
  EXPECT_NEAR(d.high, 4.484138, 5e-7);
}

TEST(Statistics, PairedDifferenceDropsIncompletePairs) {
  // The NaN pair is dropped: differences {2, 3, 2, 3, 3}, mean 2.6,
  // variance 0.3, SE sqrt(0.3 / 5), t(0.975, 4) = 2.776445.
  const PairedDifference d =
      pairedDifference({3, 5, 4, 6, 7, NAN}, {1, 2, 2, 3, 4, 1});
  EXPECT_EQ(d.n, 5);
  EXPECT_NEAR(d.mean, 2.6, 1e-15);
  EXPECT_NEAR(d.stdError, std::sqrt(0.3 / 5), 1e-15);
  EXPECT_NEAR(d.high - d.mean, 2.776445 * std::sqrt(0.3 / 5), 1e-6);
  const PairedDifference one = pairedDifference({1}, {0});
  EXPECT_EQ(one.n, 1);
  EXPECT_EQ(one.mean, 1);
  EXPECT_TRUE(std::isnan(one.low));
}

} // namespace
