//===- NetInterfaces.h - Gradient interfaces of net ops ---------*- C++ -*-===//
//
// DifferentiableOpInterface and LossTermOpInterface (NetInterfaces.td). The
// rules implementing them are in compiler/lib/Transforms/Autodiff/.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_DIALECT_NETINTERFACES_H
#define NETC_DIALECT_NETINTERFACES_H

#include "mlir/IR/OpDefinition.h"

namespace netc {
class AdjointBuilder;
} // namespace netc

#include "netc/Dialect/NetInterfaces.h.inc"

#endif
