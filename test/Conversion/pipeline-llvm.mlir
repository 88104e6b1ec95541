// Tests that a train entry point (conv, pool, dense, loss, gradients, update)
// goes all the way to the LLVM dialect: the runtime kernels are external
// llvm.func with i64 arguments, llvm.emit_c_interface yields
// _mlir_ciface_k0_train, net.ws_per_sample survives (ws_fixed counts the
// weight gradients and the bias gradient copied for netc_grad_allreduce, see
// data-parallel-gradients.mlir), no memref.copy runtime helper is called,
// and the result translates to LLVM IR and compiles.
// RUN: netc-opt %s --netc-to-llvm | FileCheck %s
// RUN: netc-opt %s --netc-to-llvm | %mlir_translate --mlir-to-llvmir | %llc -O2 -filetype=null

// CHECK-NOT: memrefCopy
// CHECK-DAG: llvm.func @netc_conv2d_fwd(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)
// CHECK-DAG: llvm.func @netc_matmul(i64, i64, i64, i64, i64, i64, i64, i64)
// CHECK-DAG: llvm.func @netc_pool_bwd(
// CHECK-LABEL: llvm.func @k0_train(
// CHECK-SAME: net.ws_fixed = 10200 : i64, net.ws_per_sample = 20300 : i64
// CHECK: llvm.call @netc_conv2d_fwd(
// CHECK: llvm.call @netc_pool_fwd(
// CHECK: llvm.call @netc_matmul(
// CHECK: llvm.call @netc_pool_bwd(
// CHECK: llvm.call @netc_conv2d_bwd_weights(
// CHECK: llvm.call @netc_grad_allreduce(
// CHECK-NOT: net.
// CHECK: llvm.func @_mlir_ciface_k0_train(
func.func @k0_train(%params: memref<?xf32>, %x: memref<?xf32>, %y: memref<?xf32>, %n: index,
                    %ws: memref<?xf32> {net.workspace}, %cap: index {net.capacity},
                    %hyper: memref<?xf32>, %metrics: memref<?xf32>) attributes {llvm.emit_c_interface, net.entry = "train"} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %x4 = memref.reinterpret_cast %x to offset: [0], sizes: [%n, 28, 28, 1], strides: [784, 28, 1, 1] : memref<?xf32> to memref<?x28x28x1xf32>
  %xt = bufferization.to_tensor %x4 restrict : memref<?x28x28x1xf32>
  %w0m = memref.reinterpret_cast %params to offset: [0], sizes: [3, 3, 1, 6], strides: [18, 6, 6, 1] : memref<?xf32> to memref<3x3x1x6xf32, strided<[18, 6, 6, 1]>>
  %w0 = bufferization.to_tensor %w0m restrict : memref<3x3x1x6xf32, strided<[18, 6, 6, 1]>>
  %b0m = memref.reinterpret_cast %params to offset: [54], sizes: [6], strides: [1] : memref<?xf32> to memref<6xf32, strided<[1], offset: 54>>
  %b0 = bufferization.to_tensor %b0m restrict : memref<6xf32, strided<[1], offset: 54>>
  %w1m = memref.reinterpret_cast %params to offset: [60], sizes: [1014, 10], strides: [10, 1] : memref<?xf32> to memref<1014x10xf32, strided<[10, 1], offset: 60>>
  %w1 = bufferization.to_tensor %w1m restrict : memref<1014x10xf32, strided<[10, 1], offset: 60>>
  %y2 = memref.reinterpret_cast %y to offset: [0], sizes: [%n, 1], strides: [1, 1] : memref<?xf32> to memref<?x1xf32>
  %yt = bufferization.to_tensor %y2 restrict : memref<?x1xf32>
  %c = net.conv2d %xt, %w0 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x28x28x1xf32>, tensor<3x3x1x6xf32>) -> tensor<?x26x26x6xf32>
  %cb = net.bias_add %c, %b0 : (tensor<?x26x26x6xf32>, tensor<6xf32>) -> tensor<?x26x26x6xf32>
  %r = net.relu %cb : tensor<?x26x26x6xf32>
  %p = net.pool max %r {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x26x26x6xf32>) -> tensor<?x13x13x6xf32>
  %f = net.reshape %p : (tensor<?x13x13x6xf32>) -> tensor<?x1014xf32>
  %logits = net.matmul %f, %w1 : (tensor<?x1014xf32>, tensor<1014x10xf32>) -> tensor<?x10xf32>
  %loss = net.softmax_cross_entropy %logits, %yt : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<f32>
  %dl = net.softmax_cross_entropy_grad %logits, %yt : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<?x10xf32>
  %dw1 = net.matmul %f, %dl {transpose_lhs = true} : (tensor<?x1014xf32>, tensor<?x10xf32>) -> tensor<1014x10xf32>
  %df = net.matmul %dl, %w1 {transpose_rhs = true} : (tensor<?x10xf32>, tensor<1014x10xf32>) -> tensor<?x1014xf32>
  %dp = net.reshape %df : (tensor<?x1014xf32>) -> tensor<?x13x13x6xf32>
  %dr = net.pool_grad max %r, %dp {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x26x26x6xf32>, tensor<?x13x13x6xf32>) -> tensor<?x26x26x6xf32>
  %dc = net.activation_grad relu %dr, %r : (tensor<?x26x26x6xf32>, tensor<?x26x26x6xf32>) -> tensor<?x26x26x6xf32>
  %db0 = net.bias_add_grad %dc : (tensor<?x26x26x6xf32>) -> tensor<6xf32>
  %dw0 = net.conv2d_grad_filter %xt, %dc {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x28x28x1xf32>, tensor<?x26x26x6xf32>) -> tensor<3x3x1x6xf32>
  %lr = memref.load %hyper[%c0] : memref<?xf32>
  %it = memref.load %hyper[%c1] : memref<?xf32>
  %nw0 = net.optimizer_update sgd %w0, %dw0, %lr, %it {config = {momentum = 0.0 : f64}} : (tensor<3x3x1x6xf32>, tensor<3x3x1x6xf32>, f32, f32) -> tensor<3x3x1x6xf32>
  %nb0 = net.optimizer_update sgd %b0, %db0, %lr, %it {config = {momentum = 0.0 : f64}} : (tensor<6xf32>, tensor<6xf32>, f32, f32) -> tensor<6xf32>
  %nw1 = net.optimizer_update sgd %w1, %dw1, %lr, %it {config = {momentum = 0.0 : f64}} : (tensor<1014x10xf32>, tensor<1014x10xf32>, f32, f32) -> tensor<1014x10xf32>
  bufferization.materialize_in_destination %nw0 in restrict writable %w0m : (tensor<3x3x1x6xf32>, memref<3x3x1x6xf32, strided<[18, 6, 6, 1]>>) -> ()
  bufferization.materialize_in_destination %nb0 in restrict writable %b0m : (tensor<6xf32>, memref<6xf32, strided<[1], offset: 54>>) -> ()
  bufferization.materialize_in_destination %nw1 in restrict writable %w1m : (tensor<1014x10xf32>, memref<1014x10xf32, strided<[10, 1], offset: 60>>) -> ()
  %ls = tensor.extract %loss[] : tensor<f32>
  memref.store %ls, %metrics[%c0] : memref<?xf32>
  return
}
