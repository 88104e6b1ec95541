//===- LeastSquares.h - Closed-form training of linear models --*- C++ -*-===//
//
// `optimizer: least_squares` (spec §1.3): for a network whose output is
// affine in its weights (the compiler checks this) and the mse loss, the
// best weights solve a linear least-squares problem. The runtime builds the
// design matrix from the compiled eval function alone: with f(x; θ) affine,
// column j is f(x; e_j) - f(x; 0), so P + 1 passes over the data suffice.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_LEASTSQUARES_H
#define NETC_LEASTSQUARES_H

#include "netc/Abi.h"
#include "netc/AlignedBuffer.h"
#include "netc/Plan.h"
#include "netc/data/Dataset.h"

#include <vector>

namespace netc::rt {

/// Sets `params` to argmin mean((f(x; θ) - y)^2) + l2 * |θ|^2 over the
/// records `indices` of `split` (l2 from the optimizer's arguments, default
/// 0), solved by Householder QR in double precision.
void fitLeastSquares(const KernelSpec &kernel, const netc_kernel_entry &fn,
                     AlignedBuffer &params, const Split &split,
                     const std::vector<int64_t> &indices, int64_t cap);

/// Minimizes |A θ - b| for A (rows x cols, row-major, rows >= cols, full
/// column rank) by Householder QR. Exposed for tests.
std::vector<double> solveLeastSquares(std::vector<double> a,
                                      std::vector<double> b, int64_t rows,
                                      int64_t cols);

} // namespace netc::rt

#endif // NETC_LEASTSQUARES_H
