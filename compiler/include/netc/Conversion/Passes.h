//===- Passes.h - Lowering the net dialect to LLVM --------------*- C++ -*-===//
//
// The conversion pass (Passes.td: createNetToLinalgPass(),
// registerNetConversionPasses()) and the pipelines built around it.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_CONVERSION_PASSES_H
#define NETC_CONVERSION_PASSES_H

#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include <memory>

namespace netc {

#define GEN_PASS_DECL
#include "netc/Conversion/Passes.h.inc"

/// From exported entry points (net ops) to fused linalg on tensors: what
/// `netc emit --stage linalg` prints.
void buildNetToLinalgPipeline(mlir::OpPassManager &pm);

/// From fused linalg on tensors to the LLVM dialect: bufferization, buffer
/// deallocation, loops, and conversion of every dialect to LLVM.
void buildLinalgToLLVMPipeline(mlir::OpPassManager &pm);

#define GEN_PASS_REGISTRATION
#include "netc/Conversion/Passes.h.inc"

/// Registers the pipelines above as netc-to-linalg, netc-linalg-to-llvm and
/// netc-to-llvm (both in a row).
void registerNetPipelines();

} // namespace netc

#endif
