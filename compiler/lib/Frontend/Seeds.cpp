//===- Seeds.cpp - Experiments repeated over seeds, data set variants -----===//
//
// `experiment e (seeds: 5) { ... }` unrolls the body once per seed, seed
// after seed, so that every run (shared ones too) of repetition r carries
// seed r; `experiment e (seed: 42)` gives every run one seed. Without
// either, runs keep spec §2's default seed (the runtime derives it).
// `poly(seed: draw)` in an experiment is the generated data set `poly`
// drawn with another seed (selection stability over data draws).
//
//===----------------------------------------------------------------------===//

#include "Experiments.h"

#include "netc/Frontend/Limits.h"

#include <set>

namespace netc {

namespace {

/// `seeds: N` is the seeds 1..N; `seeds: [a, b]` (or a range) those.
bool seedList(Diagnostics &diags, const Value &v, std::vector<int64_t> &out) {
  if (v.kind == Value::Int) {
    if (v.i < 1 || v.i > limits::kLoopIterations) {
      diags.error(v.loc, "'seeds' takes a count from 1 to " +
                             std::to_string(limits::kLoopIterations) +
                             ", got " + std::to_string(v.i));
      return false;
    }
    for (int64_t s = 1; s <= v.i; ++s)
      out.push_back(s);
    return true;
  }
  if (v.kind != Value::List) {
    diags.error(v.loc, "'seeds' takes a count or a list of seeds, e.g. "
                       "seeds: 5 or seeds: [1, 2, 3], got " +
                           describe(v));
    return false;
  }
  if (v.list.empty() || (int64_t)v.list.size() > limits::kLoopIterations) {
    diags.error(v.loc, "'seeds' lists from 1 to " +
                           std::to_string(limits::kLoopIterations) +
                           " seeds, got " + std::to_string(v.list.size()));
    return false;
  }
  std::set<int64_t> seen;
  for (const Value &s : v.list) {
    if (s.kind != Value::Int || s.i < 0) {
      diags.error(s.loc, "a seed is an integer >= 0, got " + describe(s));
      return false;
    }
    if (!seen.insert(s.i).second) {
      diags.error(s.loc, "seed " + std::to_string(s.i) +
                             " is listed twice; its runs would repeat");
      return false;
    }
    out.push_back(s.i);
  }
  return true;
}

} // namespace

bool ExperimentChecker::experimentSeeds(const ast::ExperimentDecl &decl,
                                        std::vector<int64_t> &seeds,
                                        bool &repeated) {
  if (decl.args.empty())
    return true;
  Scope scope;
  std::vector<Value> pos;
  Keywords kws;
  ev.evalArgs(decl.args, scope, nullptr, pos, kws);
  BoundArgs b = ev.bind("experiment",
                        {{"seed", ArgSpec::Int, false, 0, "", {}},
                         {"seeds", ArgSpec::Any, false, 0, "", {}}},
                        pos, kws, decl.loc);
  if (!b.ok)
    return false;
  auto &v = b.values;
  if (v.count("seed") && v.count("seeds")) {
    diags.error(v["seeds"].loc, "an experiment takes 'seed' (one seed for "
                                "every run) or 'seeds' (repeated runs), "
                                "not both");
    return false;
  }
  if (v.count("seed")) {
    if (v["seed"].i < 0) {
      diags.error(v["seed"].loc, "a seed is an integer >= 0, got " +
                                     std::to_string(v["seed"].i));
      return false;
    }
    seeds.push_back(v["seed"].i);
    return true;
  }
  repeated = v.count("seeds") != 0;
  return !repeated || seedList(diags, v["seeds"], seeds);
}

void ExperimentChecker::repeatOverSeeds(const ast::ExperimentDecl &decl) {
  std::vector<int64_t> seeds;
  bool repeated = false;
  if (!experimentSeeds(decl, seeds, repeated))
    return;
  if (seeds.empty()) {
    Scope scope;
    process(decl.body, scope);
    return;
  }
  const int errorsBefore = diags.errorCount();
  for (size_t r = 0; r < seeds.size() && !ctx.halted(); ++r) {
    seed = seeds[r];
    repetition = repeated ? (int)r : -1;
    run = -1;
    names.clear();
    Scope scope;
    process(decl.body, scope);
    // The body is the same each time: its errors are reported once.
    if (diags.errorCount() > errorsBefore)
      break;
  }
  seed = -1;
  repetition = -1;
}

std::string ExperimentChecker::loopValueText(const Value &v) {
  if (v.kind != Value::Data)
    return valueText(v, false);
  const std::string &name = ctx.program().datasets[v.i].name;
  return v.s.empty() ? name : name + "." + v.s;
}

Value ExperimentChecker::datasetVariant(const ast::Expr &e, Scope &scope) {
  const int base = ctx.findDataset(e.text);
  std::vector<Value> pos;
  Keywords kws;
  ev.evalArgs(e.args, scope, this, pos, kws);
  DatasetDecl d = ctx.program().datasets[base];
  if (d.kind != "polynomial") {
    diags.error(e.loc, "dataset '" + d.name + "' (" + d.kind +
                           ") has no seed to vary; only a generated data "
                           "set (polynomial) is drawn again as "
                           "name(seed: S)");
    return Value::error();
  }
  BoundArgs b = ev.bind(e.text, {{"seed", ArgSpec::Int, true, 0, "", {}}}, pos,
                        kws, e.loc);
  if (!b.ok)
    return Value::error();
  const int64_t s = b.values["seed"].i;
  if (s < 0) {
    diags.error(b.values["seed"].loc,
                "a seed is an integer >= 0, got " + std::to_string(s));
    return Value::error();
  }
  d.args["seed"] = (double)s;
  d.name += "(seed: " + std::to_string(s) + ")";
  int index = ctx.findDataset(d.name);
  if (index < 0) {
    ctx.addDataset(d);
    index = ctx.findDataset(d.name);
  }
  Value r;
  r.kind = Value::Data;
  r.i = index;
  r.loc = e.loc;
  return r;
}

} // namespace netc
