//===- CrossValidation.cpp - K-fold splits and model selection ------------===//

#include "netc/CrossValidation.h"

#include "netc/Random.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

using nlohmann::json;

namespace netc {

std::vector<std::vector<int64_t>> foldIndices(int64_t count, int64_t folds,
                                              uint64_t seed) {
  if (folds < 2 || folds > count)
    throw std::runtime_error("cannot cut " + std::to_string(count) +
                             " records into " + std::to_string(folds) +
                             " folds");
  std::vector<int64_t> order(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i)
    order[i] = i;
  Rng rng(seed);
  shuffle(order, rng);
  std::vector<std::vector<int64_t>> out(static_cast<size_t>(folds));
  int64_t begin = 0;
  for (int64_t k = 0; k < folds; ++k) {
    const int64_t size = count / folds + (k < count % folds ? 1 : 0);
    out[k].assign(order.begin() + begin, order.begin() + begin + size);
    begin += size;
  }
  return out;
}

void foldSplit(int64_t count, int64_t folds, uint64_t seed, int64_t k,
               std::vector<int64_t> &train, std::vector<int64_t> &validation) {
  const auto parts = foldIndices(count, folds, seed);
  if (k < 0 || k >= folds)
    throw std::runtime_error("fold " + std::to_string(k) + " of " +
                             std::to_string(folds));
  validation = parts[k];
  std::vector<bool> held(static_cast<size_t>(count), false);
  for (int64_t i : validation)
    held[i] = true;
  train.clear();
  for (int64_t i = 0; i < count; ++i)
    if (!held[i])
      train.push_back(i);
}

double finalMetric(const RunRecord &run, const std::string &metric) {
  if (run.history.empty())
    throw std::runtime_error("selection by " + metric + ": run " +
                             runLabel(run) + " trained no epoch");
  const EpochRecord &e = run.history.back();
  if (metric == "loss")
    return e.loss;
  if (metric == run.metricName)
    return e.metric;
  if (e.hasVal && metric == "val_loss")
    return e.valLoss;
  if (e.hasVal && metric == "val_" + run.metricName)
    return e.valMetric;
  throw std::runtime_error(
      "selection by " + metric + ": run " + runLabel(run) +
      " has no such value (it has loss, " + run.metricName +
      (e.hasVal ? ", val_loss, val_" + run.metricName : std::string()) + ")");
}

Selection selectModel(const json &select, const std::vector<RunRecord> &runs,
                      const std::vector<int64_t> &trainableParams) {
  Selection s;
  s.metric = select.value("metric", "val_loss");
  s.mode = select.value("mode", "min");
  s.rule = select.value("rule", "min");
  if (s.mode != "min" && s.mode != "max")
    throw std::runtime_error("select: unknown mode '" + s.mode + "'");
  if (s.rule != "min" && s.rule != "one_std_error")
    throw std::runtime_error("select: unknown rule '" + s.rule + "'");
  for (size_t i = 0; i < runs.size(); ++i) {
    if (runs[i].fold < 0)
      continue;
    const json params = typedParams(runs[i].params);
    auto it =
        std::find_if(s.candidates.begin(), s.candidates.end(),
                     [&](const Candidate &c) { return c.params == params; });
    if (it == s.candidates.end()) {
      s.candidates.push_back({params, {}, 0, 0, trainableParams[i]});
      it = s.candidates.end() - 1;
    }
    it->values.push_back(finalMetric(runs[i], s.metric));
  }
  if (s.candidates.empty())
    throw std::runtime_error("select: the experiment has no cross-validation "
                             "runs");
  const bool lower = s.mode == "min";
  auto better = [&](double a, double b) { return lower ? a < b : a > b; };
  for (Candidate &c : s.candidates) {
    const double n = static_cast<double>(c.values.size());
    double sum = 0;
    for (double v : c.values)
      sum += v;
    c.mean = sum / n;
    double sq = 0;
    for (double v : c.values)
      sq += (v - c.mean) * (v - c.mean);
    c.stdError = n > 1 ? std::sqrt(sq / (n - 1)) / std::sqrt(n) : 0.0;
  }
  for (size_t i = 1; i < s.candidates.size(); ++i)
    if (better(s.candidates[i].mean, s.candidates[s.chosenByMin].mean))
      s.chosenByMin = i;
  s.chosen = s.chosenByMin;
  if (s.rule == "one_std_error") {
    // Breiman's rule: the simplest candidate within one standard error of
    // the best mean; among equally simple ones, the better mean.
    const Candidate &best = s.candidates[s.chosenByMin];
    const double bound =
        lower ? best.mean + best.stdError : best.mean - best.stdError;
    for (size_t i = 0; i < s.candidates.size(); ++i) {
      const Candidate &c = s.candidates[i];
      if (lower ? c.mean > bound : c.mean < bound)
        continue;
      const Candidate &cur = s.candidates[s.chosen];
      if (c.trainableParams < cur.trainableParams ||
          (c.trainableParams == cur.trainableParams &&
           better(c.mean, cur.mean)))
        s.chosen = i;
    }
  }
  return s;
}

nlohmann::ordered_json selectionJson(const Selection &s) {
  using ojson = nlohmann::ordered_json;
  auto number = [](double v) {
    return std::isfinite(v) ? ojson(v) : ojson(nullptr);
  };
  ojson candidates = ojson::array();
  for (const Candidate &c : s.candidates)
    candidates.push_back({{"params", ojson::parse(c.params.dump())},
                          {"mean", number(c.mean)},
                          {"std_error", number(c.stdError)},
                          {"trainable_params", c.trainableParams}});
  return {{"metric", s.metric},
          {"rule", s.rule},
          {"candidates", candidates},
          {"chosen", ojson::parse(s.candidates[s.chosen].params.dump())},
          {"chosen_by_min",
           ojson::parse(s.candidates[s.chosenByMin].params.dump())}};
}

std::string selectionTable(const nlohmann::ordered_json &s) {
  std::vector<std::vector<std::string>> rows;
  const std::string metric = s.value("metric", "");
  rows.push_back(
      {"candidate", metric + " (mean ± SE)", "trainable params", ""});
  auto num = [](const nlohmann::ordered_json &v) {
    return v.is_number() ? v.get<double>() : NAN;
  };
  for (const auto &c : s["candidates"]) {
    std::string name;
    for (auto &[k, v] : c["params"].items())
      name += (name.empty() ? "" : ", ") + k + "=" +
              (v.is_string() ? v.get<std::string>() : v.dump());
    char stat[96];
    std::snprintf(stat, sizeof stat, "%.4f ± %.4f", num(c["mean"]),
                  num(c["std_error"]));
    std::string mark;
    if (c["params"] == s["chosen"])
      mark = "<- chosen";
    if (c["params"] == s["chosen_by_min"])
      mark += mark.empty() ? "<- chosen_by_min" : ", chosen_by_min";
    rows.push_back(
        {name.empty() ? "-" : name, stat, c["trainable_params"].dump(), mark});
  }
  // Width in characters, not bytes: "±" is two bytes of UTF-8.
  auto width = [](const std::string &t) {
    size_t n = 0;
    for (unsigned char ch : t)
      n += (ch & 0xC0) != 0x80;
    return n;
  };
  std::vector<size_t> w(4, 0);
  for (const auto &r : rows)
    for (size_t i = 0; i < 4; ++i)
      w[i] = std::max(w[i], width(r[i]));
  std::string out =
      "Selection by " + metric + ", rule " + s.value("rule", "") + "\n";
  for (size_t r = 0; r < rows.size(); ++r) {
    std::string line;
    for (size_t i = 0; i < 4; ++i) {
      line += rows[r][i];
      if (i < 3)
        line += std::string(w[i] - width(rows[r][i]) + 2, ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
    if (r == 0)
      out += std::string(w[0] + w[1] + w[2] + 6, '-') + "\n";
  }
  return out;
}

} // namespace netc
