//===- Pipelines.cpp - net -> fused linalg -> LLVM dialect ----------------===//
#include "netc/Conversion/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace {

/// Replaces math.exp/tanh/log/... by MLIR's polynomial approximations (plain
/// arith), so that LLVM can vectorize the loops that use them instead of
/// calling scalar libm functions. What it does not cover (powf, sqrt) is
/// left to math-to-llvm (LLVM intrinsics) and math-to-libm.
struct ApproximateMathPass : PassWrapper<ApproximateMathPass, OperationPass<>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ApproximateMathPass)
  StringRef getArgument() const final { return "netc-approximate-math"; }
  StringRef getDescription() const final {
    return "Polynomial approximations of math.exp, math.tanh, math.log, ...";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, math::MathDialect,
                    vector::VectorDialect>();
  }
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void netc::buildNetToLinalgPipeline(OpPassManager &pm) {
  pm.addPass(createNetToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createLinalgElementwiseOpFusionPass());
  pm.addPass(createCSEPass());
}

void netc::buildLinalgToLLVMPipeline(OpPassManager &pm) {
  bufferization::OneShotBufferizationOptions opts;
  opts.bufferizeFunctionBoundaries = true;
  opts.setFunctionBoundaryTypeConversion(
      bufferization::LayoutMapOption::IdentityLayoutMap);
  // Copies into workspace regions have a dynamic batch size and a strided
  // layout; memref.copy would lower to a call of `memrefCopy` from MLIR's
  // runner library, which compiled programs do not link. linalg.copy becomes
  // plain loops that LLVM vectorizes.
  opts.memCpyFn = [](OpBuilder &b, Location loc, Value from,
                     Value to) -> LogicalResult {
    b.create<linalg::CopyOp>(loc, from, to);
    return success();
  };
  pm.addPass(bufferization::createOneShotBufferizePass(opts));
  pm.addPass(createCanonicalizerPass());
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);

  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(std::make_unique<ApproximateMathPass>());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createOutlineLoopNestsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertSCFToCFPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void netc::registerNetConversionPasses() {
  registerPass([] { return createNetToLinalgPass(); });
  registerPass([] { return std::make_unique<ApproximateMathPass>(); });
  PassPipelineRegistration<>(
      "netc-to-linalg",
      "convert-net-to-linalg, canonicalize, elementwise fusion, cse "
      "(what `netc emit --stage linalg` prints)",
      buildNetToLinalgPipeline);
  PassPipelineRegistration<>(
      "netc-linalg-to-llvm",
      "Bufferize, deallocate, lower to loops and to the LLVM dialect",
      buildLinalgToLLVMPipeline);
  PassPipelineRegistration<>(
      "netc-to-llvm", "The whole lowering from net ops to the LLVM dialect",
      [](OpPassManager &pm) {
        buildNetToLinalgPipeline(pm);
        buildLinalgToLLVMPipeline(pm);
      });
}
