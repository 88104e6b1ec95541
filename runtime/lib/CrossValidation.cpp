//===- CrossValidation.cpp - K-fold splits and model selection ------------===//

#include "netc/CrossValidation.h"

#include "netc/Random.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

using nlohmann::json;

namespace netc::rt {

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
  for (size_t j = 0; j < run.moreMetricNames.size(); ++j) {
    if (metric == run.moreMetricNames[j] && j < e.more.size())
      return e.more[j];
    if (e.hasVal && metric == "val_" + run.moreMetricNames[j] &&
        j < e.valMore.size())
      return e.valMore[j];
  }
  throw std::runtime_error(
      "selection by " + metric + ": run " + runLabel(run) +
      " has no such value (it has loss, " + run.metricName +
      (e.hasVal ? ", val_loss, val_" + run.metricName : std::string()) + ")");
}

namespace {

// Per candidate: mean and standard error of its values, and whether it can
// be chosen.
void summarize(Candidate &c) {
  const double n = static_cast<double>(c.values.size());
  double sum = 0;
  for (double v : c.values)
    sum += v;
  c.mean = sum / n;
  double sq = 0;
  for (double v : c.values)
    sq += (v - c.mean) * (v - c.mean);
  c.stdError = n > 1 ? std::sqrt(sq / (n - 1)) / std::sqrt(n) : 0.0;
  if (c.diverged > 0)
    c.skipped = "diverged in " + std::to_string(c.diverged) + " of " +
                std::to_string(c.values.size()) + " folds";
  else if (!std::isfinite(c.mean))
    c.skipped = "its mean is not finite";
}

// Breiman's rule: the simplest candidate within one standard error of the
// best mean; among equally simple ones, the better mean.
size_t withinOneStdError(const Selection &s) {
  const bool lower = s.mode == "min";
  const Candidate &best = s.candidates[s.chosenByBest];
  const double bound =
      lower ? best.mean + best.stdError : best.mean - best.stdError;
  size_t chosen = s.chosenByBest;
  for (size_t i = 0; i < s.candidates.size(); ++i) {
    const Candidate &c = s.candidates[i];
    if (!c.skipped.empty() || (lower ? c.mean > bound : c.mean < bound))
      continue;
    const Candidate &cur = s.candidates[chosen];
    if (c.trainableParams < cur.trainableParams ||
        (c.trainableParams == cur.trainableParams &&
         (lower ? c.mean < cur.mean : c.mean > cur.mean)))
      chosen = i;
  }
  return chosen;
}

} // namespace

Selection selectModel(const json &select, const std::vector<RunRecord> &runs,
                      const std::vector<int64_t> &trainableParams) {
  Selection s;
  s.metric = select.value("metric", "val_loss");
  s.mode = select.value("mode", "min");
  s.rule = select.value("rule", "min");
  if (s.mode != "min" && s.mode != "max")
    throw std::runtime_error("select: unknown mode '" + s.mode + "'");
  if (s.rule == "min" || s.rule == "max") // the plain best, named by the mode
    s.rule = s.mode;
  else if (s.rule != "one_std_error")
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
    it->diverged += runs[i].diverged();
    it->values.push_back(runs[i].diverged() ? NAN
                                            : finalMetric(runs[i], s.metric));
  }
  if (s.candidates.empty())
    throw std::runtime_error("select: the experiment has no cross-validation "
                             "runs");
  const bool lower = s.mode == "min";
  for (size_t i = 0; i < s.candidates.size(); ++i) {
    Candidate &c = s.candidates[i];
    summarize(c);
    if (c.skipped.empty() &&
        (s.chosenByBest == Selection::kNone ||
         (lower ? c.mean < s.candidates[s.chosenByBest].mean
                : c.mean > s.candidates[s.chosenByBest].mean)))
      s.chosenByBest = i;
  }
  s.chosen = s.chosenByBest;
  if (s.rule == "one_std_error" && s.chosen != Selection::kNone)
    s.chosen = withinOneStdError(s);
  return s;
}

nlohmann::ordered_json selectionJson(const Selection &s) {
  using ojson = nlohmann::ordered_json;
  auto number = [](double v) {
    return std::isfinite(v) ? ojson(v) : ojson(nullptr);
  };
  auto paramsOf = [&](size_t i) {
    return i == Selection::kNone ? ojson(nullptr)
                                 : ojson::parse(s.candidates[i].params.dump());
  };
  ojson candidates = ojson::array();
  for (const Candidate &c : s.candidates) {
    ojson entry = {{"params", ojson::parse(c.params.dump())},
                   {"mean", number(c.mean)},
                   {"std_error", number(c.stdError)},
                   {"trainable_params", c.trainableParams}};
    if (!c.skipped.empty())
      entry["skipped"] = c.skipped;
    candidates.push_back(entry);
  }
  return {{"metric", s.metric},
          {"mode", s.mode},
          {"rule", s.rule},
          {"candidates", candidates},
          {"chosen", paramsOf(s.chosen)},
          {"chosen_by_" + s.mode, paramsOf(s.chosenByBest)}};
}

std::string chosenByKey(const nlohmann::ordered_json &selection) {
  return "chosen_by_" + selection.value("mode", std::string("min"));
}

namespace {

std::string candidateName(const nlohmann::ordered_json &c) {
  std::string name;
  for (auto &[k, v] : c["params"].items())
    name += (name.empty() ? "" : ", ") + k + "=" +
            (v.is_string() ? v.get<std::string>() : v.dump());
  return name.empty() ? "-" : name;
}

// The marker column: chosen, the plain best, or why it was skipped.
std::string candidateMark(const nlohmann::ordered_json &s,
                          const nlohmann::ordered_json &c) {
  if (c.contains("skipped"))
    return "skipped: " + c["skipped"].get<std::string>();
  const std::string key = chosenByKey(s);
  std::string mark;
  if (c["params"] == s["chosen"])
    mark = "<- chosen";
  if (c["params"] == s[key])
    mark += mark.empty() ? "<- " + key : ", " + key;
  return mark;
}

} // namespace

std::string selectionTable(const nlohmann::ordered_json &s) {
  std::vector<std::vector<std::string>> rows;
  const std::string metric = s.value("metric", "");
  rows.push_back(
      {"candidate", metric + " (mean ± SE)", "trainable params", ""});
  for (const auto &c : s["candidates"]) {
    char stat[96] = "-";
    if (c["mean"].is_number() && c["std_error"].is_number())
      std::snprintf(stat, sizeof stat, "%.4f ± %.4f", c["mean"].get<double>(),
                    c["std_error"].get<double>());
    rows.push_back({candidateName(c), stat, c["trainable_params"].dump(),
                    candidateMark(s, c)});
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
  const std::string mode = s.value("mode", std::string("min"));
  std::string out = "Selection by " + metric +
                    (mode == "min" ? "" : " (" + mode + ")") + ", rule " +
                    s.value("rule", "") + "\n";
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
  if (s["chosen"].is_null())
    out += "No candidate chosen: every one was skipped.\n";
  return out;
}

} // namespace netc::rt
