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
#include <cstdint>
#include <memory>
#include <string>

namespace netc {

#define GEN_PASS_DECL
#include "netc/Conversion/Passes.h.inc"

/// From exported entry points (net ops) to fused linalg on tensors: what
/// `netc emit --stage linalg` prints.
void buildNetToLinalgPipeline(mlir::OpPassManager &pm);

/// From fused linalg on tensors to the LLVM dialect: bufferization, buffer
/// deallocation, loops, and conversion of every dialect to LLVM.
void buildLinalgToLLVMPipeline(mlir::OpPassManager &pm);

/// How the cuda target compiles (docs/design.md, "The cuda target
/// (compiler)").
struct GPUPipelineOptions {
  std::string chip = "sm_90";         // nvvm-attach-target's chip
  std::string ptxFeatures = "+ptx80"; // PTX ISA 8.0: sm_90, CUDA >= 12
  /// gpu-module-to-binary's format: fatbin (cubin for `chip` and PTX,
  /// needs ptxas and fatbinary), bin (cubin) or isa (PTX text).
  std::string format = "fatbin";
  std::string toolkit;     // the CUDA toolkit's root (bin/ptxas), or MLIR's
  std::string libdevice;   // libdevice.10.bc, linked into the kernels if set
  int64_t blockSize = 256; // threads a block of a parallel nest
};

/// cuda, first half: bufferization as cpu, calls of netc_cuda_<Id>, linalg
/// to parallel loops, every top-level nest in a gpu.launch, outlined into
/// one gpu.module (what `netc emit --target cuda --stage gpu` prints).
void buildLinalgToGPULaunchesPipeline(mlir::OpPassManager &pm,
                                      const GPUPipelineOptions &opts);

/// cuda, second half: the kernels to NVVM and a gpu.binary (fatbin), the
/// host code to the LLVM dialect with gpu.launch_func left for the
/// translation to LLVM IR (mgpu* calls).
void buildGPUToLLVMPipeline(mlir::OpPassManager &pm,
                            const GPUPipelineOptions &opts);

/// Both halves: from fused linalg on tensors to the LLVM dialect for cuda.
void buildLinalgToGPUPipeline(mlir::OpPassManager &pm,
                              const GPUPipelineOptions &opts);

#define GEN_PASS_REGISTRATION
#include "netc/Conversion/Passes.h.inc"

/// Registers the pipelines above as netc-to-linalg, netc-linalg-to-llvm and
/// netc-to-llvm (both in a row).
void registerNetPipelines();

} // namespace netc

#endif
