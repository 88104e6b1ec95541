//===- Blas.cpp - Matrix products on cuBLAS; the data-parallel hooks ------===//
//
// Row-major C[m,n] = op(A)[m,k] op(B)[k,n] is column-major
// C^T[n,m] = op(B)^T op(A)^T: a row-major matrix is its transpose in
// column-major, so cublasSgemm gets B before A, the dimensions n, m, k, and
// each operand's own transposition flag. grad_allreduce and sync_moments
// wait for the stream, then run the CPU versions on the managed memory.
//
//===----------------------------------------------------------------------===//
#include "Libraries.h"
#include "netc/Abi.h"
#include "netc/CudaAbi.h"

using namespace netc::rt::cuda;

extern "C" {

void netc_cuda_matmul(const float *a, const float *b, float *c, int64_t m,
                      int64_t n, int64_t k, int64_t transA, int64_t transB) {
  if (m == 0 || n == 0)
    return;
  auto lock = kernelLock(__func__);
  if (k == 0) { // an empty sum: zeros (cuBLAS may return without writing)
    fill(c, size_t(m * n), 0u);
    return synchronize();
  }
  // A stored [m,k] (or [k,m] when transposed), B stored [k,n] (or [n,k]).
  const int lda = int(transA ? m : k), ldb = int(transB ? k : n);
  const float one = 1.0f, zero = 0.0f;
  NETC_BLAS(cublasSgemm(blas(), transB ? CUBLAS_OP_T : CUBLAS_OP_N,
                        transA ? CUBLAS_OP_T : CUBLAS_OP_N, int(n), int(m),
                        int(k), &one, b, ldb, a, lda, &zero, c, int(n)));
  synchronize();
}

void netc_cuda_grad_allreduce(float *g, int64_t count, int64_t index,
                              int64_t total) {
  {
    auto lock = kernelLock();
    synchronize();
  }
  netc_grad_allreduce(g, count, index, total);
}

void netc_cuda_sync_moments(float *v, int64_t count) {
  {
    auto lock = kernelLock();
    synchronize();
  }
  netc_sync_moments(v, count);
}

} // extern "C"
