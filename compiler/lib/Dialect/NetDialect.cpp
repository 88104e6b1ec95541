//===- NetDialect.cpp - The net dialect and its enum attributes -----------===//
#include "netc/Dialect/NetDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace netc::net;

#include "netc/Dialect/NetDialect.cpp.inc"
#include "netc/Dialect/NetEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "netc/Dialect/NetAttrs.cpp.inc"

void NetDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "netc/Dialect/NetOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "netc/Dialect/NetAttrs.cpp.inc"
      >();
}
