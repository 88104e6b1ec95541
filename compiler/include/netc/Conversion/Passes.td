//===- Passes.td - netc's dialect conversions --------------*- tablegen -*-===//
//
// The conversion of the net dialect; `registerNetConversionPasses()`
// (GEN_PASS_REGISTRATION) registers it with netc-opt. The pipelines around it
// are functions in Pipelines.cpp, registered as named pipelines.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_CONVERSION_PASSES
#define NETC_CONVERSION_PASSES

include "mlir/Pass/PassBase.td"

def NetToLinalgPass : Pass<"convert-net-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lower net ops to linalg on tensors and runtime kernel calls";
  let description = [{
    Two steps per function: first the heavy ops (conv2d and its gradients,
    pooling, matmul) become calls of the runtime's oneDNN kernels through the
    workspace of the enclosing entry point (its `net.workspace` and
    `net.capacity` arguments), which records its size as `net.ws_per_sample`
    and `net.ws_fixed`; then every remaining net op is rewritten into
    linalg/tensor/arith/math on tensors by the op-family patterns. The net
    dialect is illegal afterwards, but for the net.sync_moments that the
    batchnorm lowering creates (netc-lower-sync-moments lowers them).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::netc::net::NetDialect"
  ];
}

def LowerSyncMomentsPass : Pass<"netc-lower-sync-moments",
                                 "::mlir::ModuleOp"> {
  let summary = "Lower net.sync_moments to runtime calls through the workspace";
  let description = [{
    Synchronized batchnorm statistics (docs/design.md, "Data-parallel
    steps"): every net.sync_moments becomes a call of netc_sync_moments on
    a copy of its operand in a fresh region of the workspace's fixed tail
    (after the regions that convert-net-to-linalg allocated; it grows
    net.ws_fixed), and its result is read back from there. It runs after
    fusion and CSE, so a statistic that the forward pass, the moving
    statistics and the gradient each compute is computed, and reduced, once.
    In a function without a workspace (no step of a built program) the op is
    the identity.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect"
  ];
}


//===----------------------------------------------------------------------===//
// The cuda target (docs/design.md, "The cuda target (compiler)")
//===----------------------------------------------------------------------===//

def CudaKernelCallsPass : Pass<"netc-cuda-kernel-calls", "::mlir::ModuleOp"> {
  let summary = "Call the runtime's netc_cuda_<Id> kernels instead of netc_<Id>";
  let description = [{
    Renames every declaration of a runtime kernel of netc/Kernels.def
    (`netc_<Id>`, through netc/KernelTable.h) to `netc_cuda_<Id>`, and its
    calls with it: same arguments, every one an i64, pointers to managed
    memory. The float64 twins (`netc_<Id>_f64`) have no cuda version: their
    presence is an error.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def MapLoopsToGPUPass : Pass<"netc-map-loops-to-gpu", "::mlir::ModuleOp"> {
  let summary = "Run every top-level loop nest of a host function on the GPU";
  let description = [{
    In every func.func with a body: each top-level scf.parallel becomes a
    gpu.launch over its flattened iteration space (`block-size` threads a
    block, the innermost dimension fastest, so neighbouring threads touch
    neighbouring elements), and each run of other top-level ops that read or
    write buffer memory (a serial scf.for nest such as a loss sum, a load or
    a store) becomes a gpu.launch of one thread. What stays on the host only
    allocates, computes addresses and sizes, calls functions and launches.
    Ops inside a host scf.for/scf.if that calls a function are mapped the
    same way. Ops whose results the host uses stay on the host (managed
    memory makes that correct, if slow) and are counted in a remark.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block of a parallel nest">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::scf::SCFDialect"
  ];
}

def MergeGPUModulesPass : Pass<"netc-merge-gpu-modules", "::mlir::ModuleOp"> {
  let summary = "Move every outlined kernel into one gpu.module";
  let description = [{
    gpu-kernel-outlining makes a gpu.module per launch; each would be
    compiled by ptxas on its own and loaded on its own. This pass moves every
    gpu.func into one gpu.module `@netc_kernels` (each named as its module
    was), keeps one of every set of identical kernels (same signature,
    attributes and body: the forward nests of train and eval steps, kernels
    that differ only in their optimizer) and points the gpu.launch_func ops
    at what is kept, so the kernels are one PTX module and one fatbin, each
    compiled once.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def CudaPrepareLinalgPass
    : Pass<"netc-cuda-prepare-linalg", "::mlir::ModuleOp"> {
  let summary = "cuda: splat tensor constants as linalg.fill, the parallel "
                "loops of every linalg.generic first";
  let description = [{
    Before bufferization on the cuda target. A splat constant tensor would
    become a host `memref.global` that kernels cannot address: each use
    gets its own `linalg.fill` of a `tensor.empty` (an allocation and a fill
    kernel). Every linalg.generic's iterators are interchanged so its
    parallel loops come first (the reduction loops keep their order): each
    output element of a partial reduction (a bias gradient, a BatchNorm
    channel sum) becomes one GPU thread summing in the cpu loops' order.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def CudaRoundedSqrtPass
    : Pass<"netc-cuda-rounded-sqrt", "::mlir::gpu::GPUModuleOp"> {
  let summary = "cuda: libdevice's __nv_sqrtf/__nv_sqrt calls in kernels as "
                "llvm.intr.sqrt (sqrt.rn)";
  let description = [{
    On a gpu.module after convert-gpu-to-nvvm: the calls of libdevice's
    __nv_sqrtf / __nv_sqrt that math.sqrt became are replaced by
    llvm.intr.sqrt, which NVPTX compiles to the correctly rounded sqrt.rn,
    as the cpu target's sqrt (__nv_sqrtf is sqrt.approx.f32 unless the
    reflect value __CUDA_PREC_SQRT is 1, which LLVM 19's NVVMReflect gives no
    way to set; convert-gpu-to-nvvm refuses llvm.intr.sqrt before it).
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // NETC_CONVERSION_PASSES
