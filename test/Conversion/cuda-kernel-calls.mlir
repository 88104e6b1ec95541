// Tests netc-cuda-kernel-calls: the runtime kernels of netc/Kernels.def are
// called as netc_cuda_<Id> (declaration and every call), other functions
// keep their names; a float64 kernel has no cuda version.
// RUN: netc-opt %s --split-input-file --verify-diagnostics --netc-cuda-kernel-calls | FileCheck %s

// CHECK: func.func private @netc_cuda_matmul(i64, i64, i64, i64, i64, i64, i64, i64)
// CHECK: func.func private @netc_cuda_pool_fwd(
// CHECK: func.func private @helper(i64)
// CHECK: func.func @step(
// CHECK: call @netc_cuda_matmul(%arg0, %arg0, %arg0, %arg0, %arg0, %arg0, %arg0, %arg0)
// CHECK: call @netc_cuda_pool_fwd(
// CHECK: call @helper(%arg0)
// CHECK-NOT: @netc_matmul
// CHECK-NOT: @netc_pool_fwd
func.func private @netc_matmul(i64, i64, i64, i64, i64, i64, i64, i64)
func.func private @netc_pool_fwd(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)
func.func private @helper(i64)
func.func @step(%a: i64) {
  call @netc_matmul(%a, %a, %a, %a, %a, %a, %a, %a) : (i64, i64, i64, i64, i64, i64, i64, i64) -> ()
  call @netc_pool_fwd(%a, %a, %a, %a, %a, %a, %a, %a, %a, %a, %a, %a, %a, %a, %a, %a, %a) : (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) -> ()
  call @helper(%a) : (i64) -> ()
  return
}

// -----

// expected-error @+1 {{'netc_matmul_f64' has no cuda version: float64 steps (--gradcheck-f64) are compiled for the cpu target only}}
func.func private @netc_matmul_f64(i64, i64, i64, i64, i64, i64, i64, i64)

// -----

func.func private @netc_cuda_matmul(i64, i64, i64, i64, i64, i64, i64, i64)
// expected-error @+1 {{'netc_cuda_matmul' is already defined}}
func.func private @netc_matmul(i64, i64, i64, i64, i64, i64, i64, i64)
