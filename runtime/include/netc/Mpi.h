//===- Mpi.h - The program's ranks under an MPI launcher --------*- C++ -*-===//
//
// A program that `netc build` makes runs as one process, or as one rank of
// many when an MPI launcher (mpirun, srun) started it: the launcher's
// environment says so (mpi::launched), and only then is MPI initialized, so
// a plain start costs nothing. One rank (0) leads: it hands out runs, writes
// the results and prints the tables; the others work (docs/design.md,
// "Ranks"). One thread at a time calls MPI (MPI_THREAD_SERIALIZED): while
// rank 0 trains a run on its main thread, a dispatcher thread talks to the
// other ranks (netc/Ranks.h).
//
// Without a launcher every call below is a single process's trivial answer
// (rank 0 of 1; reductions leave the data as it is), so callers need no
// special case.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_MPI_H
#define NETC_MPI_H

#include <cstdint>
#include <string>

namespace netc::rt::mpi {

/// This process's place among the ranks.
struct World {
  int rank = 0;
  int size = 1;
  /// The ranks on this host (they share its cores) and this one's index.
  int localRank = 0;
  int localSize = 1;
  /// Whether MPI lets a second thread call it (one at a time).
  bool serialized = false;
};

/// Whether an MPI launcher started this process (Open MPI's mpirun, PMIx or
/// PMI: srun, MPICH's Hydra).
bool launched();

/// Initializes MPI when launched (once; later calls do nothing), and gives
/// each rank its share of the host's cores as its thread count (cores /
/// local ranks, at least 1) unless OMP_NUM_THREADS says otherwise. Returns
/// the world.
const World &init(int *argc, char ***argv);

/// The world after init (rank 0 of 1 before it, or without a launcher).
const World &world();

/// Whether there are other ranks.
inline bool distributed() { return world().size > 1; }

/// Finalizes MPI if init initialized it.
void finalize();

/// Ends every rank of the job with `code` (MPI_Abort); exits when alone.
[[noreturn]] void abortAll(int code);

/// Point to point: a text message (JSON) to rank `dest` with `tag`.
void sendText(int dest, int tag, const std::string &text);

/// Blocks for a text message from `source` (-1: any rank) with `tag` (-1:
/// any tag); `from` and `gotTag` say which came. Waits by polling with short
/// sleeps: Open MPI's blocking receive busy-polls, and a spinning rank takes
/// the core of a rank that trains beside it.
std::string receiveText(int source, int tag, int &from, int &gotTag);

/// The same without waiting: false when no such message has arrived.
bool tryReceiveText(int source, int tag, std::string &text, int &from,
                    int &gotTag);

/// What this rank says if the job is torn down under it (mpirun sends
/// SIGTERM to the ranks left when one dies) or MPI fails: `text` is written
/// to stderr, as it is, from the signal handler. Empty: nothing. Call from
/// one thread only.
void setLastWords(const std::string &text);

/// Element-wise sums over all ranks, in place; every rank gets the same
/// result. Identity when alone.
void allreduceSum(float *data, int64_t count);
void allreduceSum(double *data, int64_t count);

/// Rank `root`'s data to every rank.
void broadcast(float *data, int64_t count, int root);
void broadcast(double *data, int64_t count, int root);

void barrier();

} // namespace netc::rt::mpi

#endif // NETC_MPI_H
