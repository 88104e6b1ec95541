//===- ApproximateMath.cpp - Polynomial math for vectorizable loops -------===//
//
// math.exp, math.tanh, math.log... become MLIR's polynomial approximations
// (plain arith), so that LLVM vectorizes the loops that use them instead of
// calling scalar libm functions. What the patterns do not cover (powf, sqrt)
// is left to math-to-llvm (LLVM intrinsics) and math-to-libm.
//
//===----------------------------------------------------------------------===//
#include "netc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace netc {
#define GEN_PASS_DEF_APPROXIMATEMATHPASS
#include "netc/Transforms/Passes.h.inc"
} // namespace netc

namespace {

struct ApproximateMathPass
    : netc::impl::ApproximateMathPassBase<ApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
