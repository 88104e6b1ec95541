/*===- CudaAbi.h - Kernels the cuda target's code calls -----------*- C -*-===//
 *
 * A program built with `netc build --target cuda` calls netc_cuda_<Id>
 * instead of netc_<Id> for every line of netc/Kernels.def: the same
 * parameters, semantics and layouts (activations NHWC, conv kernels HWIO,
 * dense kernels (in, out)), over float only, on pointers valid on the
 * device (CUDA managed memory). Each returns after its work on the compute
 * stream is complete. Defined in runtime/lib/cuda (library
 * netc_runtime_cuda): cuDNN for convolutions and pooling, cuBLAS for
 * matrix products.
 *
 *===----------------------------------------------------------------------===*/
#ifndef NETC_CUDAABI_H
#define NETC_CUDAABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NETC_REAL float
#define NETC_KERNEL(Id, Params) void netc_cuda_##Id Params;
#include "netc/Kernels.def"
#undef NETC_REAL

#ifdef __cplusplus
}
#endif

#endif /* NETC_CUDAABI_H */
