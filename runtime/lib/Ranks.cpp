//===- Ranks.cpp - The work queue's parts: order, agreement, output -------===//

#include "netc/Ranks.h"

#include "RunnerDetail.h"

#include "netc/Mpi.h"
#include "netc/Runner.h"

#include <algorithm>
#include <exception>
#include <unistd.h>

namespace netc::rt {

RunQueue::RunQueue(std::vector<size_t> todo,
                   std::vector<std::vector<size_t>> after)
    : waiting(std::move(todo)), unfinished(waiting.begin(), waiting.end()),
      after(std::move(after)) {
  std::sort(waiting.begin(), waiting.end());
}

bool RunQueue::canStart(size_t run) const {
  if (run >= after.size())
    return true;
  return std::none_of(after[run].begin(), after[run].end(),
                      [&](size_t before) { return unfinished.count(before); });
}

bool RunQueue::ready() const {
  return std::any_of(waiting.begin(), waiting.end(),
                     [&](size_t run) { return canStart(run); });
}

std::optional<size_t> RunQueue::take() {
  auto it = std::find_if(waiting.begin(), waiting.end(),
                         [&](size_t run) { return canStart(run); });
  if (it == waiting.end())
    return std::nullopt;
  const size_t run = *it;
  waiting.erase(it);
  return run;
}

void RunQueue::finish(size_t run) { unfinished.erase(run); }

namespace {

// The files a run writes (`save`, save_best) and those it reads or writes.
void filesOf(const RunSpec &run, const std::string &root,
             const std::string &dataDir, std::set<std::string> &writes,
             std::set<std::string> &touches) {
  auto write = [&](const std::string &file) {
    if (file.empty())
      return;
    writes.insert(detail::savePath(file, root));
    touches.insert(detail::savePath(file, root));
  };
  for (const StepSpec &step : run.steps) {
    if (step.op == StepOp::Save)
      write(step.file);
    else if (step.op == StepOp::Load && !step.file.empty())
      for (const std::string &path :
           detail::loadCandidates(step.file, root, dataDir))
        touches.insert(path);
    else if (step.op == StepOp::Train)
      for (const CallbackSpec &c : step.callbacks)
        if (c.name == "save_best" && c.strArgs.count("file"))
          write(c.strArgs.at("file"));
  }
}

bool meet(const std::set<std::string> &a, const std::set<std::string> &b) {
  return std::any_of(a.begin(), a.end(),
                     [&](const std::string &s) { return b.count(s) > 0; });
}

} // namespace

std::vector<std::vector<size_t>>
runDependencies(const ExperimentSpec &experiment, const std::string &root,
                const std::string &dataDir) {
  const size_t n = experiment.runs.size();
  std::vector<std::set<std::string>> writes(n), touches(n);
  for (size_t i = 0; i < n; ++i)
    filesOf(experiment.runs[i], root, dataDir, writes[i], touches[i]);
  std::vector<std::vector<size_t>> after(n);
  std::set<size_t> inherited; // what the shared runs so far wait for
  for (size_t i = 0; i < n; ++i) {
    std::set<size_t> mine = inherited;
    for (size_t j = 0; j < i; ++j)
      if (!experiment.runs[j].shared &&
          (meet(touches[i], writes[j]) || meet(writes[i], touches[j])))
        mine.insert(j);
    if (experiment.runs[i].shared)
      inherited = mine;
    after[i].assign(mine.begin(), mine.end());
  }
  return after;
}

bool sharedFilesRewritten(const ExperimentSpec &experiment,
                          const std::string &root, const std::string &dataDir,
                          std::string &path) {
  std::set<std::string> sharedTouches, runWrites, unused;
  for (const RunSpec &run : experiment.runs) {
    if (run.shared)
      filesOf(run, root, dataDir, unused, sharedTouches);
    else
      filesOf(run, root, dataDir, runWrites, unused);
  }
  for (const std::string &file : runWrites)
    if (sharedTouches.count(file)) {
      path = file;
      return true;
    }
  return false;
}

namespace {

constexpr int kAgreeTag = 101;

// Every rank's error text ("" when it passed) to rank 0, whose verdict (the
// first error, "" when none) comes back to all.
std::string agree(const std::string &mine) {
  const mpi::World &w = mpi::world();
  int from = 0, tag = 0;
  if (w.rank != 0) {
    mpi::sendText(0, kAgreeTag, mine);
    return mpi::receiveText(0, kAgreeTag, from, tag);
  }
  std::string verdict = mine;
  for (int r = 1; r < w.size; ++r) {
    const std::string theirs = mpi::receiveText(r, kAgreeTag, from, tag);
    if (verdict.empty() && !theirs.empty())
      verdict = "rank " + std::to_string(r) + ": " + theirs;
  }
  for (int r = 1; r < w.size; ++r)
    mpi::sendText(r, kAgreeTag, verdict);
  return verdict;
}

} // namespace

namespace {
bool agreedFlag = false;
} // namespace

bool failureAgreed() { return agreedFlag; }
void markFailureAgreed() { agreedFlag = true; }

void agreeOnPreflight(const std::function<void()> &check) {
  if (!mpi::distributed())
    return check();
  std::exception_ptr failure;
  std::string text;
  try {
    check();
  } catch (const std::exception &e) {
    failure = std::current_exception();
    text = e.what();
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure && text.empty())
    text = "an unknown error";
  const std::string verdict = agree(text);
  if (!verdict.empty())
    markFailureAgreed();
  if (!verdict.empty() && mpi::world().rank != 0)
    throw AgreedFailure(verdict);
  if (failure)
    std::rethrow_exception(failure);
  if (!verdict.empty())
    throw RunError(verdict);
}

namespace {

// A stream whose whole lines go to `to` with `prefix` before each.
struct Prefixed {
  FILE *to;
  std::string prefix, pending;
};

void emit(Prefixed *p, size_t length) {
  const std::string line = p->prefix + p->pending.substr(0, length);
  std::fwrite(line.data(), 1, line.size(), p->to);
  std::fflush(p->to);
  p->pending.erase(0, length);
}

ssize_t writePrefixed(void *cookie, const char *data, size_t size) {
  auto *p = static_cast<Prefixed *>(cookie);
  p->pending.append(data, size);
  for (size_t end; (end = p->pending.find('\n')) != std::string::npos;)
    emit(p, end + 1);
  return static_cast<ssize_t>(size);
}

int closePrefixed(void *cookie) {
  auto *p = static_cast<Prefixed *>(cookie);
  if (!p->pending.empty())
    emit(p, p->pending.size());
  delete p;
  return 0;
}

} // namespace

FILE *prefixedStream(FILE *to, const std::string &prefix) {
  auto *prefixed = new Prefixed{to, prefix, ""};
  cookie_io_functions_t io{nullptr, writePrefixed, nullptr, closePrefixed};
  FILE *stream = fopencookie(prefixed, "w", io);
  if (!stream) {
    delete prefixed;
    return nullptr;
  }
  std::setvbuf(stream, nullptr, _IONBF, 0);
  return stream;
}

FILE *rankProgressStream(FILE *to) {
  if (!mpi::distributed())
    return to;
  // Lives as long as the program, as `to` does.
  FILE *stream =
      prefixedStream(to, "[rank " + std::to_string(mpi::world().rank) + "] ");
  return stream ? stream : to;
}

} // namespace netc::rt
