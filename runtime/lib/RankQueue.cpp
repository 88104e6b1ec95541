//===- RankQueue.cpp - Rank 0 hands out runs, the ranks train them --------===//
//
// ExperimentRunner::run under mpirun (netc/Ranks.h, docs/design.md "Ranks").
// Messages are JSON text. Rank 0 to a rank (kWorkTag): {"run": I}, or
// {"end": true, "failed": F} when the experiment is over. A rank to rank 0
// (kReportTag): {"done": I, "record": RUN, "shared": [[K, RUN], ...]} with
// the shared runs it ran first, or {"failed": I, "error": TEXT}. RUN is a
// run as results.json holds it (runRecordJson), read back exactly.
//
//===----------------------------------------------------------------------===//

#include "RunnerDetail.h"

#include "netc/Mpi.h"
#include "netc/Ranks.h"
#include "netc/Resume.h"
#include "netc/Runner.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

using nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace netc::rt {

namespace {

constexpr int kWorkTag = 102, kReportTag = 103;

using SharedRecords = std::vector<std::pair<size_t, RunRecord>>;
using TrainFn = std::function<RunRecord(size_t, SharedRecords &)>;

std::string labelOf(const RunSpec &run) {
  RunRecord r;
  r.params = run.params;
  r.fold = run.fold;
  return runLabel(r);
}

std::string doneMessage(size_t index, const RunRecord &record,
                        const SharedRecords &shared) {
  ojson message{{"done", index}, {"record", runRecordJson(record)}};
  ojson ran = ojson::array();
  for (const auto &[k, r] : shared)
    ran.push_back(ojson::array({k, runRecordJson(r)}));
  message["shared"] = ran;
  return message.dump();
}

std::string errorText() {
  try {
    throw;
  } catch (const std::exception &e) {
    return e.what();
  } catch (...) {
    return "an unknown error";
  }
}

/// Rank 0's side of one experiment: the queue, the records as they come in
/// (by run index), which rank holds which run, and the first failure.
class Leader {
public:
  /// `alone`: rank 0 trains every run itself, in order (the others wait
  /// for the end; see sharedFilesRewritten).
  Leader(const ExperimentSpec &experiment, const std::string &outDir,
         RunQueue queue, TrainFn train, bool alone)
      : experiment(experiment), outDir(outDir), queue(std::move(queue)),
        train(std::move(train)), alone(alone) {}

  /// A run finished earlier (--resume) or a shared run rank 0 ran itself.
  void add(size_t index, RunRecord record) {
    record.params = experiment.runs[index].params;
    (experiment.runs[index].shared ? shared : runs)[index] = std::move(record);
  }
  bool has(size_t index) const {
    return runs.count(index) || shared.count(index);
  }

  /// Runs the queue to its end: the first failure, "" when none.
  std::string run();

  /// The runs and shared runs so far, in the order of the plan.
  ExperimentRecord record() const;

private:
  void dispatch();
  void trainHere();
  void handOut(int rank);
  void receive(const std::string &text, int from);
  void store(size_t index, RunRecord record, SharedRecords ran);
  void fail(size_t index, int rank, const std::string &what);
  void sayLastWords();

  const ExperimentSpec &experiment;
  const std::string &outDir;
  RunQueue queue;
  TrainFn train;
  std::mutex mutex;
  std::condition_variable changed;
  std::map<size_t, RunRecord> runs, shared;
  std::map<int, size_t> held; // rank -> the run it trains
  std::string failure;
  detail::ThrottledWriter writer;
  bool alone;
};

std::string Leader::run() {
  if (alone) {
    trainHere();
    return failure;
  }
  // Without MPI_THREAD_SERIALIZED rank 0 only hands out runs.
  if (!mpi::world().serialized) {
    dispatch();
    return failure;
  }
  std::thread dispatcher([this] { dispatch(); });
  trainHere();
  dispatcher.join();
  return failure;
}

ExperimentRecord Leader::record() const {
  ExperimentRecord out;
  out.name = experiment.name;
  for (const auto &[index, r] : runs)
    out.runs.push_back(r);
  for (const auto &[index, r] : shared)
    out.sharedRuns.push_back(r);
  return out;
}

// The dispatcher thread: all of rank 0's MPI traffic during the experiment.
void Leader::dispatch() {
  const int workers = mpi::world().size - 1;
  std::set<int> idle;
  for (int r = 1; r <= workers; ++r)
    idle.insert(r);
  std::unique_lock<std::mutex> lock(mutex);
  while (true) {
    while (!idle.empty() && failure.empty() && queue.ready()) {
      handOut(*idle.begin());
      idle.erase(idle.begin());
    }
    if (static_cast<int>(idle.size()) == workers &&
        (!failure.empty() || queue.exhausted()))
      return;
    lock.unlock();
    std::string text;
    int from = 0, tag = 0;
    const bool got = mpi::tryReceiveText(-1, kReportTag, text, from, tag);
    if (!got) // a short sleep, not a spin: ranks beside this one train
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    lock.lock();
    if (got) {
      receive(text, from);
      idle.insert(from);
    }
  }
}

// Rank 0's main thread trains from the same queue.
void Leader::trainHere() {
  std::unique_lock<std::mutex> lock(mutex);
  while (true) {
    changed.wait(lock, [&] {
      return !failure.empty() || queue.exhausted() || queue.ready();
    });
    if (!failure.empty() || queue.exhausted())
      return;
    const size_t index = *queue.take();
    held[0] = index;
    std::fprintf(stderr, "Experiment %s, run %s: rank 0\n",
                 experiment.name.c_str(),
                 labelOf(experiment.runs[index]).c_str());
    sayLastWords();
    lock.unlock();
    SharedRecords ran;
    RunRecord record;
    std::string error;
    try {
      record = train(index, ran);
    } catch (...) {
      error = errorText();
    }
    lock.lock();
    held.erase(0);
    if (error.empty())
      store(index, std::move(record), std::move(ran));
    else
      fail(index, 0, error);
  }
}

// With the lock held.
void Leader::handOut(int rank) {
  const size_t index = *queue.take();
  held[rank] = index;
  std::fprintf(stderr, "Experiment %s, run %s: rank %d\n",
               experiment.name.c_str(), labelOf(experiment.runs[index]).c_str(),
               rank);
  sayLastWords();
  mpi::sendText(rank, kWorkTag, json{{"run", index}}.dump());
}

// With the lock held: a rank's report.
void Leader::receive(const std::string &text, int from) {
  auto it = held.find(from);
  const size_t index = it == held.end() ? 0 : it->second;
  held.erase(from);
  try {
    const ojson message = ojson::parse(text);
    if (message.contains("failed"))
      return fail(message.at("failed").get<size_t>(), from,
                  message.at("error").get<std::string>());
    SharedRecords ran;
    for (const ojson &pair : message.at("shared"))
      ran.emplace_back(pair.at(0).get<size_t>(), runRecordFromJson(pair.at(1)));
    store(message.at("done").get<size_t>(),
          runRecordFromJson(message.at("record")), std::move(ran));
  } catch (const std::exception &e) {
    fail(index, from, std::string("unreadable report: ") + e.what());
  }
}

// With the lock held: a finished run, written at once (as a single process
// does after every run).
void Leader::store(size_t index, RunRecord record, SharedRecords ran) {
  for (auto &[k, r] : ran)
    if (!has(k))
      add(k, std::move(r));
  add(index, std::move(record));
  queue.finish(index);
  try {
    if (!outDir.empty() && writer.due())
      writer.afterRun(this->record(), outDir);
  } catch (const std::exception &e) {
    if (failure.empty())
      failure = e.what();
  }
  sayLastWords();
  changed.notify_all();
}

// With the lock held: no further run starts; those in flight finish.
void Leader::fail(size_t index, int rank, const std::string &what) {
  if (failure.empty()) {
    failure = "experiment " + experiment.name + ", run " +
              labelOf(experiment.runs.at(index)) + " (rank " +
              std::to_string(rank) + "): " + what;
    if (!held.empty())
      std::fprintf(stderr,
                   "Experiment %s, run %s failed on rank %d; no further run "
                   "starts, waiting for the %zu run(s) in flight\n",
                   experiment.name.c_str(),
                   labelOf(experiment.runs.at(index)).c_str(), rank,
                   held.size());
  }
  sayLastWords();
  changed.notify_all();
}

// With the lock held: what rank 0 prints if the job is torn down (a rank
// died, or mpirun was interrupted): the runs in flight, and how to go on.
void Leader::sayLastWords() {
  std::string text = "error: the job stopped before these runs of "
                     "experiment " +
                     experiment.name + " finished:\n";
  for (const auto &[rank, index] : held)
    text += "  run " + labelOf(experiment.runs[index]) + " on rank " +
            std::to_string(rank) + "\n";
  text += "the runs that finished are in " + outDir +
          "/results.json; the same command with --resume runs the rest\n";
  mpi::setLastWords(held.empty() ? "" : text);
}

// A rank other than 0: trains what rank 0 sends until the experiment ends.
// A message it cannot read is a bug that would leave rank 0 waiting for its
// report: the job ends.
void serveRuns(const TrainFn &train) {
  while (true) {
    json message;
    try {
      int from = 0, tag = 0;
      message = json::parse(mpi::receiveText(0, kWorkTag, from, tag));
      if (message.contains("end") && message.at("failed").get<bool>()) {
        markFailureAgreed();
        throw AgreedFailure("the study failed (rank 0 says why)");
      }
      if (message.contains("end"))
        return;
      message.at("run").get<size_t>();
    } catch (const json::exception &e) {
      std::fprintf(stderr, "error: rank %d: unreadable message: %s\n",
                   mpi::world().rank, e.what());
      mpi::abortAll(1);
    }
    const size_t index = message.at("run").get<size_t>();
    std::string report;
    try {
      SharedRecords ran;
      const RunRecord record = train(index, ran);
      report = doneMessage(index, record, ran);
    } catch (...) {
      report = json{{"failed", index}, {"error", errorText()}}.dump();
    }
    mpi::sendText(0, kReportTag, report);
  }
}

/// Rank 0 tells every other rank that the experiment is over when it goes
/// out of scope: failed unless marked otherwise (an exception on rank 0
/// must not leave them waiting).
struct EndNotice {
  bool failed = true;
  ~EndNotice() {
    if (failed)
      markFailureAgreed();
    for (int r = 1; r < mpi::world().size; ++r)
      mpi::sendText(r, kWorkTag,
                    json{{"end", true}, {"failed", failed}}.dump());
  }
};

/// The runs of `experiment` left to do, in the order a single process does
/// them, and those `finished` (read by --resume) holds.
void whatIsLeft(const ExperimentSpec &experiment,
                const std::optional<uint64_t> &seedOverride,
                const std::vector<RunRecord> &finished, FILE *progress,
                std::vector<size_t> &todo,
                std::vector<std::pair<size_t, RunRecord>> &resumed) {
  for (size_t i = 0; i < experiment.runs.size(); ++i) {
    const RunSpec &run = experiment.runs[i];
    if (skippedRepetition(run, seedOverride) || run.shared)
      continue;
    const uint64_t seed = runSeed(experiment.name, run, seedOverride);
    auto done =
        std::find_if(finished.begin(), finished.end(), [&](const RunRecord &r) {
          return sameRun(r, run.params, run.fold, seed);
        });
    if (done == finished.end()) {
      todo.push_back(i);
      continue;
    }
    resumed.emplace_back(i, *done);
    std::fprintf(progress, "Run %s: finished earlier, skipped (--resume)\n",
                 runLabel(*done).c_str());
  }
}

} // namespace

RunRecord ExperimentRunner::runAfterShared(const ExperimentSpec &experiment,
                                           size_t index,
                                           const std::string &outDir,
                                           const std::string &weightsDir,
                                           SharedRecords &sharedRan) {
  for (size_t k = 0; k < index; ++k) {
    const RunSpec &run = experiment.runs[k];
    if (run.shared && !skippedRepetition(run, options.seed) &&
        sharedDone.insert(k).second)
      sharedRan.emplace_back(k, runOne(experiment, run, k, outDir, weightsDir));
  }
  if (experiment.runs[index].shared)
    sharedDone.insert(index);
  return runOne(experiment, experiment.runs[index], index, outDir, weightsDir);
}

ExperimentRecord
ExperimentRunner::runOverRanks(const ExperimentSpec &experiment,
                               const std::string &outDir,
                               const std::string &weightsDir) {
  sharedSlots.clear();
  sharedDone.clear();
  const TrainFn train = [&](size_t index, SharedRecords &ran) {
    return runAfterShared(experiment, index, outDir, weightsDir, ran);
  };
  if (mpi::world().rank != 0) {
    serveRuns(train);
    sharedSlots.clear();
    return {};
  }
  EndNotice end;
  std::vector<RunRecord> finished;
  if (options.resume && !outDir.empty())
    finished = readFinishedRuns(outDir + "/results.json", experiment.name);
  std::vector<size_t> todo;
  std::vector<std::pair<size_t, RunRecord>> resumed;
  whatIsLeft(experiment, options.seed, finished, progress, todo, resumed);
  std::vector<int64_t> trainable;
  for (const RunSpec &run : experiment.runs)
    if (!run.shared && !skippedRepetition(run, options.seed))
      trainable.push_back(trainableParamsOf(run));
  std::string rewritten;
  const bool alone = sharedFilesRewritten(experiment, outRoot(options),
                                          options.dataDir, rewritten);
  if (alone)
    std::fprintf(stderr,
                 "note: experiment %s runs on rank 0 alone: its runs write %s, "
                 "which the statements before its loop write or read\n",
                 experiment.name.c_str(), rewritten.c_str());
  Leader leader(experiment, outDir,
                RunQueue(todo, runDependencies(experiment, outRoot(options),
                                               options.dataDir)),
                train, alone);
  for (auto &[i, record] : resumed)
    leader.add(i, std::move(record));
  const std::string failure = leader.run();
  mpi::setLastWords("");
  if (!failure.empty()) {
    if (!outDir.empty())
      writeResults(leader.record(), outDir);
    throw RunError(failure);
  }
  // Shared runs no rank ran (none after them, or all resumed): here, as a
  // single process runs them at the end.
  for (size_t k = 0; k < experiment.runs.size(); ++k) {
    if (!experiment.runs[k].shared || leader.has(k) ||
        skippedRepetition(experiment.runs[k], options.seed))
      continue;
    SharedRecords ran;
    RunRecord record = runAfterShared(experiment, k, outDir, weightsDir, ran);
    for (auto &[j, r] : ran)
      if (!leader.has(j))
        leader.add(j, std::move(r));
    leader.add(k, std::move(record));
  }
  ExperimentRecord record = leader.record();
  detail::selectAndWrite(experiment, record, trainable, outDir);
  end.failed = false;
  sharedSlots.clear();
  return record;
}

} // namespace netc::rt
