// Tests the gradient rules of the shape layers: reshape, zeropad, concat
// (compiler/lib/Transforms/Autodiff/ShapeRules.cpp).
// RUN: netc-opt %s --netc-autodiff | FileCheck %s

// Tests that reshape's rule reshapes dy back to the input's type, zeropad's
// crops the padded border (the same pads), and concat's slices dy at each
// varying input's offset along the axis (the input that does not vary, the
// batch itself, gets no slice).
// CHECK-LABEL: func.func @shapes_train_step(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x2x2x1xf32>, %[[Y:[a-z0-9]+]]: tensor<?x36xf32>, %[[W:[a-z0-9]+]]: tensor<1x1x1x3xf32>
// CHECK: %[[C:.*]] = net.conv2d %[[X]], %[[W]]
// CHECK: %[[P:.*]] = net.zeropad %[[C]] {pads = array<i64: 0, 1, 1, 0>}
// CHECK: %[[PX:.*]] = net.zeropad %[[X]]
// CHECK: %[[CAT:.*]] = net.concat %[[PX]], %[[P]] {axis = 3 : i64}
// CHECK: %[[R:.*]] = net.reshape %[[CAT]]
// CHECK: %[[DR:.*]] = net.mse_grad %[[R]], %[[Y]]
// CHECK: %[[DCAT:.*]] = net.reshape %[[DR]] : (tensor<?x36xf32>) -> tensor<?x3x3x4xf32>
// CHECK-NOT: offset = 0
// CHECK: %[[DP:.*]] = net.slice %[[DCAT]] {axis = 3 : i64, offset = 1 : i64} : (tensor<?x3x3x4xf32>) -> tensor<?x3x3x3xf32>
// CHECK: %[[DC:.*]] = net.crop %[[DP]] {pads = array<i64: 0, 1, 1, 0>} : (tensor<?x3x3x3xf32>) -> tensor<?x2x2x3xf32>
// CHECK: %[[DW:.*]] = net.conv2d_grad_filter %[[X]], %[[DC]]
// CHECK: net.optimizer_update {{[a-z]+}} %[[W]], %[[DW]]
func.func @shapes(%x: tensor<?x2x2x1xf32>, %y: tensor<?x36xf32>,
                  %w: tensor<1x1x1x3xf32>, %seed: f32)
    -> (tensor<f32>, tensor<f32>, tensor<?x36xf32>)
    attributes {net.loss_function, net.optimizer = "sgd",
                net.optimizer_config = {learning_rate = 1.0e-01 : f64},
                net.slot_init = array<f64>, net.updated_params = array<i64>} {
  %c = net.conv2d %x, %w {pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x2x2x1xf32>, tensor<1x1x1x3xf32>) -> tensor<?x2x2x3xf32>
  %p = net.zeropad %c {pads = array<i64: 0, 1, 1, 0>} : (tensor<?x2x2x3xf32>) -> tensor<?x3x3x3xf32>
  %px = net.zeropad %x {pads = array<i64: 0, 1, 1, 0>} : (tensor<?x2x2x1xf32>) -> tensor<?x3x3x1xf32>
  %cat = net.concat %px, %p {axis = 3 : i64} : (tensor<?x3x3x1xf32>, tensor<?x3x3x3xf32>) -> tensor<?x3x3x4xf32>
  %r = net.reshape %cat : (tensor<?x3x3x4xf32>) -> tensor<?x36xf32>
  %l = net.mse %r, %y : (tensor<?x36xf32>, tensor<?x36xf32>) -> tensor<f32>
  %m = net.squared_error_sum %r, %y : (tensor<?x36xf32>, tensor<?x36xf32>) -> tensor<f32>
  %s = net.scalar_add %l : (tensor<f32>) -> tensor<f32>
  return %s, %m, %r : tensor<f32>, tensor<f32>, tensor<?x36xf32>
}
