//===- Aggregate.cpp - Results aggregated over seeds ----------------------===//

#include "netc/Aggregate.h"

#include "netc/Stability.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

using nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace netc::rt {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// JSON has no NaN: a missing number is null.
ojson number(double v) { return std::isfinite(v) ? ojson(v) : ojson(nullptr); }

double valueOf(const NamedNumbers &numbers, const std::string &name) {
  for (const auto &[n, v] : numbers)
    if (n == name)
      return v;
  return kNaN;
}

void addName(std::vector<std::string> &names, const std::string &name) {
  if (std::find(names.begin(), names.end(), name) == names.end())
    names.push_back(name);
}

std::string fixed(double v) {
  if (!std::isfinite(v))
    return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, std::fabs(v) < 1e6 ? "%.4f" : "%.4g", v);
  return buf;
}

std::string full(double v) {
  if (!std::isfinite(v))
    return "";
  return json(v).dump();
}

} // namespace

NamedNumbers testNumbers(const RunRecord &run) {
  NamedNumbers out;
  for (const auto &[column, value] : run.cells) {
    if (run.params.contains(column) || column == "fold" || column == "seed")
      continue;
    if (value.is_number())
      out.push_back({column, value.get<double>()});
    else if (value.is_null())
      out.push_back({column, kNaN});
  }
  return out;
}

NamedNumbers finalNumbers(const RunRecord &run) {
  if (run.history.empty())
    return {};
  const EpochRecord &e = run.history.back();
  NamedNumbers out{{"loss", e.loss}, {run.metricName, e.metric}};
  if (e.hasVal) {
    out.push_back({"val_loss", e.valLoss});
    out.push_back({"val_" + run.metricName, e.valMetric});
  }
  return out;
}

NamedNumbers reportedNumbers(const RunRecord &run) {
  NamedNumbers out = testNumbers(run);
  for (const auto &number : finalNumbers(run))
    if (std::none_of(out.begin(), out.end(),
                     [&](const auto &o) { return o.first == number.first; }))
      out.push_back(number);
  return out;
}

namespace {

// The runs of each configuration, in the order of their first run.
std::vector<Configuration> groupRuns(const ExperimentRecord &exp) {
  std::vector<Configuration> configs;
  std::map<std::string, size_t> index; // params + fold -> configs[i]
  for (size_t i = 0; i < exp.runs.size(); ++i) {
    const RunRecord &run = exp.runs[i];
    const json params = typedParams(run.params);
    const std::string key = params.dump() + '\0' + std::to_string(run.fold);
    auto [it, fresh] = index.insert({key, configs.size()});
    if (fresh)
      configs.push_back({params, run.fold, {}, {}, {}});
    configs[it->second].runs.push_back(i);
    configs[it->second].seeds.push_back(run.seed);
  }
  return configs;
}

} // namespace

std::vector<Configuration> configurations(const ExperimentRecord &exp) {
  std::vector<Configuration> configs = groupRuns(exp);
  for (Configuration &c : configs) {
    std::vector<NamedNumbers> numbers;
    std::vector<std::string> names;
    for (size_t i : c.runs) {
      numbers.push_back(reportedNumbers(exp.runs[i]));
      for (const auto &n : numbers.back())
        addName(names, n.first);
    }
    for (const std::string &name : names) {
      std::vector<double> values;
      for (const NamedNumbers &run : numbers)
        values.push_back(valueOf(run, name));
      c.values.push_back({name, stats::summarize(values)});
    }
  }
  return configs;
}

bool repeatsOverSeeds(const ExperimentRecord &exp) {
  for (const Configuration &c : groupRuns(exp))
    for (uint64_t seed : c.seeds)
      if (seed != c.seeds[0])
        return true;
  return false;
}

std::vector<stats::Summary> meanCurve(const ExperimentRecord &exp,
                                      const Configuration &c, bool metric,
                                      bool validation) {
  size_t epochs = 0;
  for (size_t i : c.runs)
    epochs = std::max(epochs, exp.runs[i].history.size());
  std::vector<stats::Summary> curve;
  for (size_t e = 0; e < epochs; ++e) {
    std::vector<double> values;
    for (size_t i : c.runs) {
      const auto &h = exp.runs[i].history;
      if (e >= h.size() || (validation && !h[e].hasVal))
        continue;
      values.push_back(validation ? (metric ? h[e].valMetric : h[e].valLoss)
                                  : (metric ? h[e].metric : h[e].loss));
    }
    curve.push_back(stats::summarize(values));
  }
  return curve;
}

