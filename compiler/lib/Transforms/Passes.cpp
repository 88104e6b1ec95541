//===- Passes.cpp - Registration of netc's transformations ---------------===//
#include "netc/Transforms/Passes.h"

void netc::registerNetTransformsPasses() {
  mlir::registerPass([] { return createAutodiffPass(); });
  mlir::registerPass([] { return createExportKernelsPass(); });
}
