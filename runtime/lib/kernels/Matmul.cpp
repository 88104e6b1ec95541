//===- Matmul.cpp - Row-major matrix product over oneDNN's sgemm ----------===//

#include "netc/Abi.h"

#include <cstdio>
#include <cstdlib>
#include <oneapi/dnnl/dnnl.h>

extern "C" void netc_matmul(const float *a, const float *b, float *c, int64_t m,
                            int64_t n, int64_t k, int64_t transA,
                            int64_t transB) {
  if (m == 0 || n == 0)
    return;
  if (k == 0) { // sgemm may skip the beta scaling; C must still be zeroed
    for (int64_t i = 0; i < m * n; ++i)
      c[i] = 0.0f;
    return;
  }
  // dnnl_sgemm is row-major; leading dimensions are the stored row lengths.
  const int64_t lda = transA ? m : k;
  const int64_t ldb = transB ? k : n;
  const dnnl_status_t status =
      dnnl_sgemm(transA ? 'T' : 'N', transB ? 'T' : 'N', m, n, k, 1.0f, a, lda,
                 b, ldb, 0.0f, c, n);
  if (status != dnnl_success) {
    std::fprintf(stderr,
                 "netc runtime: internal error in netc_matmul: dnnl_sgemm "
                 "status %d (m=%lld n=%lld k=%lld)\n",
                 static_cast<int>(status), static_cast<long long>(m),
                 static_cast<long long>(n), static_cast<long long>(k));
    std::abort();
  }
}
