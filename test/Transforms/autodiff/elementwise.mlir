// Tests the gradient rules of the activations, add and dropout
// (compiler/lib/Transforms/Autodiff/ElementwiseRules.cpp).
// RUN: netc-opt %s --netc-autodiff -split-input-file | FileCheck %s

// Tests that each activation's rule is activation_grad of dy and the
// activation's output, with the op's name as the kind, walked backwards.
// CHECK-LABEL: func.func @activations_train_step(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x3xf32>, %[[Y:[a-z0-9]+]]: tensor<?x1xf32>, %[[B:[a-z0-9]+]]: tensor<3xf32>
// CHECK: %[[Z:.*]] = net.bias_add %[[X]], %[[B]]
// CHECK: %[[R:.*]] = net.relu %[[Z]]
// CHECK: %[[S:.*]] = net.sigmoid %[[R]]
// CHECK: %[[T:.*]] = net.tanh %[[S]]
// CHECK: %[[P:.*]] = net.softmax %[[T]]
// CHECK: %[[DP:.*]] = net.prob_cross_entropy_grad %[[P]], %[[Y]]
// CHECK: %[[DT:.*]] = net.activation_grad softmax %[[DP]], %[[P]] : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
// CHECK: %[[DS:.*]] = net.activation_grad tanh %[[DT]], %[[T]]
// CHECK: %[[DR:.*]] = net.activation_grad sigmoid %[[DS]], %[[S]]
// CHECK: %[[DZ:.*]] = net.activation_grad relu %[[DR]], %[[R]]
// CHECK: %[[DB:.*]] = net.bias_add_grad %[[DZ]]
// CHECK: net.optimizer_update {{[a-z]+}} %[[B]], %[[DB]]
func.func @activations(%x: tensor<?x3xf32>, %y: tensor<?x1xf32>,
                       %b: tensor<3xf32>, %seed: f32)
    -> (tensor<f32>, tensor<f32>, tensor<?x3xf32>)
    attributes {net.loss_function, net.optimizer = "sgd",
                net.optimizer_config = {learning_rate = 1.0e-01 : f64},
                net.slot_init = array<f64>, net.updated_params = array<i64>} {
  %z = net.bias_add %x, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %r = net.relu %z : tensor<?x3xf32>
  %s = net.sigmoid %r : tensor<?x3xf32>
  %t = net.tanh %s : tensor<?x3xf32>
  %p = net.softmax %t : tensor<?x3xf32>
  %l = net.prob_cross_entropy %p, %y : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<f32>
  %m = net.accuracy_count %p, %y : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<f32>
  %sum = net.scalar_add %l : (tensor<f32>) -> tensor<f32>
  return %sum, %m, %p : tensor<f32>, tensor<f32>, tensor<?x3xf32>
}

// -----

// Tests that add passes dy to both operands, that the adjoints of a value
// used twice (a residual connection) are summed with net.add, and that
// dropout's rule is the same dropout (seed, rate, salt, training) on dy.
// CHECK-LABEL: func.func @residual_train_step(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x3xf32>, %[[Y:[a-z0-9]+]]: tensor<?x3xf32>, %[[B:[a-z0-9]+]]: tensor<3xf32>
// CHECK-SAME: %[[SEED:[a-z0-9]+]]: f32) ->
// CHECK: %[[Z:.*]] = net.bias_add %[[X]], %[[B]]
// CHECK: %[[D:.*]] = net.dropout %[[Z]], %[[SEED]] {rate = 5.000000e-01 : f64, salt = 7 : i64, training} : tensor<?x3xf32>
// CHECK: %[[R:.*]] = net.relu %[[D]]
// CHECK: %[[A:.*]] = net.add %[[R]], %[[Z]]
// CHECK: %[[DA:.*]] = net.mse_grad %[[A]], %[[Y]]
// CHECK: %[[DD:.*]] = net.activation_grad relu %[[DA]], %[[R]]
// CHECK: %[[DZ1:.*]] = net.dropout %[[DD]], %[[SEED]] {rate = 5.000000e-01 : f64, salt = 7 : i64, training} : tensor<?x3xf32>
// CHECK: %[[DZ:.*]] = net.add %[[DA]], %[[DZ1]] : tensor<?x3xf32>
// CHECK: %[[DB:.*]] = net.bias_add_grad %[[DZ]]
// CHECK: net.optimizer_update {{[a-z]+}} %[[B]], %[[DB]]
func.func @residual(%x: tensor<?x3xf32>, %y: tensor<?x3xf32>,
                    %b: tensor<3xf32>, %seed: f32)
    -> (tensor<f32>, tensor<f32>, tensor<?x3xf32>)
    attributes {net.loss_function, net.optimizer = "sgd",
                net.optimizer_config = {learning_rate = 1.0e-01 : f64},
                net.slot_init = array<f64>, net.updated_params = array<i64>} {
  %z = net.bias_add %x, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %d = net.dropout %z, %seed {rate = 5.0e-01 : f64, salt = 7 : i64, training} : tensor<?x3xf32>
  %r = net.relu %d : tensor<?x3xf32>
  %a = net.add %r, %z : tensor<?x3xf32>
  %l = net.mse %a, %y : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  %m = net.squared_error_sum %a, %y : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  %sum = net.scalar_add %l : (tensor<f32>) -> tensor<f32>
  return %sum, %m, %a : tensor<f32>, tensor<f32>, tensor<?x3xf32>
}
