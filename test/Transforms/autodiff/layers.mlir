// Tests the gradient rules of the layers that become kernel calls (conv2d,
// matmul, bias_add, pool; compiler/lib/Transforms/Autodiff/LayerRules.cpp).
// RUN: netc-opt %s --netc-autodiff -split-input-file | FileCheck %s

// Tests that conv2d's rule emits conv2d_grad_filter for the kernel and, where
// its input varies (the second convolution), conv2d_grad_input; the first
// convolution, on the input batch, gets none. Pooling's rule is pool_grad of
// the forward input with the forward attributes.
// CHECK-LABEL: func.func @conv_train_step(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x6x6x1xf32>, %[[Y:[a-z0-9]+]]: tensor<?x4xf32>, %[[W0:[a-z0-9]+]]: tensor<3x3x1x2xf32>, %[[W1:[a-z0-9]+]]: tensor<3x3x2x1xf32>
// CHECK: %[[C0:.*]] = net.conv2d %[[X]], %[[W0]]
// CHECK: %[[P:.*]] = net.pool max %[[C0]]
// CHECK: %[[C1:.*]] = net.conv2d %[[P]], %[[W1]]
// CHECK: %[[R:.*]] = net.reshape %[[C1]]
// CHECK: %[[DR:.*]] = net.mse_grad %[[R]], %[[Y]]
// CHECK: %[[DC1:.*]] = net.reshape %[[DR]] : (tensor<?x4xf32>) -> tensor<?x2x2x1xf32>
// CHECK: %[[DP:.*]] = net.conv2d_grad_input %[[DC1]], %[[W1]], %[[P]] {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x2x2x1xf32>, tensor<3x3x2x1xf32>, tensor<?x4x4x2xf32>) -> tensor<?x4x4x2xf32>
// CHECK: %[[DW1:.*]] = net.conv2d_grad_filter %[[P]], %[[DC1]] {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x4x4x2xf32>, tensor<?x2x2x1xf32>) -> tensor<3x3x2x1xf32>
// CHECK: %[[DC0:.*]] = net.pool_grad max %[[C0]], %[[DP]] {pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, window = array<i64: 1, 1>}
// CHECK-NOT: net.conv2d_grad_input
// CHECK: %[[DW0:.*]] = net.conv2d_grad_filter %[[X]], %[[DC0]]
// CHECK: net.optimizer_update {{[a-z]+}} %[[W0]], %[[DW0]]
// CHECK: net.optimizer_update {{[a-z]+}} %[[W1]], %[[DW1]]
func.func @conv(%x: tensor<?x6x6x1xf32>, %y: tensor<?x4xf32>,
                %w0: tensor<3x3x1x2xf32>, %w1: tensor<3x3x2x1xf32>, %seed: f32)
    -> (tensor<f32>, tensor<f32>, tensor<?x4xf32>)
    attributes {net.loss_function, net.optimizer = "sgd",
                net.optimizer_config = {learning_rate = 1.0e-01 : f64},
                net.slot_init = array<f64>, net.updated_params = array<i64>} {
  %c0 = net.conv2d %x, %w0 {pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x6x6x1xf32>, tensor<3x3x1x2xf32>) -> tensor<?x4x4x2xf32>
  %p = net.pool max %c0 {pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, window = array<i64: 1, 1>} : (tensor<?x4x4x2xf32>) -> tensor<?x4x4x2xf32>
  %c1 = net.conv2d %p, %w1 {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x4x4x2xf32>, tensor<3x3x2x1xf32>) -> tensor<?x2x2x1xf32>
  %r = net.reshape %c1 : (tensor<?x2x2x1xf32>) -> tensor<?x4xf32>
  %l = net.mse %r, %y : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<f32>
  %m = net.squared_error_sum %r, %y : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<f32>
  %s = net.scalar_add %l : (tensor<f32>) -> tensor<f32>
  return %s, %m, %r : tensor<f32>, tensor<f32>, tensor<?x4xf32>
}

// -----

// Tests that matmul's rule is two matmuls with a transposed operand
// (da = dy b^T, db = a^T dy), that bias_add passes dy through and sums it
// into bias_add_grad, and that a frozen weight (net.trainable = false) gets
// no adjoint while the input of the layer still does.
// CHECK-LABEL: func.func @dense_train_step(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x4xf32>, %[[Y:[a-z0-9]+]]: tensor<?x1xf32>, %[[W0:[a-z0-9]+]]: tensor<4x3xf32> {net.trainable = true}, %[[B0:[a-z0-9]+]]: tensor<3xf32> {net.trainable = true}, %[[W1:[a-z0-9]+]]: tensor<3x1xf32> {net.trainable = false}
// CHECK: %[[H:.*]] = net.matmul %[[X]], %[[W0]]
// CHECK: %[[Z:.*]] = net.bias_add %[[H]], %[[B0]]
// CHECK: %[[O:.*]] = net.matmul %[[Z]], %[[W1]]
// CHECK: %[[DO:.*]] = net.mse_grad %[[O]], %[[Y]]
// CHECK: %[[DZ:.*]] = net.matmul %[[DO]], %[[W1]] {transpose_rhs = true} : (tensor<?x1xf32>, tensor<3x1xf32>) -> tensor<?x3xf32>
// CHECK-NOT: transpose_lhs = true} : (tensor<?x3xf32>, tensor<?x1xf32>)
// CHECK: %[[DB0:.*]] = net.bias_add_grad %[[DZ]] : (tensor<?x3xf32>) -> tensor<3xf32>
// CHECK: %[[DW0:.*]] = net.matmul %[[X]], %[[DZ]] {transpose_lhs = true} : (tensor<?x4xf32>, tensor<?x3xf32>) -> tensor<4x3xf32>
// CHECK: %[[U0:.*]] = net.optimizer_update {{[a-z]+}} %[[W0]], %[[DW0]]
// CHECK: %[[U1:.*]] = net.optimizer_update {{[a-z]+}} %[[B0]], %[[DB0]]
// CHECK-NOT: net.optimizer_update
// CHECK: return %{{.*}}, %{{.*}}, %[[U0]], %[[U1]] :
func.func @dense(%x: tensor<?x4xf32>, %y: tensor<?x1xf32>,
                 %w0: tensor<4x3xf32> {net.trainable = true},
                 %b0: tensor<3xf32> {net.trainable = true},
                 %w1: tensor<3x1xf32> {net.trainable = false}, %seed: f32)
    -> (tensor<f32>, tensor<f32>, tensor<?x1xf32>)
    attributes {net.loss_function, net.optimizer = "sgd",
                net.optimizer_config = {learning_rate = 1.0e-01 : f64},
                net.slot_init = array<f64>, net.updated_params = array<i64>} {
  %h = net.matmul %x, %w0 : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %z = net.bias_add %h, %b0 : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %o = net.matmul %z, %w1 : (tensor<?x3xf32>, tensor<3x1xf32>) -> tensor<?x1xf32>
  %l = net.mse %o, %y : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
  %m = net.squared_error_sum %o, %y : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
  %s = net.scalar_add %l : (tensor<f32>) -> tensor<f32>
  return %s, %m, %o : tensor<f32>, tensor<f32>, tensor<?x1xf32>
}
