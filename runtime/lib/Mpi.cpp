//===- Mpi.cpp - The program's ranks under an MPI launcher ----------------===//

#include "netc/Mpi.h"

#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <thread>

extern "C" {
// libgomp, oneDNN's OpenMP runtime, by its ABI (the runtime is compiled
// without -fopenmp; see Parallel.h).
__attribute__((weak)) void omp_set_num_threads(int);
}

namespace netc::rt::mpi {

namespace {

World theWorld;
bool initialized = false;

// MPI counts are int: larger buffers go in pieces.
constexpr int64_t kPiece = INT_MAX / 2;

void giveThreads(const World &w) {
  if (w.localSize <= 1 || std::getenv("OMP_NUM_THREADS") || !omp_set_num_threads)
    return;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  omp_set_num_threads(std::max(1, static_cast<int>(cores) / w.localSize));
}

} // namespace

bool launched() {
  for (const char *var : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"})
    if (std::getenv(var))
      return true;
  return false;
}

const World &init(int *argc, char ***argv) {
  if (initialized || !launched())
    return theWorld;
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  initialized = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &theWorld.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &theWorld.size);
  MPI_Comm local;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, theWorld.rank,
                      MPI_INFO_NULL, &local);
  MPI_Comm_rank(local, &theWorld.localRank);
  MPI_Comm_size(local, &theWorld.localSize);
  MPI_Comm_free(&local);
  giveThreads(theWorld);
  return theWorld;
}

const World &world() { return theWorld; }

void finalize() {
  if (!initialized)
    return;
  MPI_Finalize();
  initialized = false;
}

void abortAll(int code) {
  if (initialized)
    MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

void sendText(int dest, int tag, const std::string &text) {
  if (text.size() > static_cast<size_t>(INT_MAX))
    throw std::length_error("MPI message over 2 GiB");
  MPI_Send(text.data(), static_cast<int>(text.size()), MPI_CHAR, dest, tag,
           MPI_COMM_WORLD);
}

std::string receiveText(int source, int tag, int &from, int &gotTag) {
  MPI_Status status;
  MPI_Probe(source < 0 ? MPI_ANY_SOURCE : source, tag < 0 ? MPI_ANY_TAG : tag,
            MPI_COMM_WORLD, &status);
  int count = 0;
  MPI_Get_count(&status, MPI_CHAR, &count);
  std::string text(static_cast<size_t>(count), '\0');
  MPI_Recv(text.data(), count, MPI_CHAR, status.MPI_SOURCE, status.MPI_TAG,
           MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  from = status.MPI_SOURCE;
  gotTag = status.MPI_TAG;
  return text;
}

namespace {

template <typename T>
void allreduce(T *data, int64_t count, MPI_Datatype type) {
  if (!initialized || theWorld.size == 1)
    return;
  for (int64_t at = 0; at < count; at += kPiece)
    MPI_Allreduce(MPI_IN_PLACE, data + at,
                  static_cast<int>(std::min(kPiece, count - at)), type,
                  MPI_SUM, MPI_COMM_WORLD);
}

} // namespace

void allreduceSum(float *data, int64_t count) {
  allreduce(data, count, MPI_FLOAT);
}

void allreduceSum(double *data, int64_t count) {
  allreduce(data, count, MPI_DOUBLE);
}

void broadcast(float *data, int64_t count, int root) {
  if (!initialized || theWorld.size == 1)
    return;
  for (int64_t at = 0; at < count; at += kPiece)
    MPI_Bcast(data + at, static_cast<int>(std::min(kPiece, count - at)),
              MPI_FLOAT, root, MPI_COMM_WORLD);
}

void broadcast(std::string &text, int root) {
  if (!initialized || theWorld.size == 1)
    return;
  int64_t size = static_cast<int64_t>(text.size());
  MPI_Bcast(&size, 1, MPI_INT64_T, root, MPI_COMM_WORLD);
  text.resize(static_cast<size_t>(size));
  for (int64_t at = 0; at < size; at += kPiece)
    MPI_Bcast(text.data() + at, static_cast<int>(std::min(kPiece, size - at)),
              MPI_CHAR, root, MPI_COMM_WORLD);
}

void barrier() {
  if (initialized && theWorld.size > 1)
    MPI_Barrier(MPI_COMM_WORLD);
}

} // namespace netc::rt::mpi
