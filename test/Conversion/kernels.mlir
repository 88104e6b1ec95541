// Tests that conv2d, matmul, pooling and their gradients become calls of the
// runtime's kernels with operands and results in disjoint workspace regions
// (per-sample offsets scaled by the capacity), weights passed in place, and
// the workspace size recorded as net.ws_per_sample and net.ws_fixed.
// RUN: netc-opt %s --convert-net-to-linalg --canonicalize --cse -split-input-file -verify-diagnostics | FileCheck %s

// CHECK-DAG: func.func private @netc_conv2d_fwd(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)
// CHECK-LABEL: func.func @conv
// CHECK-SAME: (%[[P:.*]]: memref<?xf32>, %[[X:.*]]: tensor<?x8x8x2xf32>, %[[WS:.*]]: memref<?xf32> {net.workspace}, %[[CAP:.*]]: index {net.capacity})
// CHECK-SAME: net.ws_fixed = 0 : i64, net.ws_per_sample = 176 : i64
// CHECK: %[[BASE:.*]] = memref.extract_aligned_pointer_as_index %[[WS]]
// CHECK: %[[WM:.*]] = memref.reinterpret_cast %[[P]] to offset: [0]
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %{{.*}}
// The input is copied into region 0 (offset 0 * cap, 128 floats per sample).
// CHECK: %[[XR:.*]] = memref.reinterpret_cast %[[WS]] to offset: [%{{.*}}], sizes: [%[[N]], 8, 8, 2], strides: [128, 16, 2, 1]
// CHECK: %[[XA:.*]] = arith.index_cast %[[BASE]] : index to i64
// CHECK: bufferization.materialize_in_destination %[[X]] in restrict writable %[[XR]]
// The weight is read where it lies in params.
// CHECK: %[[WP:.*]] = memref.extract_aligned_pointer_as_index %[[WM]]
// CHECK: %[[WA:.*]] = arith.index_cast %[[WP]] : index to i64
// The result lives in region 1, at 128 * cap floats (512 * cap bytes).
// CHECK: %[[OFF:.*]] = arith.muli %[[CAP]], %{{.*}} : index
// CHECK: %[[YR:.*]] = memref.reinterpret_cast %[[WS]] to offset: [%[[OFF]]], sizes: [%[[N]], 4, 4, 3], strides: [48, 12, 3, 1]
// CHECK: %[[BYTES:.*]] = arith.muli %[[CAP]], %c512
// CHECK: %[[YP:.*]] = arith.addi %[[BASE]], %[[BYTES]]
// CHECK: %[[YA:.*]] = arith.index_cast %[[YP]] : index to i64
// CHECK: %[[N64:.*]] = arith.index_cast %[[N]] : index to i64
// dims: n, h, w, c, kh, kw, oc, sh, sw, pt, pb, pl, pr, oh, ow
// CHECK: call @netc_conv2d_fwd(%[[XA]], %[[WA]], %[[YA]], %[[N64]], %c8_i64, %c8_i64, %c2_i64, %c3_i64, %c3_i64, %c3_i64, %c2_i64, %c2_i64, %c0_i64, %c1_i64, %c0_i64, %c1_i64, %c4_i64, %c4_i64)
// CHECK: %[[Y:.*]] = bufferization.to_tensor %[[YR]] restrict
// CHECK: return %[[Y]]
func.func @conv(%params: memref<?xf32>, %x: tensor<?x8x8x2xf32>, %ws: memref<?xf32> {net.workspace}, %cap: index {net.capacity}) -> tensor<?x4x4x3xf32> {
  %wm = memref.reinterpret_cast %params to offset: [0], sizes: [3, 3, 2, 3], strides: [18, 6, 3, 1] : memref<?xf32> to memref<3x3x2x3xf32, strided<[18, 6, 3, 1]>>
  %w = bufferization.to_tensor %wm restrict : memref<3x3x2x3xf32, strided<[18, 6, 3, 1]>>
  %y = net.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 1, 0, 1>} : (tensor<?x8x8x2xf32>, tensor<3x3x2x3xf32>) -> tensor<?x4x4x3xf32>
  return %y : tensor<?x4x4x3xf32>
}

// -----

