//===- Ranks.h - An experiment's runs shared out over MPI ranks -*- C++ -*-===//
//
// Under mpirun or srun (netc/Mpi.h), unless --data-parallel, the ranks share
// out each experiment's runs: rank 0 leads a work queue, handing one run at a
// time to whichever rank is idle (itself included: a dispatcher thread talks
// to the others while its main thread trains), receives every finished run's
// record and alone writes the results files and prints the tables. The files
// equal a single process's apart from "seconds" and "rank". Protocol and
// failure handling: docs/design.md, "Ranks".
//
//===----------------------------------------------------------------------===//
#ifndef NETC_RANKS_H
#define NETC_RANKS_H

#include "netc/Plan.h"

#include <cstdio>
#include <functional>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace netc::rt {

/// The runs of an experiment left to do, handed out lowest index first
/// among those whose prerequisites have finished (a pure structure; the
/// leader locks around it).
class RunQueue {
public:
  RunQueue() = default;
  /// `todo`: the run indices to do; `after[i]`: the runs that must have
  /// finished before run i starts (runDependencies). A run not in `todo`
  /// counts as finished.
  RunQueue(std::vector<size_t> todo, std::vector<std::vector<size_t>> after);

  /// Whether a run can start now.
  bool ready() const;
  /// The lowest-index run that can start now, taken off the queue.
  std::optional<size_t> take();
  /// A taken run finished: the runs waiting for it may start.
  void finish(size_t run);
  /// Whether every run has been taken.
  bool exhausted() const { return waiting.empty(); }
  /// Whether every run has finished.
  bool done() const { return unfinished.empty(); }

private:
  bool canStart(size_t run) const;

  std::vector<size_t> waiting; // ascending
  std::set<size_t> unfinished;
  std::vector<std::vector<size_t>> after;
};

/// For each run of `experiment`, the earlier non-shared runs that write a
/// file (`save`, save_best) it loads or writes too, or that load a file it
/// writes: it must start after them, as in a single process. A run inherits
/// those of the shared runs before it, which the rank running it runs first.
/// `root` is --out's root and `dataDir` --data, as `save` and `load` resolve
/// paths.
std::vector<std::vector<size_t>>
runDependencies(const ExperimentSpec &experiment, const std::string &root,
                const std::string &dataDir);

/// An error that every rank throws alike and rank 0 prints (a start-up check
/// agreed over the ranks, a study rank 0 ended): the other ranks exit
/// without printing it again. Any other error a rank other than 0 meets is
/// its own and printed as "error: rank N: ..." (runProgram).
struct AgreedFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Whether every rank knows of the failure being handled (agreeOnPreflight
/// found one, or rank 0 ended an experiment as failed): the ranks then end
/// together. Any other error under mpirun must end the job (MPI_Abort), as
/// the other ranks may be waiting for this one in a collective.
bool failureAgreed();
void markFailureAgreed();

/// Whether a non-shared run of `experiment` writes a file that a shared run
/// (a statement before the loop, which every rank that needs it runs again)
/// writes or reads: a rank running it again would then overwrite a later
/// run's file, or read one, so the experiment's runs run on rank 0 alone,
/// in order. `path` is set to such a file.
bool sharedFilesRewritten(const ExperimentSpec &experiment,
                          const std::string &root, const std::string &dataDir,
                          std::string &path);

/// Runs `check` (start-up checks that may fail) on every rank and makes the
/// ranks agree: when any failed, every rank throws, rank 0 its own error or
/// the first failing rank's ("rank 2: ..."), so that it alone prints it, the
/// others AgreedFailure; no rank waits for another. Alone: just `check`.
void agreeOnPreflight(const std::function<void()> &check);

/// Where a rank prints progress: `to` itself in a single process, else
/// prefixedStream(to, "[rank N] ").
FILE *rankProgressStream(FILE *to);

/// A stream that writes each whole line to `to`, with `prefix` before it,
/// in one write (ranks' lines interleave whole). Unbuffered; a last line
/// without its newline is written on fclose. Lives until closed.
FILE *prefixedStream(FILE *to, const std::string &prefix);

} // namespace netc::rt

#endif // NETC_RANKS_H
