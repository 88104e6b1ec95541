//===- Mpi.h - The program's ranks under an MPI launcher --------*- C++ -*-===//
//
// A program that `netc build` makes runs as one process, or as one rank of
// many when an MPI launcher (mpirun, srun) started it: the launcher's
// environment says so (mpi::launched), and only then is MPI initialized, so
// a plain start costs nothing. One rank (0) leads: it hands out runs, writes
// the results and prints the tables; the others work (docs/design.md,
// "Ranks"). Only the main thread calls MPI.
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
/// any tag); `from` and `gotTag` say which came.
std::string receiveText(int source, int tag, int &from, int &gotTag);

/// Element-wise sums over all ranks, in place; every rank gets the same
/// result. Identity when alone.
void allreduceSum(float *data, int64_t count);
void allreduceSum(double *data, int64_t count);

/// Rank `root`'s data to every rank.
void broadcast(float *data, int64_t count, int root);
void broadcast(std::string &text, int root);

void barrier();

} // namespace netc::rt::mpi

#endif // NETC_MPI_H
