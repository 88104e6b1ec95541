//===- Safetensors.h - Network weights in safetensors format ---*- C++ -*-===//
//
// `save`, `load` and --save-weights use the safetensors layout: an 8-byte
// little-endian header length, a JSON header {"NAME": {"dtype": "F32",
// "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}},
// then the raw little-endian data. Tensor names are the plan's parameter
// names ("conv2d/kernel"), and the shapes are the plan's (conv kernels HWIO,
// dense kernels (in, out): Keras' layouts), so files round-trip with Keras
// and any safetensors reader.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_SAFETENSORS_H
#define NETC_SAFETENSORS_H

#include "netc/Plan.h"

#include <map>
#include <string>

namespace netc::rt {

/// Writes every parameter of `net` (trainable or not) from `params`
/// (net.paramFloats floats) to `path`, atomically. `metadata` goes into
/// "__metadata__" (string values only, per the format). Throws
/// std::runtime_error naming the file on I/O errors.
void saveSafetensors(const std::string &path, const NetworkSpec &net,
                     const float *params,
                     const std::map<std::string, std::string> &metadata = {});

/// Fills `params` for `net` from `path`: every parameter of the network must
/// be present with dtype F32 and the same shape (extra tensors are an error
/// too, so loading into the wrong network is caught). Throws DataError
/// naming the file and the problem.
void loadSafetensors(const std::string &path, const NetworkSpec &net,
                     float *params);

} // namespace netc::rt

#endif // NETC_SAFETENSORS_H
