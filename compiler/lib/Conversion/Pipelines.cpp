//===- Pipelines.cpp - net -> fused linalg -> LLVM dialect ----------------===//
#include "netc/Conversion/Passes.h"
#include "netc/Transforms/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/GPUCommon/GPUCommonPass.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassOptions.h"
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

/// One-shot bufferization and buffer deallocation, the same for every
/// target.
static void addBufferization(OpPassManager &pm) {
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
}

/// The host code's lowering to the LLVM dialect, as the cpu pipeline's
/// (generic allocation functions: the runtime's step memory, managed memory
/// in a cuda program). With `perFunction`, the conversions that only rewrite
/// operations inside a function run on each func.func (on the context's
/// threads); the cuda pipeline keeps them on the module, whose gpu.module
/// they also reach.
static void addHostToLLVM(OpPassManager &pm, bool perFunction = false) {
  auto local = [&](std::unique_ptr<Pass> pass) {
    if (perFunction)
      pm.addNestedPass<func::FuncOp>(std::move(pass));
    else
      pm.addPass(std::move(pass));
  };
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useAlignedAlloc = true;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  local(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  local(createArithToLLVMConversionPass());
  local(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
}

void netc::buildLinalgToLLVMPipeline(OpPassManager &pm) {
  // Equal entries (the eval steps of kernels that differ only in their
  // optimizer) become calls of the first before anything lowers them.
  pm.addPass(netc::createMergeIdenticalFunctionsPass());
  addBufferization(pm);

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
  // Kernels that differ only in their optimizer share their outlined
  // forward/backward nests and eval entries: lower and compile them once
  // (docs/design.md, "Compile time and the compile cache").
  pm.addPass(netc::createMergeIdenticalFunctionsPass());
  // Thousands of functions from here on (ResNet50): the passes that work
  // inside one function run per function, in parallel.
  OpPassManager &perFunction = pm.nest<func::FuncOp>();
  perFunction.addPass(createCanonicalizerPass());
  perFunction.addPass(memref::createExpandStridedMetadataPass());
  perFunction.addPass(createLowerAffinePass());
  perFunction.addPass(createConvertSCFToCFPass());
  // Step temporaries come from the runtime's caching allocator
  // (runtime/lib/StepMemory.cpp), not malloc: docs/design.md, "Step memory".
  addHostToLLVM(pm, /*perFunction=*/true);
  OpPassManager &perLLVMFunction = pm.nest<LLVM::LLVMFuncOp>();
  perLLVMFunction.addPass(createReconcileUnrealizedCastsPass());
  perLLVMFunction.addPass(createCanonicalizerPass());
}

void netc::buildLinalgToGPULaunchesPipeline(OpPassManager &pm,
                                            const GPUPipelineOptions &opts) {
  // No splat constant may become a host global that kernels read; the
  // parallel loops of a partial reduction (a bias gradient, BatchNorm's
  // sums) outermost: one thread per output.
  pm.addPass(createCudaPrepareLinalgPass());
  addBufferization(pm);
  pm.addPass(createCudaKernelCallsPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  pm.addPass(netc::createApproximateMathPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Full reductions over big tensors (regularizers) in the cpu target's 64
  // chunks: 64 threads, then the combination in chunk order on one thread
  // (netc-map-loops-to-gpu moves the partials from the stack to the heap).
  pm.addPass(netc::createSplitReductionsPass());
  MapLoopsToGPUPassOptions map;
  map.blockSize = opts.blockSize;
  pm.addPass(createMapLoopsToGPUPass(map));
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createMergeGPUModulesPass());
  pm.addPass(createCanonicalizerPass());
}

void netc::buildGPUToLLVMPipeline(OpPassManager &pm,
                                  const GPUPipelineOptions &opts) {
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(arith::createArithExpandOpsPass());
  pm.addPass(createConvertSCFToCFPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = opts.chip;
  target.features = opts.ptxFeatures;
  target.optLevel = 3;
  std::vector<std::string> libs;
  if (!opts.libdevice.empty())
    libs.push_back(opts.libdevice);
  target.linkLibs = libs;
  pm.addPass(createGpuNVVMAttachTarget(target));
  ConvertGpuOpsToNVVMOpsOptions nvvm;
  nvvm.indexBitwidth = 64;
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createConvertGpuOpsToNVVMOps(nvvm));
  kernels.addPass(createCudaRoundedSqrtPass());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
  addHostToLLVM(pm);
  pm.addPass(createGpuToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  GpuModuleToBinaryPassOptions binary;
  binary.toolkitPath = opts.toolkit;
  binary.compilationTarget = opts.format;
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(createCanonicalizerPass());
}

void netc::buildLinalgToGPUPipeline(OpPassManager &pm,
                                    const GPUPipelineOptions &opts) {
  buildLinalgToGPULaunchesPipeline(pm, opts);
  buildGPUToLLVMPipeline(pm, opts);
}

namespace {
/// netc-opt's options of the cuda pipelines (GPUPipelineOptions).
struct GPUPipelineCLOptions : public PassPipelineOptions<GPUPipelineCLOptions> {
  Option<std::string> chip{*this, "chip", llvm::cl::desc("The GPU (sm_90)"),
                           llvm::cl::init("sm_90")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("fatbin (cubin + PTX, needs ptxas), bin or isa (PTX)"),
      llvm::cl::init("fatbin")};
  Option<std::string> toolkit{*this, "toolkit",
                              llvm::cl::desc("The CUDA toolkit's root")};
  Option<std::string> libdevice{*this, "libdevice",
                                llvm::cl::desc("libdevice.10.bc to link")};
  Option<int64_t> blockSize{*this, "block-size",
                            llvm::cl::desc("Threads a block"),
                            llvm::cl::init(256)};

  netc::GPUPipelineOptions get() const {
    netc::GPUPipelineOptions o;
    o.chip = chip;
    o.format = format;
    o.toolkit = toolkit;
    o.libdevice = libdevice;
    o.blockSize = blockSize;
    return o;
  }
};
} // namespace

static void registerGPUPipelines() {
  PassPipelineRegistration<GPUPipelineCLOptions>(
      "netc-linalg-to-gpu-launches",
      "cuda: bufferize, netc_cuda_* calls, loops, every nest onto the GPU, "
      "kernels outlined into one gpu.module (netc emit --stage gpu)",
      [](OpPassManager &pm, const GPUPipelineCLOptions &o) {
        buildLinalgToGPULaunchesPipeline(pm, o.get());
      });
  PassPipelineRegistration<GPUPipelineCLOptions>(
      "netc-gpu-to-llvm",
      "cuda: kernels to NVVM and a binary, host code to the LLVM dialect",
      [](OpPassManager &pm, const GPUPipelineCLOptions &o) {
        buildGPUToLLVMPipeline(pm, o.get());
      });
  PassPipelineRegistration<GPUPipelineCLOptions>(
      "netc-linalg-to-gpu", "cuda: both of the above",
      [](OpPassManager &pm, const GPUPipelineCLOptions &o) {
        buildLinalgToGPUPipeline(pm, o.get());
      });
}

void netc::registerNetPipelines() {
  registerGPUPipelines();
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
