// Tests the synchronized batchnorm statistics of --sync-batchnorm
// (docs/design.md, "Data-parallel steps"). The batchnorm lowering passes
// every per-channel value that must be the global batch's through
// net.sync_moments: the mean and the variance (each after its division by
// this rank's count), in the gradient the sums of dy and dy * xhat that dx
// reads, while dgamma and dbeta, the weight gradients, stay this rank's.
// After fusion and CSE the forward pass, the moving statistics and the
// gradient share the mean's and the variance's calls: four calls of
// netc_sync_moments(address, count), each on a copy of the value in a fresh
// region of the workspace's fixed tail (after the gradients' copies), all
// before the gradient allreduce, which takes the unsynchronized dgamma and
// dbeta. Without a workspace (no step of a built program) nothing is called.
// RUN: netc-opt %s --convert-net-to-linalg -split-input-file | FileCheck %s --check-prefix=OPS
// RUN: netc-opt %s --netc-to-linalg -split-input-file | FileCheck %s

// OPS-LABEL: func.func @step
// The batch mean: the sum, divided by the count, synchronized.
// OPS: %[[SUM:.*]] = linalg.generic {{.*}}iterator_types = ["reduction", "reduction", "reduction", "parallel"]} ins(%[[X:[0-9]+]] :
// OPS: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[SUM]] :
// OPS-NEXT: ^bb0
// OPS-NEXT: arith.divf
// OPS: %[[GMEAN:.*]] = net.sync_moments %[[MEAN]] : tensor<3xf32>
// The variance around the global mean, likewise.
// OPS: %[[SQ:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[GMEAN]] :
// OPS: %[[VAR:.*]] = linalg.generic {{.*}} ins(%[[SQ]] :
// OPS-NEXT: ^bb0
// OPS-NEXT: arith.divf
// OPS: net.sync_moments %[[VAR]] : tensor<3xf32>
// The gradient: its own moments (synchronized alike), then the two sums.
// OPS: %[[SUMS:.*]]:2 = linalg.generic
// OPS-NEXT: ^bb0
// OPS: %[[DB:.*]] = net.sync_moments %[[SUMS]]#0 : tensor<3xf32>
// OPS-NEXT: %[[DG:.*]] = net.sync_moments %[[SUMS]]#1 : tensor<3xf32>
// OPS: %[[DX:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[X]], %{{.*}}, %{{.*}}, %{{.*}}, %[[DB]], %[[DG]] :
// The updates' gradients are this rank's sums.
// OPS: bufferization.materialize_in_destination %[[SUMS]]#1 in
// OPS: call @netc_grad_allreduce(
// OPS: bufferization.materialize_in_destination %[[SUMS]]#0 in
// OPS: call @netc_grad_allreduce(
// OPS: return
// OPS-SAME: %[[DX]]

