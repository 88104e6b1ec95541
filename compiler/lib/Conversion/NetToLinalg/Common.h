//===- Common.h - Shared helpers of the net -> linalg lowering --*- C++ -*-===//
//
// Each op family lives in its own file and contributes patterns through a
// populate...Patterns function; the heavy ops (conv, matmul, pooling) are
// rewritten by a separate walk because their workspace offsets are a
// per-function, program-ordered allocation (see Kernels.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef NETC_LIB_CONVERSION_NETTOLINALG_COMMON_H
#define NETC_LIB_CONVERSION_NETTOLINALG_COMMON_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "netc/Dialect/NetDialect.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace netc {
namespace conversion {

/// Body of an elementwise/reduction linalg.generic: receives the block
/// arguments (inputs, then outputs) and the loop induction indices (only
/// materialized through linalg.index when asked for), returns the yielded
/// values.
using BodyFn = llvm::function_ref<llvm::SmallVector<mlir::Value>(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

// Element types: every pattern takes the float type of the values it
// rewrites from their types (f32 for training, f64 for the gradient-check
// step that `netc build --gradcheck-f64` adds); none names a float type.

/// The float type of `v`: its element type if it is a tensor.
mlir::Type floatTypeOf(mlir::Value v);

/// A float constant of `type` (or of its element type).
mlir::Value floatConst(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                       double v);

/// A constant of the float type of `like` (a scalar or a tensor).
mlir::Value constLike(mlir::OpBuilder &b, mlir::Location loc, mlir::Value like,
                      double v);

/// The number of elements of dimension `dim` of tensor `v` as a float of its
/// element type (from tensor.dim for the dynamic batch dimension).
mlir::Value dimAsFloat(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                       int64_t dim);

/// Product of all dimensions of `v` but the first, as a double (static).
double staticTrailingElements(mlir::RankedTensorType t);

/// tensor.empty shaped like `like` (dynamic sizes taken from it) with an
/// optional different rank-preserving element type.
mlir::Value emptyLike(mlir::OpBuilder &b, mlir::Location loc, mlir::Value like,
                      mlir::Type elemTy = {});

/// tensor.empty of the shape of `like` with its last dimension dropped
/// (keeping the leading dimensions), filled with `init`.
mlir::Value filledRowTensor(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Value like, mlir::Value init);

/// A rank-0 tensor of init's type filled with `init`.
mlir::Value filledScalarTensor(mlir::OpBuilder &b, mlir::Location loc,
                               mlir::Value init);

/// linalg.generic over the iteration space of rank `rank` with all loops
/// parallel except those in `reductionDims`.
mlir::linalg::GenericOp
buildGeneric(mlir::OpBuilder &b, mlir::Location loc, int64_t rank,
             mlir::ValueRange inputs, llvm::ArrayRef<mlir::AffineMap> inMaps,
             mlir::ValueRange outputs, llvm::ArrayRef<mlir::AffineMap> outMaps,
             llvm::ArrayRef<int64_t> reductionDims, BodyFn body);

/// Elementwise map over same-shaped tensors producing one tensor shaped like
/// inputs[0].
mlir::Value buildMap(mlir::OpBuilder &b, mlir::Location loc,
                     mlir::ValueRange inputs, BodyFn body);

/// Full reduction of same-shaped `inputs` (any rank) into a rank-0 tensor of
/// their element type: the sum over every position of term(the inputs'
/// elements there), accumulated in f64.
mlir::Value
buildSumAll(mlir::OpBuilder &b, mlir::Location loc, mlir::ValueRange inputs,
            llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                           mlir::ValueRange)>
                term);

/// The elements per sample of a [N, ...] tensor (static), as a float of its
/// element type.
mlir::Value featureCount(mlir::OpBuilder &b, mlir::Location loc, mlir::Value t);

/// Row statistics of a [..., C] tensor over its last dimension, as needed by
/// softmax and the cross-entropy: the row max, and sum(exp(x - max)).
struct RowSoftmaxStats {
  mlir::Value max; // [...] (leading dims)
  mlir::Value sumExp;
};
RowSoftmaxStats buildRowSoftmaxStats(mlir::OpBuilder &b, mlir::Location loc,
                                     mlir::Value logits);

/// Identity map, and the map dropping the last dim, for rank `rank`.
mlir::AffineMap identityMap(mlir::MLIRContext *ctx, int64_t rank);
mlir::AffineMap dropLastMap(mlir::MLIRContext *ctx, int64_t rank);
mlir::AffineMap scalarMap(mlir::MLIRContext *ctx, int64_t rank);
/// (d0, ..., d_{rank-1}) -> (d0, 0): the class-index column of [N, 1] labels
/// read from a loop over [N, ...].
mlir::AffineMap firstColumnMap(mlir::MLIRContext *ctx, int64_t rank);

/// A rank-0 elementwise computation over rank-0 tensors (loss terms); the
/// result has `resultType`, by default the element type of inputs[0].
mlir::Value buildScalarMap(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::ValueRange inputs, BodyFn body,
                           mlir::Type resultType = {});

/// A label given as a float class index, compared with a loop index.
mlir::Value labelMatches(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value label, mlir::Value index);

void populateElementwisePatterns(mlir::RewritePatternSet &patterns);
void populateLossPatterns(mlir::RewritePatternSet &patterns);
void populateOptimizerPatterns(mlir::RewritePatternSet &patterns);
void populateNormalizationPatterns(mlir::RewritePatternSet &patterns);
void populateDropoutPatterns(mlir::RewritePatternSet &patterns);
void populateShapePatterns(mlir::RewritePatternSet &patterns);
void populateProbabilityLossPatterns(mlir::RewritePatternSet &patterns);
void populateAbsoluteErrorPatterns(mlir::RewritePatternSet &patterns);

/// Marks every net op under `root` with its op family for --profile
/// (Profile.cpp), so that the loop nests made from it carry the family.
void markProfileFamilies(mlir::Operation *root);

/// Rewrites every conv/matmul/pool op (and their gradients) in `func` into
/// calls of the runtime's kernels through the workspace, and records
/// net.ws_per_sample on the function.
mlir::LogicalResult lowerKernelOps(mlir::Operation *func);

/// Rewrites every net.sync_moments in `func` (which the batchnorm lowering
/// created) into a call of netc_sync_moments on a copy in a fresh region of
/// the workspace's fixed tail, after the regions lowerKernelOps allocated
/// (it grows net.ws_fixed). In a function without a workspace (not a step
/// of a built program) they are the identity.
mlir::LogicalResult lowerSyncMoments(mlir::Operation *func);

} // namespace conversion
} // namespace netc

#endif
