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

#endif // NETC_CONVERSION_PASSES
