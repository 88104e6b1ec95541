//===- Pipelines.cpp - net -> fused linalg -> LLVM dialect ----------------===//
#include "netc/Conversion/Passes.h"
#include "netc/Transforms/Passes.h"

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
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void netc::buildNetToLinalgPipeline(OpPassManager &pm) {
  pm.addPass(createNetToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createLinalgElementwiseOpFusionPass());
  pm.addPass(createCSEPass());
  pm.addPass(createLowerSyncMomentsPass());
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

  // Parallel dimensions become scf.parallel, reductions scf.for, in the
  // serial lowering's order; netc-parallelize-loops runs each top-level
  // scf.parallel's outermost dimension on the OpenMP team (docs/design.md,
  // "Threads").
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  pm.addPass(netc::createApproximateMathPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Full reductions over big tensors (regularizers) in fixed parallel
  // chunks, vectorized (docs/design.md, "Reductions").
  pm.addPass(netc::createSplitReductionsPass());
  pm.addPass(netc::createProfileLoopNestsPass());
  pm.addPass(netc::createOutlineLoopNestsPass());
  pm.addPass(netc::createParallelizeLoopsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertSCFToCFPass());
  // Step temporaries come from the runtime's caching allocator
  // (runtime/lib/StepMemory.cpp), not malloc: docs/design.md, "Step memory".
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useAlignedAlloc = true;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void netc::registerNetPipelines() {
  PassPipelineRegistration<>(
      "netc-to-linalg",
      "convert-net-to-linalg, canonicalize, elementwise fusion, cse, "
      "netc-lower-sync-moments (what `netc emit --stage linalg` prints)",
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
