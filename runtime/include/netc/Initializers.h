//===- Initializers.h - Keras weight initializers --------------*- C++ -*-===//
//
// The plan names each parameter's initializer as Keras does (spec §2); the
// runtime draws the values with the run's Rng so a seed fixes all weights.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_INITIALIZERS_H
#define NETC_INITIALIZERS_H

#include "netc/Plan.h"
#include "netc/Random.h"

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace netc::rt {

/// An unknown initializer or a bad argument (a plan the runtime can't honour).
struct InitError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Fills `data` (prod(shape) floats) per `spec`. `fanIn`/`fanOut` are the
/// plan's (Keras rules: HWIO conv kernels kh*kw*cin / kh*kw*cout, a 1-D
/// tensor its length). An initializer with a `seed` argument draws from its
/// own generator seeded with it instead of `rng`. Throws InitError for
/// unknown names or bad arguments.
void initialize(const InitSpec &spec, float *data,
                const std::vector<int64_t> &shape, int64_t fanIn,
                int64_t fanOut, Rng &rng);

} // namespace netc::rt

#endif // NETC_INITIALIZERS_H