namespace {

// The run pairing with `a` in a comparison of `variable`: same seed, fold
// and other loop values, and the variable's `second` value.
const RunRecord *partner(const ExperimentRecord &exp, const RunRecord &a,
                         const std::string &variable, const json &second) {
  json want = typedParams(a.params);
  want[variable] = second;
  for (const RunRecord &b : exp.runs)
    if (b.seed == a.seed && b.fold == a.fold && typedParams(b.params) == want)
      return &b;
  return nullptr;
}

NamedNumbers comparedNumbers(const RunRecord &run) {
  NamedNumbers test = testNumbers(run);
  return test.empty() ? finalNumbers(run) : test;
}

Comparison compare(const ExperimentRecord &exp, const std::string &variable,
                   const json &first, const json &second) {
  Comparison c{variable, first, second, {}};
  std::vector<std::string> names;
  std::vector<std::pair<NamedNumbers, NamedNumbers>> pairs;
  for (const RunRecord &a : exp.runs) {
    if (typedParams(a.params)[variable] != first)
      continue;
    if (const RunRecord *b = partner(exp, a, variable, second)) {
      pairs.push_back({comparedNumbers(a), comparedNumbers(*b)});
      for (const auto &n : pairs.back().first)
        addName(names, n.first);
    }
  }
  for (const std::string &name : names) {
    std::vector<double> x, y;
    for (const auto &[a, b] : pairs) {
      x.push_back(valueOf(a, name));
      y.push_back(valueOf(b, name));
    }
    c.values.push_back({name, stats::pairedDifference(x, y)});
  }
  return c;
}

} // namespace

std::vector<Comparison> pairedComparisons(const ExperimentRecord &exp) {
  if (exp.runs.empty() || !repeatsOverSeeds(exp))
    return {};
  std::vector<Comparison> out;
  for (auto &[variable, unused] : exp.runs[0].params.items()) {
    std::vector<json> values;
    for (const RunRecord &run : exp.runs) {
      const json v = typedParams(run.params).value(variable, json());
      if (std::find(values.begin(), values.end(), v) == values.end())
        values.push_back(v);
    }
    if (values.size() != 2)
      continue;
    Comparison c = compare(exp, variable, values[0], values[1]);
    if (!c.values.empty())
      out.push_back(c);
  }
  return out;
}

ojson summaryJson(const ExperimentRecord &exp) {
  if (!repeatsOverSeeds(exp))
    return nullptr;
  ojson out = ojson::array();
  for (const Configuration &c : configurations(exp)) {
    ojson entry{{"params", ojson::parse(c.params.dump())}};
    if (c.fold >= 0)
      entry["fold"] = c.fold;
    entry["seeds"] = c.seeds;
    entry["runs"] = c.runs.size();
    ojson values = ojson::object();
    for (const auto &[name, s] : c.values)
      values[name] = ojson{{"n", s.n},
                           {"mean", number(s.mean)},
                           {"std_error", number(s.stdError)},
                           {"min", number(s.min)},
                           {"max", number(s.max)}};
    entry["values"] = values;
    out.push_back(entry);
  }
  return out;
}

ojson comparisonsJson(const ExperimentRecord &exp) {
  const std::vector<Comparison> comparisons = pairedComparisons(exp);
  if (comparisons.empty())
    return nullptr;
  ojson out = ojson::array();
  for (const Comparison &c : comparisons) {
    ojson values = ojson::object();
    for (const auto &[name, d] : c.values)
      values[name] = ojson{{"n", d.n},
                           {"mean", number(d.mean)},
                           {"std_error", number(d.stdError)},
                           {"df", d.n - 1},
                           {"ci95", {number(d.low), number(d.high)}}};
    const auto text = [](const json &v) {
      return v.is_string() ? v.get<std::string>() : v.dump();
    };
    out.push_back(ojson{{"variable", c.variable},
                        {"first", ojson::parse(c.first.dump())},
                        {"second", ojson::parse(c.second.dump())},
                        {"difference", text(c.first) + " - " + text(c.second)},
                        {"values", values}});
  }
  return out;
}

void addSummaryJson(const ExperimentRecord &exp, ojson &out) {
  if (!exp.selectionStability.is_null())
    out["selection_stability"] = exp.selectionStability;
  ojson summary = summaryJson(exp);
  if (summary.is_null())
    return;
  out["summary"] = summary;
  ojson comparisons = comparisonsJson(exp);
  if (!comparisons.is_null())
    out["comparisons"] = comparisons;
}

