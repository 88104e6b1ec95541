// Tests the data-parallel gradient reduction (docs/design.md, "Data-parallel
// steps"): before the first optimizer update, every weight's gradient is
// passed to netc_grad_allreduce(address, count, index, total) in parameter
// order. A kernel's gradient (conv2d_grad_filter) is passed in place in its
// workspace region; a bias gradient is first copied into a fixed region; the
// updates read the gradients back from those regions; a kernel
// regularizer's term is added after the call.
// RUN: netc-opt %s --convert-net-to-linalg --canonicalize --cse -split-input-file | FileCheck %s

// CHECK-DAG: func.func private @netc_grad_allreduce(i64, i64, i64, i64)
// CHECK-LABEL: func.func @step
// dw (54 floats), then db's copy (3 floats) in the fixed tail.
// CHECK-SAME: net.ws_fixed = 57 : i64
// CHECK: %[[DWR:[a-z_0-9]+]] = memref.reinterpret_cast %{{.*}} to offset: [%{{.*}}], sizes: [3, 3, 2, 3]
// CHECK: call @netc_conv2d_bwd_weights(
// CHECK-NOT: call @netc_grad_allreduce
// CHECK: call @netc_grad_allreduce(%{{.*}}, %c54_i64, %c0_i64, %c2_i64)
// CHECK-NEXT: %[[DW:.*]] = bufferization.to_tensor %[[DWR]] restrict
// The regularizer's term on w, after the call.
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[DW]],
// CHECK: %[[DBR:[a-z_0-9]+]] = memref.reinterpret_cast %{{.*}} to offset: [%{{.*}}], sizes: [3]
// CHECK: bufferization.materialize_in_destination %{{.*}} in restrict writable %[[DBR]]
// CHECK: call @netc_grad_allreduce(%{{.*}}, %c3_i64, %c1_i64, %c2_i64)
// CHECK-NEXT: %[[DB:.*]] = bufferization.to_tensor %[[DBR]] restrict
// CHECK-NOT: call @netc_grad_allreduce
func.func @step(%params: memref<?xf32>, %xm: memref<?x6x6x2xf32>, %dy: tensor<?x4x4x3xf32>, %lr: f32, %t: f32, %ws: memref<?xf32> {net.workspace}, %cap: index {net.capacity}) -> (tensor<3x3x2x3xf32>, tensor<3xf32>) {
  %wm = memref.reinterpret_cast %params to offset: [0], sizes: [3, 3, 2, 3], strides: [18, 6, 3, 1] : memref<?xf32> to memref<3x3x2x3xf32, strided<[18, 6, 3, 1]>>
  %w = bufferization.to_tensor %wm restrict : memref<3x3x2x3xf32, strided<[18, 6, 3, 1]>>
  %bm = memref.reinterpret_cast %params to offset: [54], sizes: [3], strides: [1] : memref<?xf32> to memref<3xf32, strided<[1], offset: 54>>
  %b = bufferization.to_tensor %bm restrict : memref<3xf32, strided<[1], offset: 54>>
  %x = bufferization.to_tensor %xm restrict : memref<?x6x6x2xf32>
  %dw0 = net.conv2d_grad_filter %x, %dy {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x6x6x2xf32>, tensor<?x4x4x3xf32>) -> tensor<3x3x2x3xf32>
  %dw = net.regularizer_grad %dw0, %w {l1 = 0.0 : f64, l2 = 0.25 : f64} : (tensor<3x3x2x3xf32>, tensor<3x3x2x3xf32>) -> tensor<3x3x2x3xf32>
  %db = net.bias_add_grad %dy : (tensor<?x4x4x3xf32>) -> tensor<3xf32>
  %w1 = net.optimizer_update sgd %w, %dw, %lr, %t {config = {momentum = 0.0 : f64, nesterov = 0.0 : f64}} : (tensor<3x3x2x3xf32>, tensor<3x3x2x3xf32>, f32, f32) -> tensor<3x3x2x3xf32>
  %b1 = net.optimizer_update sgd %b, %db, %lr, %t {config = {momentum = 0.0 : f64, nesterov = 0.0 : f64}} : (tensor<3xf32>, tensor<3xf32>, f32, f32) -> tensor<3xf32>
  return %w1, %b1 : tensor<3x3x2x3xf32>, tensor<3xf32>
}

// -----

// A gradient that is memory outside the workspace (here an argument) is
// never reduced in place: it is copied into a region first.
// CHECK-LABEL: func.func @outside
// CHECK-SAME: net.ws_fixed = 4 : i64
// CHECK: %[[R:[a-z_0-9]+]] = memref.reinterpret_cast %{{.*}} to offset: [%{{.*}}], sizes: [4]
// CHECK: bufferization.materialize_in_destination %{{.*}} in restrict writable %[[R]]
// CHECK: call @netc_grad_allreduce(%{{.*}}, %c4_i64, %c0_i64, %c1_i64)
// CHECK-NEXT: bufferization.to_tensor %[[R]] restrict
func.func @outside(%params: memref<?xf32>, %gm: memref<4xf32>, %lr: f32, %t: f32, %ws: memref<?xf32> {net.workspace}, %cap: index {net.capacity}) -> tensor<4xf32> {
  %bm = memref.reinterpret_cast %params to offset: [0], sizes: [4], strides: [1] : memref<?xf32> to memref<4xf32, strided<[1]>>
  %b = bufferization.to_tensor %bm restrict : memref<4xf32, strided<[1]>>
  %g = bufferization.to_tensor %gm restrict : memref<4xf32>
  %b1 = net.optimizer_update sgd %b, %g, %lr, %t {config = {momentum = 0.0 : f64, nesterov = 0.0 : f64}} : (tensor<4xf32>, tensor<4xf32>, f32, f32) -> tensor<4xf32>
  return %b1 : tensor<4xf32>
}