// The gradients: dx and dw of a conv, with the forward input passed in place
// (a to_tensor of the input batch) and dy copied once into region 0.
// CHECK-LABEL: func.func @conv_grads
// dw (54 floats) lives in the fixed tail, not in a per-sample region.
// CHECK-SAME: net.ws_fixed = 54 : i64, net.ws_per_sample = 120 : i64
// CHECK: %[[DYR:.*]] = memref.reinterpret_cast %{{.*}} sizes: [%{{.*}}, 4, 4, 3]
// CHECK: bufferization.materialize_in_destination %{{.*}} in restrict writable %[[DYR]]
// CHECK: call @netc_conv2d_bwd_data(%[[DYA:.*]], %{{.*}}, %{{.*}}, %{{.*}}, %c6_i64, %c6_i64, %c2_i64, %c3_i64, %c3_i64, %c3_i64, %c1_i64, %c1_i64, %c0_i64, %c0_i64, %c0_i64, %c0_i64, %c4_i64, %c4_i64)
// CHECK-NOT: materialize_in_destination
// CHECK: call @netc_conv2d_bwd_weights(%{{.*}}, %[[DYA]], %{{.*}}, %{{.*}}, %c6_i64, %c6_i64, %c2_i64, %c3_i64, %c3_i64, %c3_i64, %c1_i64, %c1_i64, %c0_i64, %c0_i64, %c0_i64, %c0_i64, %c4_i64, %c4_i64)
// CHECK: %[[DW:.*]] = bufferization.to_tensor %{{.*}} restrict : memref<3x3x2x3xf32, strided<[18, 6, 3, 1], offset: ?>>
func.func @conv_grads(%params: memref<?xf32>, %xm: memref<?x6x6x2xf32>, %dy: tensor<?x4x4x3xf32>, %ws: memref<?xf32> {net.workspace}, %cap: index {net.capacity}) -> (tensor<?x6x6x2xf32>, tensor<3x3x2x3xf32>) {
  %wm = memref.reinterpret_cast %params to offset: [0], sizes: [3, 3, 2, 3], strides: [18, 6, 3, 1] : memref<?xf32> to memref<3x3x2x3xf32, strided<[18, 6, 3, 1]>>
  %w = bufferization.to_tensor %wm restrict : memref<3x3x2x3xf32, strided<[18, 6, 3, 1]>>
  %x = bufferization.to_tensor %xm restrict : memref<?x6x6x2xf32>
  %dx = net.conv2d_grad_input %dy, %w, %x {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x4x4x3xf32>, tensor<3x3x2x3xf32>, tensor<?x6x6x2xf32>) -> tensor<?x6x6x2xf32>
  %dw = net.conv2d_grad_filter %x, %dy {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x6x6x2xf32>, tensor<?x4x4x3xf32>) -> tensor<3x3x2x3xf32>
  return %dx, %dw : tensor<?x6x6x2xf32>, tensor<3x3x2x3xf32>
}

// -----

// matmul forwards its transpose flags and m, n, k; a batch-independent result
// (the weight gradient x^T dy) takes its size once, in the fixed tail.
// CHECK-LABEL: func.func @matmuls
// CHECK-SAME: net.ws_fixed = 32 : i64, net.ws_per_sample = 24 : i64
// CHECK: %[[N:.*]] = tensor.dim %[[X:.*]], %c0
// CHECK: %[[N64:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK: call @netc_matmul(%{{.*}}, %{{.*}}, %{{.*}}, %[[N64]], %c4_i64, %c8_i64, %c0_i64, %c0_i64)
// CHECK: call @netc_matmul(%{{.*}}, %{{.*}}, %{{.*}}, %c8_i64, %c4_i64, %[[N64]], %c1_i64, %c0_i64)
// CHECK: call @netc_matmul(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %c8_i64, %c4_i64, %c0_i64, %c1_i64)
func.func @matmuls(%params: memref<?xf32>, %x: tensor<?x8xf32>, %dy: tensor<?x4xf32>, %ws: memref<?xf32> {net.workspace}, %cap: index {net.capacity}) -> (tensor<?x4xf32>, tensor<8x4xf32>, tensor<?x8xf32>) {
  %wm = memref.reinterpret_cast %params to offset: [0], sizes: [8, 4], strides: [4, 1] : memref<?xf32> to memref<8x4xf32, strided<[4, 1]>>
  %w = bufferization.to_tensor %wm restrict : memref<8x4xf32, strided<[4, 1]>>
  %y = net.matmul %x, %w : (tensor<?x8xf32>, tensor<8x4xf32>) -> tensor<?x4xf32>
  %dw = net.matmul %x, %dy {transpose_lhs = true} : (tensor<?x8xf32>, tensor<?x4xf32>) -> tensor<8x4xf32>
  %dx = net.matmul %dy, %w {transpose_rhs = true} : (tensor<?x4xf32>, tensor<8x4xf32>) -> tensor<?x8xf32>
  return %y, %dw, %dx : tensor<?x4xf32>, tensor<8x4xf32>, tensor<?x8xf32>
}

// -----