// CHECK-DAG: func.func private @netc_sync_moments(i64, i64)
// CHECK-LABEL: func.func @step
// The gradients' copies (6 floats), then four synchronized statistics.
// CHECK-SAME: net.ws_fixed = 18 : i64
// CHECK-NOT: call @netc_sync_moments
// CHECK: %[[MR:[a-z_0-9]+]] = memref.reinterpret_cast %arg5 to offset: [%{{.*}}], sizes: [3]
// CHECK: bufferization.materialize_in_destination %{{.*}} in restrict writable %[[MR]]
// CHECK: call @netc_sync_moments(%{{.*}}, %c3_i64{{.*}})
// CHECK-NEXT: %[[GMEAN:.*]] = bufferization.to_tensor %[[MR]] restrict
// CHECK: %[[VR:[a-z_0-9]+]] = memref.reinterpret_cast %arg5
// CHECK: call @netc_sync_moments(
// CHECK-NEXT: %[[GVAR:.*]] = bufferization.to_tensor %[[VR]] restrict
// Forward, moving statistics and gradient read the same global moments.
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[GMEAN]], %{{.*}}, %{{.*}}, %{{.*}} :
// CHECK: %[[NM:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[GMEAN]] :
// CHECK: %[[NV:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[GVAR]] :
// CHECK: %[[SUMS:.*]]:2 = linalg.generic {{.*}} ins(%arg2, %{{.*}}, %[[GMEAN]], %{{.*}} :
// CHECK: %[[BR:[a-z_0-9]+]] = memref.reinterpret_cast %arg5
// CHECK: bufferization.materialize_in_destination %[[SUMS]]#0 in restrict writable %[[BR]]
// CHECK: call @netc_sync_moments(
// CHECK-NEXT: %[[GDB:.*]] = bufferization.to_tensor %[[BR]] restrict
// CHECK: %[[GR:[a-z_0-9]+]] = memref.reinterpret_cast %arg5
// CHECK: bufferization.materialize_in_destination %[[SUMS]]#1 in restrict writable %[[GR]]
// CHECK: call @netc_sync_moments(
// CHECK-NEXT: %[[GDG:.*]] = bufferization.to_tensor %[[GR]] restrict
// CHECK: %[[DX:.*]] = linalg.generic {{.*}} ins(%arg2, %{{.*}}, %[[GMEAN]], %{{.*}}, %{{.*}}, %[[GDB]], %[[GDG]] :
// CHECK-NOT: call @netc_sync_moments
// CHECK: bufferization.materialize_in_destination %[[SUMS]]#1 in
// CHECK: call @netc_grad_allreduce(
// CHECK: bufferization.materialize_in_destination %[[SUMS]]#0 in
// CHECK: call @netc_grad_allreduce(
// CHECK-NOT: call @netc_sync_moments
// CHECK: return %[[Y]], %[[NM]], %[[NV]], %[[DX]],
func.func @step(%params: memref<?xf32>, %xm: memref<?x4x4x3xf32>, %dy: tensor<?x4x4x3xf32>, %lr: f32, %t: f32, %ws: memref<?xf32> {net.workspace}, %cap: index {net.capacity}) -> (tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %gm = memref.reinterpret_cast %params to offset: [0], sizes: [3], strides: [1] : memref<?xf32> to memref<3xf32, strided<[1]>>
  %gamma = bufferization.to_tensor %gm restrict : memref<3xf32, strided<[1]>>
  %bm = memref.reinterpret_cast %params to offset: [3], sizes: [3], strides: [1] : memref<?xf32> to memref<3xf32, strided<[1], offset: 3>>
  %beta = bufferization.to_tensor %bm restrict : memref<3xf32, strided<[1], offset: 3>>
  %mmm = memref.reinterpret_cast %params to offset: [6], sizes: [3], strides: [1] : memref<?xf32> to memref<3xf32, strided<[1], offset: 6>>
  %mm = bufferization.to_tensor %mmm restrict : memref<3xf32, strided<[1], offset: 6>>
  %mvm = memref.reinterpret_cast %params to offset: [9], sizes: [3], strides: [1] : memref<?xf32> to memref<3xf32, strided<[1], offset: 9>>
  %mv = bufferization.to_tensor %mvm restrict : memref<3xf32, strided<[1], offset: 9>>
  %x = bufferization.to_tensor %xm restrict : memref<?x4x4x3xf32>
  %y = net.batchnorm %x, %gamma, %beta, %mm, %mv {epsilon = 1.0e-3 : f64, training} : (tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x4x4x3xf32>
  %nm, %nv = net.moving_moments %x, %mm, %mv {momentum = 0.99 : f64} : (tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  %dx, %dg, %db = net.batchnorm_grad %dy, %x, %gamma {epsilon = 1.0e-3 : f64} : (tensor<?x4x4x3xf32>, tensor<?x4x4x3xf32>, tensor<3xf32>) -> (tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>)
  %g1 = net.optimizer_update sgd %gamma, %dg, %lr, %t {config = {momentum = 0.0 : f64, nesterov = 0.0 : f64}} : (tensor<3xf32>, tensor<3xf32>, f32, f32) -> tensor<3xf32>
  %b1 = net.optimizer_update sgd %beta, %db, %lr, %t {config = {momentum = 0.0 : f64, nesterov = 0.0 : f64}} : (tensor<3xf32>, tensor<3xf32>, f32, f32) -> tensor<3xf32>
  return %y, %nm, %nv, %dx, %g1, %b1 : tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// A function without a workspace: one process, the statistics are its own.
// CHECK-LABEL: func.func @alone
// CHECK-NOT: sync_moments
// CHECK: return
func.func @alone(%x: tensor<?x3xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>, %mm: tensor<3xf32>, %mv: tensor<3xf32>) -> tensor<?x3xf32> {
  %y = net.batchnorm %x, %g, %b, %mm, %mv {epsilon = 1.0e-3 : f64, training} : (tensor<?x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
