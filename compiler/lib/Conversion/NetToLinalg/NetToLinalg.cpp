//===- NetToLinalg.cpp - The convert-net-to-linalg pass -------------------===//
//
// First every net op's location is marked with its op family (for
// --profile, Profile.cpp). Then two steps per function: first the heavy ops
// become runtime kernel calls through the workspace (program-ordered region
// allocation, Kernels.cpp), then every remaining net op is rewritten into
// linalg/tensor/arith/math on tensors by the op-family patterns. The net
// dialect is illegal afterwards, but for net.sync_moments, which the
// netc-lower-sync-moments pass (also here) lowers after fusion and CSE.
//
//===----------------------------------------------------------------------===//
#include "Common.h"
#include "netc/Conversion/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;

namespace netc {
#define GEN_PASS_DEF_NETTOLINALGPASS
#define GEN_PASS_DEF_LOWERSYNCMOMENTSPASS
#include "netc/Conversion/Passes.h.inc"
} // namespace netc

namespace {

struct ConvertNetToLinalgPass
    : netc::impl::NetToLinalgPassBase<ConvertNetToLinalgPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    netc::conversion::markProfileFamilies(module);
    // Collect first: lowering declares the kernels in the module.
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    for (func::FuncOp f : funcs)
      if (failed(netc::conversion::lowerKernelOps(f)))
        return signalPassFailure();

    RewritePatternSet patterns(&getContext());
    netc::conversion::populateElementwisePatterns(patterns);
    netc::conversion::populateLossPatterns(patterns);
    netc::conversion::populateOptimizerPatterns(patterns);
    netc::conversion::populateNormalizationPatterns(patterns);
    netc::conversion::populateDropoutPatterns(patterns);
    netc::conversion::populateShapePatterns(patterns);
    netc::conversion::populateProbabilityLossPatterns(patterns);
    netc::conversion::populateAbsoluteErrorPatterns(patterns);
    ConversionTarget target(getContext());
    target.addIllegalDialect<netc::net::NetDialect>();
    target.addLegalOp<netc::net::SyncMomentsOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      signalPassFailure();
  }
};

struct LowerSyncMomentsPass
    : netc::impl::LowerSyncMomentsPassBase<LowerSyncMomentsPass> {
  void runOnOperation() override {
    for (func::FuncOp f : getOperation().getOps<func::FuncOp>())
      if (failed(netc::conversion::lowerSyncMoments(f)))
        return signalPassFailure();
  }
};

} // namespace
