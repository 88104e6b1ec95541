//===- Target.h - The LLVM target machine for a chosen CPU -*- C++ -*-===//
#ifndef NETC_DRIVER_TARGET_H
#define NETC_DRIVER_TARGET_H

#include "netc/Driver/Compile.h"

#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>

namespace netc {

/// A target machine for the process's triple and `cpu` (its name and, for
/// `native`, the host's feature string); null with `error` set on failure.
std::unique_ptr<llvm::TargetMachine> createTargetMachine(const TargetCpu &cpu,
                                                         std::string &error);

} // namespace netc

#endif
