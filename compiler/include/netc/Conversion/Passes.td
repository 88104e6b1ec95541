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
    dialect is illegal afterwards.
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

#endif // NETC_CONVERSION_PASSES
