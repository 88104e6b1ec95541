//===- ProfileFamilies.h - Op families carried by locations ----*- C++ -*-===//
//
// `--profile` reports time per op family (runtime/include/netc/Profile.def).
// The compiler carries a net op's family to the loop nests made from it in
// the op's location: a NameLoc "netc.family.<id>" around the original one.
// Locations survive canonicalization, fusion (the fused body keeps each
// op's location), bufferization and the lowering to loops, so the pass
// netc-profile-loop-nests reads the family back from the nest's ops.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_TRANSFORMS_PROFILEFAMILIES_H
#define NETC_TRANSFORMS_PROFILEFAMILIES_H

#include "netc/Profile.h"

#include "mlir/IR/Location.h"

#include <optional>

namespace netc::profile {

using Family = rt::profile::Family;

/// `loc` marked with family `f` (replacing a mark it already has).
mlir::Location withFamily(mlir::Location loc, Family f);

/// The family `loc` carries: the first mark found in it (fused locations
/// included), if any.
std::optional<Family> familyOf(mlir::Location loc);

} // namespace netc::profile

#endif // NETC_TRANSFORMS_PROFILEFAMILIES_H
