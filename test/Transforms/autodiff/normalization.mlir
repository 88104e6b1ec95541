// Tests the gradient rule of batchnorm
// (compiler/lib/Transforms/Autodiff/NormalizationRules.cpp) and the train
// step of a network with moving statistics.
// RUN: netc-opt %s --netc-autodiff | FileCheck %s

// Tests that a training batchnorm's rule is one batchnorm_grad whose three
// results are the adjoints of x, gamma and beta; that a bias whose sum feeds
// only training batchnorms gets no bias_add_grad (its gradient is exactly
// zero, updated with a zero constant); that moving_moments (two results, not
// on the path to the loss) needs no rule; and that the moving statistics are
// returned last, after the updated trainable params (net.updated_params).
// CHECK-LABEL: func.func @bn_train_step(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x4xf32>, %[[Y:[a-z0-9]+]]: tensor<?x3xf32>, %[[W:[a-z0-9]+]]: tensor<4x3xf32>
// CHECK-SAME: %[[B:[a-z0-9]+]]: tensor<3xf32>, %[[G:[a-z0-9]+]]: tensor<3xf32>, %[[BETA:[a-z0-9]+]]: tensor<3xf32>
// CHECK-SAME: %[[MM:[a-z0-9]+]]: tensor<3xf32> {net.trainable = false}, %[[MV:[a-z0-9]+]]: tensor<3xf32> {net.trainable = false}
// CHECK-SAME: %{{[a-z0-9]+}}: f32, %{{[a-z0-9]+}}: f32, %{{[a-z0-9]+}}: f32)
// CHECK-SAME: net.trainable_params = array<i64: 0, 1, 2, 3>, net.updated_params = array<i64: 4, 5>
// CHECK: %[[H:.*]] = net.matmul %[[X]], %[[W]]
// CHECK: %[[Z:.*]] = net.bias_add %[[H]], %[[B]]
// CHECK: %[[N:.*]] = net.batchnorm %[[Z]], %[[G]], %[[BETA]], %[[MM]], %[[MV]] {epsilon = 1.000000e-03 : f64, training}
// CHECK: %[[NEWMEAN:[a-z_0-9]+]], %[[NEWVAR:[a-z_0-9]+]] = net.moving_moments %[[Z]], %[[MM]], %[[MV]]
// CHECK: %[[DN:.*]] = net.mse_grad %[[N]], %[[Y]]
// CHECK: %[[DZ:[a-z_0-9]+]], %[[DG:[a-z_0-9]+]], %[[DBETA:[a-z_0-9]+]] = net.batchnorm_grad %[[DN]], %[[Z]], %[[G]] {epsilon = 1.000000e-03 : f64} : (tensor<?x3xf32>, tensor<?x3xf32>, tensor<3xf32>) -> (tensor<?x3xf32>, tensor<3xf32>, tensor<3xf32>)
// CHECK-NOT: net.bias_add_grad
// CHECK: %[[DW:.*]] = net.matmul %[[X]], %[[DZ]] {transpose_lhs = true}
// CHECK: %[[UW:.*]] = net.optimizer_update {{[a-z]+}} %[[W]], %[[DW]]
// CHECK: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : tensor<3xf32>
// CHECK: %[[UB:.*]] = net.optimizer_update {{[a-z]+}} %[[B]], %[[ZERO]]
// CHECK: %[[UG:.*]] = net.optimizer_update {{[a-z]+}} %[[G]], %[[DG]]
// CHECK: %[[UBETA:.*]] = net.optimizer_update {{[a-z]+}} %[[BETA]], %[[DBETA]]
// CHECK: return %{{.*}}, %{{.*}}, %[[UW]], %[[UB]], %[[UG]], %[[UBETA]], %[[NEWMEAN]], %[[NEWVAR]] :
func.func @bn(%x: tensor<?x4xf32>, %y: tensor<?x3xf32>, %w: tensor<4x3xf32>,
              %b: tensor<3xf32>, %gamma: tensor<3xf32>, %beta: tensor<3xf32>,
              %mm: tensor<3xf32> {net.trainable = false},
              %mv: tensor<3xf32> {net.trainable = false}, %seed: f32)
    -> (tensor<f32>, tensor<f32>, tensor<?x3xf32>, tensor<3xf32>, tensor<3xf32>)
    attributes {net.loss_function, net.optimizer = "sgd",
                net.optimizer_config = {learning_rate = 1.0e-01 : f64},
                net.slot_init = array<f64>,
                net.updated_params = array<i64: 4, 5>} {
  %h = net.matmul %x, %w : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %z = net.bias_add %h, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %n = net.batchnorm %z, %gamma, %beta, %mm, %mv {epsilon = 1.0e-03 : f64, training} : (tensor<?x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %mom:2 = net.moving_moments %z, %mm, %mv {momentum = 9.9e-01 : f64} : (tensor<?x3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  %l = net.mse %n, %y : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  %m = net.squared_error_sum %n, %y : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  %s = net.scalar_add %l : (tensor<f32>) -> tensor<f32>
  return %s, %m, %n, %mom#0, %mom#1 : tensor<f32>, tensor<f32>, tensor<?x3xf32>, tensor<3xf32>, tensor<3xf32>
}
