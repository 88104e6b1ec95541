//===- Passes.h - Lowering the net dialect to LLVM ---------------*- C++
//-*-===//
#ifndef NETC_CONVERSION_PASSES_H
#define NETC_CONVERSION_PASSES_H

#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include <memory>

namespace netc {

/// net ops -> linalg/tensor/arith/math on tensors, and calls to the runtime's
/// oneDNN kernels (conv, matmul, pooling) through the workspace argument of
/// the enclosing entry function.
std::unique_ptr<mlir::Pass> createNetToLinalgPass();

/// Outlines each top-level loop nest of every function into its own
/// noinline function, so LLVM optimizes many small functions, not one huge.
std::unique_ptr<mlir::Pass> createOutlineLoopNestsPass();

/// From exported entry points (net ops) to fused linalg on tensors: what
/// `netc emit --stage linalg` prints.
void buildNetToLinalgPipeline(mlir::OpPassManager &pm);

/// From fused linalg on tensors to the LLVM dialect: bufferization, buffer
/// deallocation, loops, and conversion of every dialect to LLVM.
void buildLinalgToLLVMPipeline(mlir::OpPassManager &pm);

void registerNetConversionPasses();

} // namespace netc

#endif
