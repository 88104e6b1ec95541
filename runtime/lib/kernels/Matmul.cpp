//===- Matmul.cpp - Row-major matrix product over oneDNN's sgemm ----------===//

#include "GemmConv.h"
#include "netc/Abi.h"
#include "netc/Profile.h"

#include <cstdio>
#include <cstdlib>
#include <oneapi/dnnl/dnnl.h>

// oneDNN's sgemm runs over the OpenMP team of the calling thread. For small
// products (LeNet's dense layers) the team's fork/join costs more than the
// arithmetic, and when the cores are shared a barrier can wait for a whole
// scheduler time slice: such products run on the calling thread alone. Weak,
// so that programs without an OpenMP runtime still link.
extern "C" {
__attribute__((weak)) int omp_get_max_threads(void);
__attribute__((weak)) void omp_set_num_threads(int);
}

namespace {
/// Multiply-adds below which one thread is faster than the team.
constexpr double kSerialMacs = 8.0 * 1024 * 1024;
} // namespace

namespace netc::rt::kernels {

void sgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k,
           const float *a, int64_t lda, const float *b, int64_t ldb, float *c,
           int64_t ldc) {
  if (m == 0 || n == 0)
    return;
  if (k == 0) { // sgemm may skip the beta scaling; C must still be zeroed
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j)
        c[i * ldc + j] = 0.0f;
    return;
  }
  const bool serial = omp_get_max_threads && omp_set_num_threads &&
                      static_cast<double>(m) * n * k < kSerialMacs;
  const int threads = serial ? omp_get_max_threads() : 1;
  if (serial && threads > 1)
    omp_set_num_threads(1);
  const dnnl_status_t status =
      dnnl_sgemm(transA ? 'T' : 'N', transB ? 'T' : 'N', m, n, k, 1.0f, a, lda,
                 b, ldb, 0.0f, c, ldc);
  if (serial && threads > 1)
    omp_set_num_threads(threads);
  if (status != dnnl_success) {
    std::fprintf(stderr,
                 "netc runtime: internal error in sgemm: dnnl_sgemm "
                 "status %d (m=%lld n=%lld k=%lld)\n",
                 static_cast<int>(status), static_cast<long long>(m),
                 static_cast<long long>(n), static_cast<long long>(k));
    std::abort();
  }
}

} // namespace netc::rt::kernels

extern "C" void netc_matmul(const float *a, const float *b, float *c, int64_t m,
                            int64_t n, int64_t k, int64_t transA,
                            int64_t transB) {
  const netc::rt::profile::Scope timed(netc::rt::profile::Family::matmul);
  // dnnl_sgemm is row-major; leading dimensions are the stored row lengths.
  netc::rt::kernels::sgemm(transA, transB, m, n, k, a, transA ? m : k, b,
                           transB ? k : n, c, n);
}