// dense on [N, 5, 3, 8] (rank-4 operands): m (or k, transposed) is the
// folded rows N * 5 * 3, the call is the 2-D one, and the workspace regions
// stay per sample: the copies of x and dy (120 + 60) and the results y and
// dx (60 + 120).
// CHECK-LABEL: func.func @matmuls_folded
// CHECK-SAME: net.ws_fixed = 32 : i64, net.ws_per_sample = 360 : i64
// CHECK: %[[N:.*]] = tensor.dim %{{.*}}, %c0
// CHECK: %[[ROWS:.*]] = arith.muli %[[N]], %c15
// CHECK: %[[R64:.*]] = arith.index_cast %[[ROWS]] : index to i64
// CHECK: call @netc_matmul(%{{.*}}, %{{.*}}, %{{.*}}, %[[R64]], %c4_i64, %c8_i64, %c0_i64, %c0_i64)
// CHECK: call @netc_matmul(%{{.*}}, %{{.*}}, %{{.*}}, %c8_i64, %c4_i64, %[[R64]], %c1_i64, %c0_i64)
// CHECK: call @netc_matmul(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %c8_i64, %c4_i64, %c0_i64, %c1_i64)
func.func @matmuls_folded(%params: memref<?xf32>, %x: tensor<?x5x3x8xf32>, %dy: tensor<?x5x3x4xf32>, %ws: memref<?xf32> {net.workspace}, %cap: index {net.capacity}) -> (tensor<?x5x3x4xf32>, tensor<8x4xf32>, tensor<?x5x3x8xf32>) {
  %wm = memref.reinterpret_cast %params to offset: [0], sizes: [8, 4], strides: [4, 1] : memref<?xf32> to memref<8x4xf32, strided<[4, 1]>>
  %w = bufferization.to_tensor %wm restrict : memref<8x4xf32, strided<[4, 1]>>
  %y = net.matmul %x, %w : (tensor<?x5x3x8xf32>, tensor<8x4xf32>) -> tensor<?x5x3x4xf32>
  %dw = net.matmul %x, %dy {transpose_lhs = true} : (tensor<?x5x3x8xf32>, tensor<?x5x3x4xf32>) -> tensor<8x4xf32>
  %dx = net.matmul %dy, %w {transpose_rhs = true} : (tensor<?x5x3x4xf32>, tensor<8x4xf32>) -> tensor<?x5x3x8xf32>
  return %y, %dw, %dx : tensor<?x5x3x4xf32>, tensor<8x4xf32>, tensor<?x5x3x8xf32>
}

// -----

// Pooling: kind 0 = max, 1 = avg; the forward input is copied once and
// reused by pool_grad; a kernel result feeds the next kernel in place.
// CHECK-LABEL: func.func @pools
// CHECK-SAME: net.ws_per_sample = 704 : i64
// CHECK: call @netc_pool_fwd(%c0_i64, %[[XA:.*]], %[[YA:.*]], %{{.*}}, %c8_i64, %c8_i64, %c4_i64, %c2_i64, %c2_i64, %c2_i64, %c2_i64, %c0_i64, %c0_i64, %c0_i64, %c0_i64, %c4_i64, %c4_i64)
// CHECK-NOT: materialize_in_destination
// CHECK: call @netc_pool_fwd(%c1_i64, %{{.*}}, %{{.*}}, %c4_i64, %c4_i64, %c4_i64, %c3_i64, %c3_i64, %c1_i64, %c1_i64, %c1_i64, %c1_i64, %c1_i64, %c1_i64, %c4_i64, %c4_i64)
// CHECK: call @netc_pool_bwd(%c0_i64, %[[XA]], %{{.*}}, %{{.*}}, %{{.*}}, %c8_i64, %c8_i64, %c4_i64, %c2_i64, %c2_i64, %c2_i64, %c2_i64, %c0_i64, %c0_i64, %c0_i64, %c0_i64, %c4_i64, %c4_i64)
func.func @pools(%x: tensor<?x8x8x4xf32>, %dy: tensor<?x4x4x4xf32>, %ws: memref<?xf32> {net.workspace}, %cap: index {net.capacity}) -> (tensor<?x4x4x4xf32>, tensor<?x8x8x4xf32>) {
  %y = net.pool max %x {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x8x8x4xf32>) -> tensor<?x4x4x4xf32>
  %z = net.pool avg %y {window = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
  %dx = net.pool_grad max %x, %dy {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x8x8x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x8x8x4xf32>
  return %z, %dx : tensor<?x4x4x4xf32>, tensor<?x8x8x4xf32>
}

// -----

func.func @no_workspace(%x: tensor<?x8xf32>, %w: tensor<8x4xf32>) -> tensor<?x4xf32> {
  // expected-error @below {{needs a workspace}}
  %y = net.matmul %x, %w : (tensor<?x8xf32>, tensor<8x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
