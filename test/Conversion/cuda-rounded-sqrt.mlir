// Tests netc-cuda-rounded-sqrt: in a gpu.module, after convert-gpu-to-nvvm
// made math.sqrt a call of libdevice's __nv_sqrtf / __nv_sqrt (sqrt.approx.f32
// without the __CUDA_PREC_SQRT reflect value), the calls become
// llvm.intr.sqrt, which NVPTX compiles to the correctly rounded sqrt.rn, and
// the unused declarations go; host code is left alone.
// RUN: netc-opt %s --pass-pipeline='builtin.module(gpu.module(convert-gpu-to-nvvm,netc-cuda-rounded-sqrt))' | FileCheck %s
// Without the pass, the libdevice calls (what the pass must replace).
// RUN: netc-opt %s --pass-pipeline='builtin.module(gpu.module(convert-gpu-to-nvvm))' | FileCheck %s --check-prefix=NVVM

// CHECK-LABEL: func.func @host(
// CHECK: math.sqrt
// CHECK: gpu.module @netc_kernels
// CHECK-NOT: __nv_sqrt
// CHECK: llvm.func @adam(
// CHECK: llvm.intr.sqrt(%{{.+}}) : (f32) -> f32
// CHECK: llvm.intr.sqrt(%{{.+}}) : (f64) -> f64
// CHECK-NOT: __nv_sqrt

// NVVM-DAG: llvm.func @__nv_sqrt(f64) -> f64
// NVVM-DAG: llvm.func @__nv_sqrtf(f32) -> f32
// NVVM-DAG: llvm.call @__nv_sqrtf(
// NVVM-DAG: llvm.call @__nv_sqrt(
module attributes {gpu.container_module} {
  func.func @host(%x: f32) -> f32 {
    %r = math.sqrt %x : f32
    return %r : f32
  }
  gpu.module @netc_kernels {
    gpu.func @adam(%m: memref<4xf32>, %d: memref<f64>) kernel {
      %c0 = arith.constant 0 : index
      %v = memref.load %m[%c0] : memref<4xf32>
      %r = math.sqrt %v : f32
      memref.store %r, %m[%c0] : memref<4xf32>
      %w = memref.load %d[] : memref<f64>
      %s = math.sqrt %w : f64
      memref.store %s, %d[] : memref<f64>
      gpu.return
    }
  }
}
