//===- NetDialect.h - The net dialect ---------------------------*- C++ -*-===//
#ifndef NETC_DIALECT_NETDIALECT_H
#define NETC_DIALECT_NETDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "netc/Dialect/NetDialect.h.inc"
#include "netc/Dialect/NetEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "netc/Dialect/NetAttrs.h.inc"

namespace netc::net {
/// The number of state tensors ("slots") per weight that optimizer `kind`
/// keeps with hyper-parameters `config` (Keras' variables: sgd has a
/// velocity only with momentum, adam a third slot with amsgrad, ...).
/// `net.optimizer_update` verifies its slots against it.
unsigned optimizerSlotCount(OptimizerKind kind, mlir::DictionaryAttr config);
} // namespace netc::net

#define GET_OP_CLASSES
#include "netc/Dialect/NetOps.h.inc"

#endif
