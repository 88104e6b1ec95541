//===- NetDialect.h - The net dialect ---------------------------*- C++ -*-===//
#ifndef NETC_DIALECT_NETDIALECT_H
#define NETC_DIALECT_NETDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "netc/Dialect/NetDialect.h.inc"

#define GET_OP_CLASSES
#include "netc/Dialect/NetOps.h.inc"

#endif
