//===- Resume.cpp - Reading back results.json for --resume ----------------===//

#include "netc/Resume.h"

#include "netc/data/Dataset.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>

using nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace netc::rt {

namespace {

// Diverged values were written as null (JSON has no NaN).
double numberOr(const ojson &obj, const std::string &key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number())
    return NAN;
  return it->get<double>();
}

// The metrics are a history entry's (or the test result's) other keys, in
// the order written.
void metricsOf(const ojson &obj, std::string &name,
               std::vector<std::string> &more) {
  std::vector<std::string> names;
  for (auto &[key, value] : obj.items())
    if (key != "epoch" && key != "loss" && key != "learning_rate" &&
        key.rfind("val_", 0) != 0)
      names.push_back(key);
  if (!names.empty())
    name = names.front();
  more = moreMetricNames(names);
}

std::vector<EpochRecord> parseHistory(const ojson &history,
                                      const std::string &name,
                                      const std::vector<std::string> &more) {
  std::vector<EpochRecord> out;
  for (const ojson &h : history) {
    EpochRecord e;
    e.epoch = h.at("epoch").get<int64_t>();
    e.loss = numberOr(h, "loss");
    e.metric = numberOr(h, name);
    if (h.contains("val_loss")) {
      e.hasVal = true;
      e.valLoss = numberOr(h, "val_loss");
      e.valMetric = numberOr(h, "val_" + name);
      for (const std::string &m : more)
        e.valMore.push_back(numberOr(h, "val_" + m));
    }
    for (const std::string &m : more)
      e.more.push_back(numberOr(h, m));
    if (h.contains("learning_rate")) {
      e.hasLearningRate = true;
      e.learningRate = numberOr(h, "learning_rate");
    }
    out.push_back(e);
  }
  return out;
}

RunRecord parseRun(const ojson &r) {
  RunRecord run;
  run.params = json::parse(r.at("params").dump());
  run.seed = r.at("seed").get<uint64_t>();
  run.fold = r.value("fold", int64_t(-1));
  run.seconds = r.value("seconds", 0.0);
  run.rank = r.value("rank", 0); // files before ranks had none
  // Files written before runs had a status hold only finished, ok runs.
  run.status = r.value("status", std::string("ok"));
  if (run.status != "ok" && run.status != "diverged")
    throw std::invalid_argument("a run has an unknown status '" + run.status +
                                "'");
  if (run.diverged()) {
    const ojson &at = r.at("diverged_at");
    run.divergedEpoch = at.at("epoch").get<int64_t>();
    run.divergedStep = at.at("step").get<int64_t>();
  }
  const ojson &history = r.at("history");
  if (!history.empty())
    metricsOf(history[0], run.metricName, run.moreMetricNames);
  else if (r.contains("test"))
    metricsOf(r["test"], run.metricName, run.moreMetricNames);
  run.history = parseHistory(history, run.metricName, run.moreMetricNames);
  if (r.contains("trains"))
    for (const ojson &t : r["trains"]) {
      TrainRecord train;
      train.network = t.value("network", std::string());
      const ojson &h = t.at("history");
      if (!h.empty())
        metricsOf(h[0], train.metricName, train.moreMetricNames);
      train.history = parseHistory(h, train.metricName, train.moreMetricNames);
      train.stoppedEpoch = t.value("stopped_epoch", int64_t(0));
      train.restoredEpoch = t.value("restored_epoch", int64_t(0));
      run.trains.push_back(std::move(train));
    }
  run.stoppedEpoch = r.value("stopped_epoch", int64_t(0));
  run.restoredEpoch = r.value("restored_epoch", int64_t(0));
  if (r.contains("test")) {
    run.hasTest = true;
    run.testLoss = numberOr(r["test"], "loss");
    run.testMetric = numberOr(r["test"], run.metricName);
    for (const std::string &m : run.moreMetricNames)
      run.testMore.push_back(numberOr(r["test"], m));
  }
  if (r.contains("report"))
    for (auto &[column, value] : r["report"].items())
      run.cells.emplace_back(column, json::parse(value.dump()));
  return run;
}

} // namespace

RunRecord runRecordFromJson(const ojson &run) { return parseRun(run); }

std::vector<RunRecord> readFinishedRuns(const std::string &path,
                                        const std::string &experiment) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return {};
  std::ifstream in(path);
  if (!in)
    throw DataError(path, std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  std::vector<RunRecord> runs;
  try {
    const ojson root = ojson::parse(text.str());
    const std::string name = root.at("experiment").get<std::string>();
    if (name != experiment)
      throw DataError(path, "holds the results of experiment '" + name +
                                "', not '" + experiment +
                                "' (use another --out to resume)");
    for (const ojson &r : root.at("runs"))
      runs.push_back(parseRun(r));
  } catch (const json::exception &e) {
    throw DataError(path, std::string("cannot resume from it: ") + e.what());
  } catch (const std::invalid_argument &e) {
    throw DataError(path, std::string("cannot resume from it: ") + e.what());
  }
  return runs;
}

bool sameRun(const RunRecord &done, const json &params, int64_t fold,
             uint64_t seed) {
  return typedParams(done.params) == typedParams(params) && done.fold == fold &&
         done.seed == seed;
}

} // namespace netc::rt
