//===- Results.cpp - Writing an experiment's results ----------------------===//

#include "netc/Results.h"

#include "netc/Cpu.h"
#include "netc/DataParallel.h"
#include "netc/Device.h"

#include "netc/Aggregate.h"
#include "netc/Report.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <stdexcept>
#include <unistd.h>

using nlohmann::json;

namespace netc::rt {

namespace {

// JSON has no NaN/Inf: a diverged loss becomes null rather than bad JSON.
nlohmann::ordered_json number(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v)
                          : nlohmann::ordered_json(nullptr);
}

std::vector<std::string> columnsOf(const ExperimentRecord &exp) {
  std::vector<std::string> columns;
  for (const RunRecord &run : exp.runs)
    for (const auto &cell : run.cells)
      if (std::find(columns.begin(), columns.end(), cell.first) ==
          columns.end())
        columns.push_back(cell.first);
  return columns;
}

const json *cellOf(const RunRecord &run, const std::string &column) {
  for (const auto &cell : run.cells)
    if (cell.first == column)
      return &cell.second;
  return nullptr;
}

// Full precision in files (round-trips), four decimals on the terminal.
std::string text(const json &v, bool forTerminal) {
  if (v.is_string())
    return v.get<std::string>();
  // No number (NaN or Inf, null once read back by --resume): "-", so that a
  // resumed table prints the same.
  if (v.is_null() || (v.is_number_float() && !std::isfinite(v.get<double>())))
    return forTerminal ? "-" : "";
  if (v.is_number_float() && forTerminal) {
    // Four decimals; huge values (a run on its way to diverging) in
    // scientific notation rather than forty digits.
    const double d = v.get<double>();
    char buf[64];
    std::snprintf(buf, sizeof buf, std::fabs(d) < 1e6 ? "%.4f" : "%.4g", d);
    return buf;
  }
  return v.dump();
}

std::string csvField(const std::string &s) {
  if (s.find_first_of(",\"\n") == std::string::npos)
    return s;
  std::string quoted = "\"";
  for (char c : s) {
    if (c == '"')
      quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

} // namespace

/// The cells of a run that reports nothing (a cross-validation fold): its
/// loop values, its fold and its last epoch's figures.
static std::vector<std::pair<std::string, json>>
defaultCells(const RunRecord &run) {
  std::vector<std::pair<std::string, json>> cells;
  const json params = typedParams(run.params);
  for (auto &[key, value] : params.items())
    cells.push_back({key, value});
  if (run.fold >= 0)
    cells.push_back({"fold", run.fold});
  if (!run.history.empty()) {
    const EpochRecord &e = run.history.back();
    cells.push_back({"loss", e.loss});
    cells.push_back({run.metricName, e.metric});
    for (size_t j = 0; j < e.more.size(); ++j)
      cells.push_back({run.moreMetricNames.at(j), e.more[j]});
    if (e.hasVal) {
      cells.push_back({"val_loss", e.valLoss});
      cells.push_back({"val_" + run.metricName, e.valMetric});
      for (size_t j = 0; j < e.valMore.size(); ++j)
        cells.push_back({"val_" + run.moreMetricNames.at(j), e.valMore[j]});
    }
  }
  return cells;
}

std::vector<std::string> moreMetricNames(const std::vector<std::string> &all) {
  return all.size() > 1 ? std::vector<std::string>(all.begin() + 1, all.end())
                        : std::vector<std::string>{};
}

std::vector<std::vector<std::string>> resultsRows(const ExperimentRecord &exp,
                                                  bool forTerminal) {
  // Runs without a report step show their loop values and final figures.
  ExperimentRecord shown = exp;
  for (RunRecord &run : shown.runs)
    if (run.cells.empty())
      run.cells = defaultCells(run);
  // Runs repeated over seeds show theirs.
  if (repeatsOverSeeds(exp))
    for (RunRecord &run : shown.runs)
      run.cells.push_back({"seed", run.seed});
  std::vector<std::string> header = columnsOf(shown);
  const size_t cells = header.size();
  const bool status =
      std::any_of(exp.runs.begin(), exp.runs.end(),
                  [](const RunRecord &r) { return r.diverged(); });
  if (status)
    header.push_back("status");
  header.push_back("seconds");
  std::vector<std::vector<std::string>> table{header};
  for (const RunRecord &run : shown.runs) {
    std::vector<std::string> row;
    for (size_t c = 0; c < cells; ++c) {
      const json *v = cellOf(run, header[c]);
      row.push_back(v ? text(*v, forTerminal) : "");
    }
    if (status)
      row.push_back(statusText(run));
    char secs[32];
    std::snprintf(secs, sizeof secs, forTerminal ? "%.1f" : "%.3f",
                  run.seconds);
    row.push_back(secs);
    table.push_back(row);
  }
  return table;
}

json typedParams(const json &params) {
  json out = json::object();
  for (auto &[key, value] : params.items()) {
    out[key] = value;
    if (!value.is_string())
      continue;
    const std::string &text = value.get_ref<const std::string &>();
    // Only what reads as a JSON number, whole: "1e-4" yes, "l2(0.1)" no.
    json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_number())
      out[key] = parsed;
  }
  return out;
}

std::string runLabel(const RunRecord &run) {
  std::string label;
  for (auto &[key, value] : run.params.items())
    label += (label.empty() ? "" : ", ") + key + "=" +
             (value.is_string() ? value.get<std::string>() : value.dump());
  if (run.fold >= 0)
    label += (label.empty() ? "" : ", ") + std::string("fold=") +
             std::to_string(run.fold);
  return label.empty() ? "run" : label;
}

std::string statusText(const RunRecord &run) {
  if (!run.diverged())
    return run.status;
  return "diverged at epoch " + std::to_string(run.divergedEpoch) + ", step " +
         std::to_string(run.divergedStep);
}

std::string divergenceSummary(const ExperimentRecord &exp) {
  std::string labels;
  size_t n = 0;
  for (const RunRecord &run : exp.runs)
    if (run.diverged()) {
      labels += (n++ ? "; " : "") + runLabel(run);
    }
  if (n == 0)
    return "";
  return std::to_string(n) + " of " + std::to_string(exp.runs.size()) +
         " runs of experiment " + exp.name + " diverged (" + labels +
         "): their loss became NaN or Inf; they are marked \"diverged\" in "
         "the results";
}

namespace {

using ojson = nlohmann::ordered_json;

ojson historyJson(const std::vector<EpochRecord> &history,
                  const std::string &metricName,
                  const std::vector<std::string> &more) {
  ojson out = ojson::array();
  for (const EpochRecord &e : history) {
    ojson h{{"epoch", e.epoch},
            {"loss", number(e.loss)},
            {metricName, number(e.metric)}};
    for (size_t j = 0; j < e.more.size(); ++j)
      h[more.at(j)] = number(e.more[j]);
    if (e.hasVal) {
      h["val_loss"] = number(e.valLoss);
      h["val_" + metricName] = number(e.valMetric);
      for (size_t j = 0; j < e.valMore.size(); ++j)
        h["val_" + more.at(j)] = number(e.valMore[j]);
    }
    if (e.hasLearningRate)
      h["learning_rate"] = number(e.learningRate);
    out.push_back(h);
  }
  return out;
}

// With several trains, each one's network and history.
ojson trainsJson(const RunRecord &run) {
  ojson trains = ojson::array();
  for (const TrainRecord &t : run.trains) {
    ojson j{
        {"network", t.network},
        {"history", historyJson(t.history, t.metricName, t.moreMetricNames)}};
    if (t.stoppedEpoch > 0)
      j["stopped_epoch"] = t.stoppedEpoch;
    if (t.restoredEpoch > 0)
      j["restored_epoch"] = t.restoredEpoch;
    trains.push_back(j);
  }
  return trains;
}

ojson runJson(const RunRecord &run) {
  ojson r;
  r["params"] = ojson::parse(typedParams(run.params).dump());
  r["seed"] = run.seed;
  if (run.fold >= 0)
    r["fold"] = run.fold;
  r["status"] = run.status;
  if (run.diverged())
    r["diverged_at"] =
        ojson{{"epoch", run.divergedEpoch}, {"step", run.divergedStep}};
  r["history"] = historyJson(run.history, run.metricName, run.moreMetricNames);
  if (run.stoppedEpoch > 0)
    r["stopped_epoch"] = run.stoppedEpoch;
  if (run.restoredEpoch > 0)
    r["restored_epoch"] = run.restoredEpoch;
  if (run.trains.size() > 1)
    r["trains"] = trainsJson(run);
  if (run.hasTest) {
    r["test"] = ojson{{"loss", number(run.testLoss)},
                      {run.metricName, number(run.testMetric)}};
    for (size_t j = 0; j < run.testMore.size(); ++j)
      r["test"][run.moreMetricNames.at(j)] = number(run.testMore[j]);
  }
  r["seconds"] = run.seconds;
  r["rank"] = run.rank;
  // The report's cells, so that --resume can rebuild the table of runs it
  // does not execute again.
  ojson report = ojson::object();
  for (const auto &[column, value] : run.cells)
    report[column] = ojson::parse(value.dump());
  r["report"] = report;
  return r;
}

} // namespace

nlohmann::ordered_json runRecordJson(const RunRecord &run) {
  return runJson(run);
}

nlohmann::ordered_json resultsJson(const ExperimentRecord &exp) {
  // Ordered keys: the file reads in the order of spec §5.
  ojson runs = ojson::array();
  for (const RunRecord &run : exp.runs)
    runs.push_back(runJson(run));
  ojson out{{"experiment", exp.name}, {"target", exp.target}};
  // A program built for a device says which (netc/Device.h); cpu results
  // are unchanged.
  if (const device::Backend *backend = device::active()) {
    out["target"] = backend->name;
    out["device"] = backend->deviceName();
  }
  if (!targetCpuJson().is_null()) // the CPU built for and the one run on
    out["cpu"] = targetCpuJson();
  out["runs"] = runs;
  if (!exp.sharedRuns.empty()) {
    ojson shared = ojson::array();
    for (const RunRecord &run : exp.sharedRuns)
      shared.push_back(runJson(run));
    out["shared_runs"] = shared;
  }
  if (!exp.selection.is_null())
    out["selection"] = exp.selection;
  addSummaryJson(exp, out); // runs repeated over seeds: "summary", ...
  return out;
}

std::string resultsCsv(const ExperimentRecord &exp) {
  std::string out;
  std::vector<std::vector<std::string>> rows = resultsRows(exp, false);
  // The rank that trained each run (netc/Ranks.h), after "seconds".
  rows[0].push_back("rank");
  for (size_t i = 0; i < exp.runs.size(); ++i)
    rows[i + 1].push_back(std::to_string(exp.runs[i].rank));
  for (const auto &row : rows) {
    for (size_t i = 0; i < row.size(); ++i)
      out += (i ? "," : "") + csvField(row[i]);
    out += "\n";
  }
  return out;
}

std::string alignedTable(const std::vector<std::vector<std::string>> &rows) {
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto &row : rows)
    for (size_t i = 0; i < row.size(); ++i)
      width[i] = std::max(width[i], row[i].size());
  std::string out;
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t i = 0; i < rows[r].size(); ++i) {
      out += rows[r][i];
      if (i + 1 < rows[r].size())
        out += std::string(width[i] - rows[r][i].size() + 2, ' ');
    }
    out += "\n";
    if (r == 0) {
      size_t total = 0;
      for (size_t w : width)
        total += w + 2;
      out += std::string(total - 2, '-') + "\n";
    }
  }
  return out;
}

