//===- Backend.h - The cuda device backend ----------------------*- C++ -*-===//
#ifndef NETC_CUDA_BACKEND_H
#define NETC_CUDA_BACKEND_H

#include "netc/Device.h"

namespace netc::rt::cuda {

/// The backend this library registers as "cuda" (tests call it, which also
/// keeps the registering object in a link without --whole-archive).
const device::Backend &backend();

} // namespace netc::rt::cuda

#endif // NETC_CUDA_BACKEND_H
