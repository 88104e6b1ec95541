//===- NetDialect.cpp - The net dialect ----------------------------------===//
#include "netc/Dialect/NetDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace netc::net;

#include "netc/Dialect/NetDialect.cpp.inc"

void NetDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "netc/Dialect/NetOps.cpp.inc"
      >();
}

#define GET_OP_CLASSES
#include "netc/Dialect/NetOps.cpp.inc"