std::string resultsTable(const ExperimentRecord &exp) {
  return alignedTable(resultsRows(exp, true));
}

namespace {

[[noreturn]] void failOn(const std::string &file) {
  throw std::runtime_error(file + ": " + std::strerror(errno));
}

// `content` into `path`, synced to the disk.
void writeSynced(const std::string &path, const std::string &content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0)
    failOn(path);
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      ::close(fd);
      failOn(path);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0)
    failOn(path);
}

// Makes the renames in `dir` durable (best effort: not every file system
// lets a directory be synced).
void syncDirectory(const std::string &dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

} // namespace

void writeFileAtomically(const std::string &path, const std::string &content) {
  char host[256] = "host";
  ::gethostname(host, sizeof host - 1);
  host[sizeof host - 1] = '\0';
  const std::string tmp =
      path + ".tmp." + host + "." + std::to_string(::getpid());
  writeSynced(tmp, content);
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    failOn(path);
}

void writeFilesTogether(
    const std::string &dir,
    const std::vector<std::pair<std::string, std::string>> &files,
    const std::function<void(const std::string &)> &beforeRename) {
  for (const auto &[name, content] : files)
    writeSynced(dir + "/" + name + ".tmp", content);
  for (const auto &[name, content] : files) {
    if (beforeRename)
      beforeRename(name);
    const std::string path = dir + "/" + name;
    if (::rename((path + ".tmp").c_str(), path.c_str()) != 0)
      failOn(path);
  }
  syncDirectory(dir);
}

std::vector<std::pair<std::string, std::string>>
resultsFiles(const ExperimentRecord &exp) {
  std::vector<std::pair<std::string, std::string>> files = {
      {"report.html", reportHtml(exp)}, {"results.csv", resultsCsv(exp)}};
  if (repeatsOverSeeds(exp))
    files.push_back({"summary.csv", summaryCsv(exp)});
  files.push_back({"results.json", resultsJson(exp).dump(2) + "\n"});
  return files;
}

void writeResults(const ExperimentRecord &exp, const std::string &dir) {
  if (!dp::writesFiles()) // --data-parallel: rank 0 writes
    return;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw std::runtime_error(dir + ": " + ec.message());
  writeFilesTogether(dir, resultsFiles(exp));
}

} // namespace netc::rt
