//===- Memory.h - Layer sizes for the memory estimate ------*- C++ -*-===//
#ifndef NETC_DRIVER_MEMORY_H
#define NETC_DRIVER_MEMORY_H

#include "netc/Frontend/Program.h"
#include "netc/MemoryEstimate.h"

#include <vector>

namespace netc {

/// Each layer's output and weight sizes (saturating: no overflow however
/// large the shapes), for the estimate and for the plan's "layers".
std::vector<memory::LayerSize> layerSizes(const Network &net);

} // namespace netc

#endif