namespace {

// The configuration columns: the loop variables, then fold when any has one.
std::vector<std::string> configColumns(const std::vector<Configuration> &cs) {
  std::vector<std::string> columns;
  bool fold = false;
  for (const Configuration &c : cs) {
    for (auto &[key, value] : c.params.items())
      addName(columns, key);
    fold |= c.fold >= 0;
  }
  if (fold)
    columns.push_back("fold");
  return columns;
}

std::vector<std::string> valueNames(const std::vector<Configuration> &cs) {
  std::vector<std::string> names;
  for (const Configuration &c : cs)
    for (const auto &v : c.values)
      addName(names, v.first);
  return names;
}

const stats::Summary *summaryOf(const Configuration &c,
                                const std::string &name) {
  for (const auto &[n, s] : c.values)
    if (n == name)
      return &s;
  return nullptr;
}

std::vector<std::string> configCells(const Configuration &c,
                                     const std::vector<std::string> &columns) {
  std::vector<std::string> row;
  for (const std::string &key : columns) {
    if (key == "fold" && !c.params.contains("fold")) {
      row.push_back(c.fold >= 0 ? std::to_string(c.fold) : "");
      continue;
    }
    const json v = c.params.value(key, json());
    row.push_back(v.is_null()     ? ""
                  : v.is_string() ? v.get<std::string>()
                                  : v.dump());
  }
  row.push_back(std::to_string(c.runs.size()));
  return row;
}

} // namespace

std::vector<std::vector<std::string>>
summaryRows(const std::vector<Configuration> &configs) {
  const std::vector<std::string> columns = configColumns(configs);
  const std::vector<std::string> names = valueNames(configs);
  std::vector<std::string> header = columns;
  header.push_back("runs");
  for (const std::string &name : names) {
    header.push_back(name + " (mean ± SE)");
    header.push_back("[min, max]");
  }
  std::vector<std::vector<std::string>> rows{header};
  for (const Configuration &c : configs) {
    std::vector<std::string> row = configCells(c, columns);
    for (const std::string &name : names) {
      const stats::Summary *s = summaryOf(c, name);
      row.push_back(s && s->n ? fixed(s->mean) + " ± " + fixed(s->stdError)
                              : "-");
      row.push_back(s && s->n ? "[" + fixed(s->min) + ", " + fixed(s->max) + "]"
                              : "-");
    }
    rows.push_back(row);
  }
  return rows;
}

std::string summaryCsv(const ExperimentRecord &exp) {
  const std::vector<Configuration> configs = configurations(exp);
  const std::vector<std::string> columns = configColumns(configs);
  const std::vector<std::string> names = valueNames(configs);
  std::vector<std::string> header = columns;
  header.push_back("runs");
  for (const std::string &name : names)
    for (const char *part : {"_n", "_mean", "_std_error", "_min", "_max"})
      header.push_back(name + part);
  std::vector<std::vector<std::string>> rows{header};
  for (const Configuration &c : configs) {
    std::vector<std::string> row = configCells(c, columns);
    for (const std::string &name : names) {
      const stats::Summary *s = summaryOf(c, name);
      row.push_back(s ? std::to_string(s->n) : "0");
      for (double v : {s ? s->mean : kNaN, s ? s->stdError : kNaN,
                       s ? s->min : kNaN, s ? s->max : kNaN})
        row.push_back(full(v));
    }
    rows.push_back(row);
  }
  std::string out;
  for (const auto &row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      const std::string &f = row[i];
      const bool quote = f.find_first_of(",\"\n") != std::string::npos;
      std::string q = f;
      if (quote) {
        q = "\"";
        for (char ch : f)
          q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
        q += "\"";
      }
      out += (i ? "," : "") + q;
    }
    out += "\n";
  }
  return out;
}

std::vector<std::vector<std::string>> comparisonRows(const Comparison &c) {
  std::vector<std::vector<std::string>> rows{
      {"number", "pairs", "mean difference", "std error", "95% CI"}};
  for (const auto &[name, d] : c.values)
    rows.push_back(
        {name, std::to_string(d.n), fixed(d.mean), fixed(d.stdError),
         d.n > 1 ? "[" + fixed(d.low) + ", " + fixed(d.high) + "]" : "-"});
  return rows;
}

std::string comparisonTitle(const Comparison &c) {
  const auto text = [](const json &v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
  };
  return "Paired difference " + c.variable + "=" + text(c.first) + " minus " +
         c.variable + "=" + text(c.second) +
         " (pairs by seed and the other loop values; 95% CI, Student's t, "
         "df = pairs - 1)";
}

std::string summaryText(const ExperimentRecord &exp) {
  std::string out;
  if (!exp.selectionStability.is_null())
    out = stabilityTable(exp.selectionStability);
  if (!repeatsOverSeeds(exp))
    return out;
  out += std::string(out.empty() ? "" : "\n") +
         "Over seeds: mean ± standard error, [min, max]\n" +
         alignedTable(summaryRows(configurations(exp)));
  for (const Comparison &c : pairedComparisons(exp))
    out += "\n" + comparisonTitle(c) + "\n" + alignedTable(comparisonRows(c));
  return out;
}

} // namespace netc::rt
