//===- Passes.h - netc's transformations on the net dialect ------*- C++
//-*-===//
#ifndef NETC_TRANSFORMS_PASSES_H
#define NETC_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"
#include <memory>

namespace netc {

/// Reverse-mode differentiation: for every `func.func` carrying the unit
/// attribute `net.loss_function` (forward + loss, see MLIRGen), creates the
/// tensor-level `<name>_train` (forward, loss, gradients, optimizer update)
/// and `<name>_eval` functions.
std::unique_ptr<mlir::Pass> createAutodiffPass();

/// Wraps the tensor-level train/eval functions into the C-ABI entry points of
/// runtime/include/netc/Abi.h (flat rank-1 memrefs, workspace argument).
std::unique_ptr<mlir::Pass> createExportKernelsPass();

void registerNetTransformsPasses();

} // namespace netc

#endif
