//===- Stability.h - Selection repeated over data draws ---------*- C++ -*-===//
//
// `for draw in 1..100 { crossvalidate degree in 1..12 { ... train net on
// poly(seed: draw) ... } } select min val_loss, within: one_std_error`
// selects once per value of the loops around the crossvalidate (here once
// per data draw); results then say how often each rule picks each
// candidate. docs/language.md, "Seeds and repeated runs".
//
//===----------------------------------------------------------------------===//
#ifndef NETC_STABILITY_H
#define NETC_STABILITY_H

#include "netc/CrossValidation.h"

#include <nlohmann/json.hpp>
#include <vector>

namespace netc::rt {

/// One selection per group of fold runs sharing the loop values other than
/// the plan's select "variable" (all fold runs form one group when the plan
/// names none). `outer` holds those values (typed).
struct GroupSelection {
  nlohmann::json outer;
  Selection selection;
};
std::vector<GroupSelection>
selectPerGroup(const nlohmann::json &select, const std::vector<RunRecord> &runs,
               const std::vector<int64_t> &trainableParams);

/// Fills record.selection (with one group, as before: spec §5; with
/// several, the first group's) and, with several groups,
/// record.selectionStability: {"metric", "rule", "variable", "groups",
/// "candidates": [{"params", "chosen", "chosen_by_min"|"chosen_by_max"}]
/// (counts), "selections": [{"params", "chosen", "chosen_by_..."}]}.
void selectAll(const nlohmann::json &select, ExperimentRecord &record,
               const std::vector<int64_t> &trainableParams);

/// The stdout table of "selection_stability": per candidate, how many
/// groups each rule picked it in.
std::string stabilityTable(const nlohmann::ordered_json &stability);

} // namespace netc::rt

#endif // NETC_STABILITY_H
