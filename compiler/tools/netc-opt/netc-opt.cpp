//===- netc-opt.cpp - mlir-opt with the net dialect and netc's passes ----===//
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "netc/Conversion/Passes.h"
#include "netc/Dialect/NetDialect.h"
#include "netc/Transforms/Autodiff.h"
#include "netc/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  netc::registerNetTransformsPasses();
  netc::registerNetConversionPasses();
  netc::registerNetPipelines();
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  registry.insert<netc::net::NetDialect>();
  // gpu-module-to-binary (the cuda pipelines) translates the kernels to
  // LLVM IR and compiles them for the NVVM target.
  mlir::registerAllToLLVMIRTranslations(registry);
  mlir::NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  netc::registerGradientRules(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "netc optimizer driver\n", registry));
}
