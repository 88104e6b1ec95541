//===- Stability.cpp - Selection repeated over data draws -----------------===//

#include "netc/Stability.h"

#include <cstdio>
#include <map>

using nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace netc::rt {

std::vector<GroupSelection>
selectPerGroup(const json &select, const std::vector<RunRecord> &runs,
               const std::vector<int64_t> &trainableParams) {
  const std::string variable = select.value("variable", std::string());
  std::vector<GroupSelection> groups;
  std::vector<std::vector<RunRecord>> runsOf;
  std::vector<std::vector<int64_t>> paramsOf;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < runs.size(); ++i) {
    if (runs[i].fold < 0 || variable.empty() ||
        !runs[i].params.contains(variable))
      continue;
    json outer = typedParams(runs[i].params);
    outer.erase(variable);
    auto [it, fresh] = index.insert({outer.dump(), groups.size()});
    if (fresh) {
      groups.push_back({outer, {}});
      runsOf.emplace_back();
      paramsOf.emplace_back();
    }
    // The candidate is named by the crossvalidate variable alone.
    RunRecord run = runs[i];
    run.params = json{{variable, runs[i].params[variable]}};
    runsOf[it->second].push_back(std::move(run));
    paramsOf[it->second].push_back(trainableParams[i]);
  }
  if (groups.size() < 2) // one selection over every fold run, as spec §5
    return {{json::object(), selectModel(select, runs, trainableParams)}};
  for (size_t g = 0; g < groups.size(); ++g)
    groups[g].selection = selectModel(select, runsOf[g], paramsOf[g]);
  return groups;
}

namespace {

ojson candidateParams(const Selection &s, size_t i) {
  return i == Selection::kNone ? ojson(nullptr)
                               : ojson::parse(s.candidates[i].params.dump());
}

ojson stabilityJson(const json &select,
                    const std::vector<GroupSelection> &groups) {
  const Selection &first = groups[0].selection;
  const std::string byBest = "chosen_by_" + first.mode;
  ojson candidates = ojson::array();
  for (const Candidate &c : first.candidates)
    candidates.push_back(ojson{
        {"params", ojson::parse(c.params.dump())}, {"chosen", 0}, {byBest, 0}});
  ojson selections = ojson::array();
  for (const GroupSelection &g : groups) {
    const Selection &s = g.selection;
    const ojson chosen = candidateParams(s, s.chosen);
    const ojson best = candidateParams(s, s.chosenByBest);
    for (ojson &c : candidates) {
      c["chosen"] = c["chosen"].get<int64_t>() + (c["params"] == chosen);
      c[byBest] = c[byBest].get<int64_t>() + (c["params"] == best);
    }
    selections.push_back(ojson{{"params", ojson::parse(g.outer.dump())},
                               {"chosen", chosen},
                               {byBest, best}});
  }
  return ojson{{"metric", first.metric},
               {"rule", first.rule},
               {"variable", select.value("variable", std::string())},
               {"groups", groups.size()},
               {"candidates", candidates},
               {"selections", selections}};
}

} // namespace

void selectAll(const json &select, ExperimentRecord &record,
               const std::vector<int64_t> &trainableParams) {
  const std::vector<GroupSelection> groups =
      selectPerGroup(select, record.runs, trainableParams);
  record.selection = selectionJson(groups[0].selection);
  if (groups.size() < 2)
    return;
  record.selection["over"] = ojson::parse(groups[0].outer.dump());
  record.selectionStability = stabilityJson(select, groups);
}

std::string stabilityTable(const ojson &stability) {
  const int64_t groups = stability["groups"].get<int64_t>();
  std::string byBest;
  for (auto &[key, value] : stability["candidates"][0].items())
    if (key.rfind("chosen_by_", 0) == 0)
      byBest = key;
  const std::string rule = stability["rule"].get<std::string>();
  const bool both = byBest != "chosen_by_" + rule;
  std::vector<std::vector<std::string>> rows{{"candidate", rule}};
  if (both)
    rows[0].push_back(byBest.substr(10));
  auto share = [&](int64_t n) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%lld (%.0f%%)", (long long)n,
                  100.0 * double(n) / double(groups));
    return std::string(buf);
  };
  for (const auto &c : stability["candidates"]) {
    std::string name;
    for (auto &[k, v] : c["params"].items())
      name += (name.empty() ? "" : ", ") + k + "=" +
              (v.is_string() ? v.get<std::string>() : v.dump());
    rows.push_back({name, share(c["chosen"].get<int64_t>())});
    if (both)
      rows.back().push_back(share(c[byBest].get<int64_t>()));
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto &row : rows)
    for (size_t i = 0; i < row.size(); ++i)
      width[i] = std::max(width[i], row[i].size());
  std::string out = "Selection stability over " + std::to_string(groups) +
                    " selections (each value of the loops around the "
                    "crossvalidate), by " +
                    stability["metric"].get<std::string>() + "\n";
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t i = 0; i < rows[r].size(); ++i)
      out +=
          rows[r][i] + (i + 1 < rows[r].size()
                            ? std::string(width[i] - rows[r][i].size() + 2, ' ')
                            : "");
    out += "\n";
  }
  return out;
}

} // namespace netc::rt
