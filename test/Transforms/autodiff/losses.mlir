// Tests the gradient rules of the loss terms (LossTermOpInterface,
// compiler/lib/Transforms/Autodiff/LossRules.cpp).
// RUN: netc-opt %s --netc-autodiff -split-input-file | FileCheck %s

// Tests that softmax_cross_entropy seeds its logits' adjoint with its
// gradient op (label smoothing kept), and that a regularizer is folded into
// the complete adjoint of the value it regularizes: of an activation when the
// sweep reaches it, of a weight before its update, and, for a weight that
// reaches the loss only through its regularizer, on a zero adjoint. The
// metric (accuracy_count) needs no rule.
// CHECK-LABEL: func.func @ce_train_step(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x4xf32>, %[[Y:[a-z0-9]+]]: tensor<?x1xf32>, %[[W:[a-z0-9]+]]: tensor<4x3xf32>, %[[B:[a-z0-9]+]]: tensor<3xf32>, %[[V:[a-z0-9]+]]: tensor<2x2xf32>
// CHECK: %[[Z:.*]] = net.bias_add
// CHECK: %[[DZ0:.*]] = net.softmax_cross_entropy_grad %[[Z]], %[[Y]] {label_smoothing = 1.000000e-01 : f64} : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<?x3xf32>
// CHECK: %[[DZ:.*]] = net.regularizer_grad %[[DZ0]], %[[Z]] {l1 = 0.000000e+00 : f64, l2 = 2.500000e-01 : f64}
// CHECK: %[[DB:.*]] = net.bias_add_grad %[[DZ]]
// CHECK: %[[DW0:.*]] = net.matmul %[[X]], %[[DZ]] {transpose_lhs = true}
// CHECK: %[[DW:.*]] = net.regularizer_grad %[[DW0]], %[[W]] {l1 = 1.250000e-01 : f64, l2 = 0.000000e+00 : f64}
// CHECK: net.optimizer_update {{[a-z]+}} %[[W]], %[[DW]]
// CHECK: net.optimizer_update {{[a-z]+}} %[[B]], %[[DB]]
// CHECK: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : tensor<2x2xf32>
// CHECK: %[[DV:.*]] = net.regularizer_grad %[[ZERO]], %[[V]] {l1 = 0.000000e+00 : f64, l2 = 5.000000e-01 : f64}
// CHECK: net.optimizer_update {{[a-z]+}} %[[V]], %[[DV]]
func.func @ce(%x: tensor<?x4xf32>, %y: tensor<?x1xf32>, %w: tensor<4x3xf32>,
              %b: tensor<3xf32>, %v: tensor<2x2xf32>, %seed: f32)
    -> (tensor<f32>, tensor<f32>, tensor<?x3xf32>)
    attributes {net.loss_function, net.optimizer = "sgd",
                net.optimizer_config = {learning_rate = 1.0e-01 : f64},
                net.slot_init = array<f64>, net.updated_params = array<i64>} {
  %h = net.matmul %x, %w : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %z = net.bias_add %h, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %ce = net.softmax_cross_entropy %z, %y {label_smoothing = 1.0e-01 : f64} : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<f32>
  %acc = net.accuracy_count %z, %y : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<f32>
  %rz = net.regularizer %z {l1 = 0.0 : f64, l2 = 2.5e-01 : f64} : (tensor<?x3xf32>) -> tensor<f32>
  %rw = net.regularizer %w {l1 = 1.25e-01 : f64, l2 = 0.0 : f64} : (tensor<4x3xf32>) -> tensor<f32>
  %rv = net.regularizer %v {l1 = 0.0 : f64, l2 = 5.0e-01 : f64} : (tensor<2x2xf32>) -> tensor<f32>
  %s = net.scalar_add %ce, %rz, %rw, %rv : (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<f32>
  return %s, %acc, %z : tensor<f32>, tensor<f32>, tensor<?x3xf32>
}

// -----

// Tests the rules of sigmoid_cross_entropy, mae and mse, and that the
// adjoints the terms of one loss give the same prediction are summed in the
// order of the terms.
// CHECK-LABEL: func.func @terms_train_step(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x2xf32>, %[[Y:[a-z0-9]+]]: tensor<?x2xf32>, %[[B:[a-z0-9]+]]: tensor<2xf32>
// CHECK: %[[Z:.*]] = net.bias_add %[[X]], %[[B]]
// CHECK: %[[G1:.*]] = net.sigmoid_cross_entropy_grad %[[Z]], %[[Y]] {label_smoothing = 2.000000e-01 : f64}
// CHECK: %[[G2:.*]] = net.mae_grad %[[Z]], %[[Y]] : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
// CHECK: %[[S12:.*]] = net.add %[[G1]], %[[G2]]
// CHECK: %[[G3:.*]] = net.mse_grad %[[Z]], %[[Y]]
// CHECK: %[[DZ:.*]] = net.add %[[S12]], %[[G3]]
// CHECK: %[[DB:.*]] = net.bias_add_grad %[[DZ]]
// CHECK: net.optimizer_update {{[a-z]+}} %[[B]], %[[DB]]
func.func @terms(%x: tensor<?x2xf32>, %y: tensor<?x2xf32>, %b: tensor<2xf32>,
                 %seed: f32)
    -> (tensor<f32>, tensor<f32>, tensor<?x2xf32>)
    attributes {net.loss_function, net.optimizer = "sgd",
                net.optimizer_config = {learning_rate = 1.0e-01 : f64},
                net.slot_init = array<f64>, net.updated_params = array<i64>} {
  %z = net.bias_add %x, %b : (tensor<?x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %l1 = net.sigmoid_cross_entropy %z, %y {label_smoothing = 2.0e-01 : f64} : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<f32>
  %l2 = net.mae %z, %y : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<f32>
  %l3 = net.mse %z, %y : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<f32>
  %m = net.binary_accuracy_count %z, %y : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<f32>
  %s = net.scalar_add %l1, %l2, %l3 : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<f32>
  return %s, %m, %z : tensor<f32>, tensor<f32>, tensor<?x2xf32>
}

// -----

// Tests that the gradient of a batch-mean (activity) regularizer keeps
// batch_mean, so that it too is divided by the batch size.
// CHECK-LABEL: func.func @activity_train_step(
// CHECK: %[[Z:.*]] = net.bias_add
// CHECK: %[[DZ0:.*]] = net.mse_grad %[[Z]]
// CHECK: %[[DZ:.*]] = net.regularizer_grad %[[DZ0]], %[[Z]] {batch_mean, l1 = 1.250000e-01 : f64, l2 = 2.500000e-01 : f64}
// CHECK: net.bias_add_grad %[[DZ]]
func.func @activity(%x: tensor<?x2xf32>, %y: tensor<?x2xf32>, %b: tensor<2xf32>,
                    %seed: f32)
    -> (tensor<f32>, tensor<f32>, tensor<?x2xf32>)
    attributes {net.loss_function, net.optimizer = "sgd",
                net.optimizer_config = {learning_rate = 1.0e-01 : f64},
                net.slot_init = array<f64>, net.updated_params = array<i64>} {
  %z = net.bias_add %x, %b : (tensor<?x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %l = net.mse %z, %y : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<f32>
  %r = net.regularizer %z {batch_mean, l1 = 1.25e-01 : f64, l2 = 2.5e-01 : f64} : (tensor<?x2xf32>) -> tensor<f32>
  %m = net.squared_error_sum %z, %y : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<f32>
  %s = net.scalar_add %l, %r : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %s, %m, %z : tensor<f32>, tensor<f32>, tensor<?x2xf32>
}
