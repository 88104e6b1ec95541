//===- Mpi.cpp - The program's ranks under an MPI launcher ----------------===//

#include "netc/Mpi.h"

#include <mpi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <sched.h>
#include <stdexcept>
#include <thread>
#include <unistd.h>

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

// How long a waiting rank sleeps between two looks for a message.
constexpr std::chrono::milliseconds kPoll(2);

// setLastWords' text, for the signal handler: two buffers, so that the one
// the handler may be reading is never the one being written.
char lastWords[2][16384];
std::atomic<int> lastWordsAt{-1};

void sayLastWords() {
  const int at = lastWordsAt.load();
  if (at < 0)
    return;
  const char *text = lastWords[at];
  size_t left = std::strlen(text);
  while (left > 0) {
    const ssize_t n = ::write(2, text, left);
    if (n <= 0)
      break;
    text += n;
    left -= static_cast<size_t>(n);
  }
}

extern "C" void onTerminate(int signal) {
  sayLastWords();
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

// MPI_ERRORS_ARE_FATAL, after the last words (a peer's connection broke).
void onMpiError(MPI_Comm *comm, int *code, ...) {
  sayLastWords();
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(*code, text, &length);
  std::fprintf(stderr, "error: MPI: %.*s\n", length, text);
  MPI_Abort(*comm, *code);
}

// The host's cores shared by its ranks, and no more than the cores the
// launcher bound this rank to (Open MPI binds each of two ranks to a core).
void giveThreads(const World &w) {
  if (w.localSize <= 1 || std::getenv("OMP_NUM_THREADS") ||
      !omp_set_num_threads)
    return;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  int threads = std::max(1, static_cast<int>(cores) / w.localSize);
  cpu_set_t bound;
  if (sched_getaffinity(0, sizeof bound, &bound) == 0)
    threads = std::max(1, std::min(threads, CPU_COUNT(&bound)));
  omp_set_num_threads(threads);
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
  MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided);
  initialized = true;
  theWorld.serialized = provided >= MPI_THREAD_SERIALIZED;
  MPI_Errhandler handler;
  MPI_Comm_create_errhandler(onMpiError, &handler);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, handler);
  MPI_Errhandler_free(&handler);
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
  // Ranks done early wait here for the rest without spinning (MPI_Finalize
  // may busy-wait for them).
  if (theWorld.size > 1) {
    MPI_Request request;
    MPI_Ibarrier(MPI_COMM_WORLD, &request);
    for (int done = 0; MPI_Test(&request, &done, MPI_STATUS_IGNORE), !done;)
      std::this_thread::sleep_for(kPoll);
  }
  setLastWords("");
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

bool tryReceiveText(int source, int tag, std::string &text, int &from,
                    int &gotTag) {
  if (!initialized)
    return false;
  MPI_Status status;
  int arrived = 0;
  MPI_Iprobe(source < 0 ? MPI_ANY_SOURCE : source, tag < 0 ? MPI_ANY_TAG : tag,
             MPI_COMM_WORLD, &arrived, &status);
  if (!arrived)
    return false;
  int count = 0;
  MPI_Get_count(&status, MPI_CHAR, &count);
  text.assign(static_cast<size_t>(count), '\0');
  MPI_Recv(text.data(), count, MPI_CHAR, status.MPI_SOURCE, status.MPI_TAG,
           MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  from = status.MPI_SOURCE;
  gotTag = status.MPI_TAG;
  return true;
}

std::string receiveText(int source, int tag, int &from, int &gotTag) {
  if (!initialized)
    throw std::logic_error("receiveText without MPI");
  std::string text;
  while (!tryReceiveText(source, tag, text, from, gotTag))
    std::this_thread::sleep_for(kPoll);
  return text;
}

void setLastWords(const std::string &text) {
  static bool handled = false;
  if (!handled && !text.empty()) {
    std::signal(SIGTERM, onTerminate);
    handled = true;
  }
  if (text.empty()) {
    lastWordsAt.store(-1);
    return;
  }
  const int next = lastWordsAt.load() == 0 ? 1 : 0;
  const size_t n = std::min(text.size(), sizeof lastWords[next] - 1);
  std::memcpy(lastWords[next], text.data(), n);
  lastWords[next][n] = '\0';
  lastWordsAt.store(next);
}

namespace {

template <typename T>
void allreduce(T *data, int64_t count, MPI_Datatype type) {
  if (!initialized || theWorld.size == 1)
    return;
  for (int64_t at = 0; at < count; at += kPiece)
    MPI_Allreduce(MPI_IN_PLACE, data + at,
                  static_cast<int>(std::min(kPiece, count - at)), type, MPI_SUM,
                  MPI_COMM_WORLD);
}

/// MPI_Bcast of `count` elements from `root`, in pieces MPI's int counts
/// can hold.
template <typename T>
void inPieces(T *data, int64_t count, MPI_Datatype type, int root) {
  if (!initialized || theWorld.size == 1)
    return;
  for (int64_t at = 0; at < count; at += kPiece)
    MPI_Bcast(data + at, static_cast<int>(std::min(kPiece, count - at)), type,
              root, MPI_COMM_WORLD);
}

} // namespace

void allreduceSum(float *data, int64_t count) {
  allreduce(data, count, MPI_FLOAT);
}

void allreduceSum(double *data, int64_t count) {
  allreduce(data, count, MPI_DOUBLE);
}

void broadcast(float *data, int64_t count, int root) {
  inPieces(data, count, MPI_FLOAT, root);
}

void broadcast(double *data, int64_t count, int root) {
  inPieces(data, count, MPI_DOUBLE, root);
}

void barrier() {
  if (initialized && theWorld.size > 1)
    MPI_Barrier(MPI_COMM_WORLD);
}

} // namespace netc::rt::mpi
