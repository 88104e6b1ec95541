//===- Passes.h - netc's transformation passes ------------------*- C++ -*-===//
//
// Declared in Passes.td: create<Name>Pass() and <Name>PassOptions for each
// pass, registerNetTransformsPasses() and register<Name>Pass().
//
//===----------------------------------------------------------------------===//
#ifndef NETC_TRANSFORMS_PASSES_H
#define NETC_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"
#include <memory>

namespace netc {

#define GEN_PASS_DECL
#include "netc/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "netc/Transforms/Passes.h.inc"

} // namespace netc

#endif
