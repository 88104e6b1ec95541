// Tests the test hook NETC_TEST_PERTURB_GRAD with the rules as external
// models: the named op's rule is made 1% wrong, with one warning at the op,
// by scaling every adjoint it adds (net.scale) or, for the regularizer, its
// coefficients; the other rules are untouched.
// RUN: env NETC_TEST_PERTURB_GRAD=matmul netc-opt %s --netc-autodiff 2>&1 | FileCheck %s --check-prefix=MATMUL
// RUN: env NETC_TEST_PERTURB_GRAD=regularizer netc-opt %s --netc-autodiff 2>&1 | FileCheck %s --check-prefix=REG
// RUN: netc-opt %s --netc-autodiff 2>&1 | FileCheck %s --check-prefix=NONE

// MATMUL: perturb.mlir:[[@LINE+20]]:8: warning: NETC_TEST_PERTURB_GRAD: the gradient rule of 'matmul' is made 1% wrong (its adjoints are multiplied by 1.01)
// MATMUL-NOT: warning
// MATMUL: %[[DW:.*]] = net.matmul %{{.*}}, %{{.*}} {transpose_lhs = true}
// MATMUL: %[[SW:.*]] = net.scale %[[DW]] {factor = 1.010000e+00 : f64}
// MATMUL-NOT: net.scale
// MATMUL: net.regularizer_grad %[[SW]], %{{.*}} {l1 = 0.000000e+00 : f64, l2 = 5.000000e-01 : f64}

// REG: perturb.mlir:[[@LINE+15]]:8: warning: NETC_TEST_PERTURB_GRAD: the gradient rule of 'regularizer' is made 1% wrong
// REG-NOT: net.scale
// REG: net.regularizer_grad %{{.*}}, %{{.*}} {l1 = 0.000000e+00 : f64, l2 = 5.050000e-01 : f64}

// NONE-NOT: warning
// NONE-NOT: net.scale
// NONE: net.regularizer_grad %{{.*}}, %{{.*}} {l1 = 0.000000e+00 : f64, l2 = 5.000000e-01 : f64}
func.func @k(%x: tensor<?x4xf32>, %y: tensor<?x3xf32>, %w: tensor<4x3xf32>,
             %seed: f32)
    -> (tensor<f32>, tensor<f32>, tensor<?x3xf32>)
    attributes {net.loss_function, net.optimizer = "sgd",
                net.optimizer_config = {learning_rate = 1.0e-01 : f64},
                net.slot_init = array<f64>, net.updated_params = array<i64>} {
  %h = net.matmul %x, %w : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %l = net.mse %h, %y : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  %r = net.regularizer %w {l1 = 0.0 : f64, l2 = 5.0e-01 : f64} : (tensor<4x3xf32>) -> tensor<f32>
  %m = net.squared_error_sum %h, %y : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  %s = net.scalar_add %l, %r : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %s, %m, %h : tensor<f32>, tensor<f32>, tensor<?x3xf32>
}
