// Tests netc-merge-gpu-modules: the outlined kernels (one gpu.module each,
// the function named after its host function) become the functions of one
// gpu.module @netc_kernels, named as their modules were, identical kernels
// kept once, and every gpu.launch_func follows; a module it cannot merge is
// an error.
// RUN: netc-opt %s --split-input-file --verify-diagnostics --netc-merge-gpu-modules | FileCheck %s

// CHECK-LABEL: func.func @f(
// CHECK: gpu.launch_func @netc_kernels::@f_kernel blocks
// CHECK: gpu.launch_func @netc_kernels::@f_kernel_0 blocks
// CHECK: gpu.launch_func @netc_kernels::@f_kernel blocks
// CHECK-NOT: gpu.module @f_kernel
// CHECK: gpu.module @netc_kernels {
// CHECK-NEXT: gpu.func @f_kernel(%{{.*}}: memref<4xf32>) kernel
// CHECK: memref.store
// CHECK: gpu.func @f_kernel_0(%{{.*}}: memref<4xf32>) kernel
// CHECK-NEXT: gpu.return
// CHECK-NOT: gpu.func
// CHECK-NOT: gpu.module
module attributes {gpu.container_module} {
  func.func @f(%m: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @f_kernel::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>)
    gpu.launch_func @f_kernel_0::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>)
    gpu.launch_func @f_kernel_1::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>)
    return
  }
  gpu.module @f_kernel {
    gpu.func @f_kernel(%arg0: memref<4xf32>) kernel {
      %c0 = arith.constant 0 : index
      %z = arith.constant 0.0 : f32
      memref.store %z, %arg0[%c0] : memref<4xf32>
      gpu.return
    }
  }
  gpu.module @f_kernel_0 {
    gpu.func @f_kernel(%arg0: memref<4xf32>) kernel {
      gpu.return
    }
  }
  // Identical to @f_kernel: compiled once.
  gpu.module @f_kernel_1 {
    gpu.func @f_kernel(%arg0: memref<4xf32>) kernel {
      %c0 = arith.constant 0 : index
      %z = arith.constant 0.0 : f32
      memref.store %z, %arg0[%c0] : memref<4xf32>
      gpu.return
    }
  }
}

// -----

// expected-error @+1 {{'netc_kernels' is already defined}}
module attributes {gpu.container_module} {
  func.func private @netc_kernels()
  gpu.module @k {
    gpu.func @k() kernel {
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  // expected-error @+1 {{cannot merge this gpu.module: one kernel expected, named uniquely}}
  gpu.module @k {
    gpu.func @a() kernel {
      gpu.return
    }
    gpu.func @b() kernel {
      gpu.return
    }
  }
}
