// Tests that every op of the net dialect parses, verifies and prints back in
// the same form (a second netc-opt reads the first one's output): kinds as
// bare keywords, attributes in the dictionary, types as written.
// RUN: netc-opt %s | netc-opt | FileCheck %s

// CHECK-LABEL: func.func @layers
func.func @layers(%x: tensor<?x8x8x2xf32>, %w: tensor<3x3x2x4xf32>, %b: tensor<4xf32>, %dense: tensor<?x16xf32>, %k: tensor<16x10xf32>) -> (tensor<?x4x4x4xf32>, tensor<?x10xf32>, tensor<?x64xf32>, tensor<?x10xf32>) {
  // CHECK: %[[C:.*]] = net.conv2d %{{.*}}, %{{.*}} {pads = array<i64: 0, 1, 0, 1>, strides = array<i64: 2, 2>} : (tensor<?x8x8x2xf32>, tensor<3x3x2x4xf32>) -> tensor<?x4x4x4xf32>
  %c = net.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 1, 0, 1>} : (tensor<?x8x8x2xf32>, tensor<3x3x2x4xf32>) -> tensor<?x4x4x4xf32>
  // CHECK: %[[BA:.*]] = net.bias_add %[[C]], %{{.*}} : (tensor<?x4x4x4xf32>, tensor<4xf32>) -> tensor<?x4x4x4xf32>
  %ba = net.bias_add %c, %b : (tensor<?x4x4x4xf32>, tensor<4xf32>) -> tensor<?x4x4x4xf32>
  // CHECK: %[[R:.*]] = net.relu %[[BA]] : tensor<?x4x4x4xf32>
  %r = net.relu %ba : tensor<?x4x4x4xf32>
  // CHECK: %[[S:.*]] = net.sigmoid %[[R]] : tensor<?x4x4x4xf32>
  %s = net.sigmoid %r : tensor<?x4x4x4xf32>
  // CHECK: %[[T:.*]] = net.tanh %[[S]] : tensor<?x4x4x4xf32>
  %t = net.tanh %s : tensor<?x4x4x4xf32>
  // CHECK: %[[A:.*]] = net.add %[[T]], %[[R]] : tensor<?x4x4x4xf32>
  %a = net.add %t, %r : tensor<?x4x4x4xf32>
  // CHECK: %[[P:.*]] = net.pool max %[[A]] {pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, window = array<i64: 2, 2>} : (tensor<?x4x4x4xf32>) -> tensor<?x2x2x4xf32>
  %p = net.pool max %a {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x4x4x4xf32>) -> tensor<?x2x2x4xf32>
  // CHECK: %[[AVG:.*]] = net.pool avg %[[A]] {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, window = array<i64: 3, 3>} : (tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
  %avg = net.pool avg %a {window = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
  // CHECK: %[[F:.*]] = net.reshape %[[P]] : (tensor<?x2x2x4xf32>) -> tensor<?x16xf32>
  %f = net.reshape %p : (tensor<?x2x2x4xf32>) -> tensor<?x16xf32>
  // CHECK: %[[M:.*]] = net.matmul %[[F]], %{{.*}} : (tensor<?x16xf32>, tensor<16x10xf32>) -> tensor<?x10xf32>
  %m = net.matmul %f, %k : (tensor<?x16xf32>, tensor<16x10xf32>) -> tensor<?x10xf32>
  // CHECK: net.matmul %{{.*}}, %[[M]] {transpose_lhs = true} : (tensor<?x16xf32>, tensor<?x10xf32>) -> tensor<16x10xf32>
  %mt = net.matmul %dense, %m {transpose_lhs = true} : (tensor<?x16xf32>, tensor<?x10xf32>) -> tensor<16x10xf32>
  // CHECK: net.matmul %[[M]], %{{.*}} {transpose_rhs = true} : (tensor<?x10xf32>, tensor<16x10xf32>) -> tensor<?x16xf32>
  %mr = net.matmul %m, %mt {transpose_rhs = true} : (tensor<?x10xf32>, tensor<16x10xf32>) -> tensor<?x16xf32>
  // CHECK: %[[SM:.*]] = net.softmax %[[M]] : tensor<?x10xf32>
  %sm = net.softmax %m : tensor<?x10xf32>
  // CHECK: %[[FA:.*]] = net.reshape %[[AVG]] : (tensor<?x4x4x4xf32>) -> tensor<?x64xf32>
  %fa = net.reshape %avg : (tensor<?x4x4x4xf32>) -> tensor<?x64xf32>
  return %c, %sm, %fa, %m : tensor<?x4x4x4xf32>, tensor<?x10xf32>, tensor<?x64xf32>, tensor<?x10xf32>
}

// dense on a higher rank: matmul folds the lhs's leading dimensions into
// rows; the kernel gradient contracts them (transpose_lhs).
// CHECK-LABEL: func.func @matmul_folded
func.func @matmul_folded(%x: tensor<?x26x26x8xf32>, %k: tensor<8x16xf32>, %dy: tensor<?x26x26x16xf32>) -> (tensor<?x26x26x16xf32>, tensor<8x16xf32>, tensor<?x26x26x8xf32>) {
  // CHECK: net.matmul %{{.*}}, %{{.*}} : (tensor<?x26x26x8xf32>, tensor<8x16xf32>) -> tensor<?x26x26x16xf32>
  %y = net.matmul %x, %k : (tensor<?x26x26x8xf32>, tensor<8x16xf32>) -> tensor<?x26x26x16xf32>
  // CHECK: net.matmul %{{.*}}, %{{.*}} {transpose_lhs = true} : (tensor<?x26x26x8xf32>, tensor<?x26x26x16xf32>) -> tensor<8x16xf32>
  %dk = net.matmul %x, %dy {transpose_lhs = true} : (tensor<?x26x26x8xf32>, tensor<?x26x26x16xf32>) -> tensor<8x16xf32>
  // CHECK: net.matmul %{{.*}}, %{{.*}} {transpose_rhs = true} : (tensor<?x26x26x16xf32>, tensor<8x16xf32>) -> tensor<?x26x26x8xf32>
  %dx = net.matmul %dy, %k {transpose_rhs = true} : (tensor<?x26x26x16xf32>, tensor<8x16xf32>) -> tensor<?x26x26x8xf32>
  return %y, %dk, %dx : tensor<?x26x26x16xf32>, tensor<8x16xf32>, tensor<?x26x26x8xf32>
}

// CHECK-LABEL: func.func @normalization_dropout
func.func @normalization_dropout(%x: tensor<?x4x4x3xf32>, %g: tensor<3xf32>, %beta: tensor<3xf32>, %mean: tensor<3xf32>, %var: tensor<3xf32>, %dy: tensor<?x4x4x3xf32>, %seed: f32) -> (tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<?x4x4x3xf32>, tensor<?x4x4x3xf32>) {
  // CHECK: net.batchnorm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f64, training} : (tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x4x4x3xf32>
  %y = net.batchnorm %x, %g, %beta, %mean, %var {epsilon = 1.0e-3 : f64, training} : (tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x4x4x3xf32>
  // CHECK: net.moving_moments %{{.*}}, %{{.*}}, %{{.*}} {momentum = 0.98999999999999999 : f64} : (tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  %mm:2 = net.moving_moments %x, %mean, %var {momentum = 0.99 : f64} : (tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  // CHECK: net.batchnorm_grad %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f64} : (tensor<?x4x4x3xf32>, tensor<?x4x4x3xf32>, tensor<3xf32>) -> (tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>)
  %bg:3 = net.batchnorm_grad %dy, %x, %g {epsilon = 1.0e-3 : f64} : (tensor<?x4x4x3xf32>, tensor<?x4x4x3xf32>, tensor<3xf32>) -> (tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>)
  // CHECK: net.dropout %{{.*}}, %{{.*}} {rate = 5.000000e-01 : f64, salt = 7 : i64, training} : tensor<?x4x4x3xf32>
  %d = net.dropout %x, %seed {rate = 0.5 : f64, salt = 7 : i64, training} : tensor<?x4x4x3xf32>
  // CHECK: net.dropout %{{.*}}, %{{.*}} {rate = 2.500000e-01 : f64, salt = 8 : i64} : tensor<?x4x4x3xf32>
  %e = net.dropout %x, %seed {rate = 0.25 : f64, salt = 8 : i64} : tensor<?x4x4x3xf32>
  return %y, %mm#0, %mm#1, %bg#0, %bg#1, %bg#2, %d, %e : tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<?x4x4x3xf32>, tensor<?x4x4x3xf32>
}

// CHECK-LABEL: func.func @shapes
func.func @shapes(%x: tensor<?x4x4x3xf32>, %u: tensor<?x2xf32>, %v: tensor<?x5xf32>, %z: tensor<?x1xf32>) -> (tensor<?x4x4x3xf32>, tensor<?x7xf32>, tensor<?x5xf32>, tensor<?x3xf32>) {
  // CHECK: %[[PAD:.*]] = net.zeropad %{{.*}} {pads = array<i64: 1, 2, 0, 1>} : (tensor<?x4x4x3xf32>) -> tensor<?x7x5x3xf32>
  %p = net.zeropad %x {pads = array<i64: 1, 2, 0, 1>} : (tensor<?x4x4x3xf32>) -> tensor<?x7x5x3xf32>
  // CHECK: net.crop %[[PAD]] {pads = array<i64: 1, 2, 0, 1>} : (tensor<?x7x5x3xf32>) -> tensor<?x4x4x3xf32>
  %c = net.crop %p {pads = array<i64: 1, 2, 0, 1>} : (tensor<?x7x5x3xf32>) -> tensor<?x4x4x3xf32>
  // CHECK: %[[CAT:.*]] = net.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<?x2xf32>, tensor<?x5xf32>) -> tensor<?x7xf32>
  %cat = net.concat %u, %v {axis = 1 : i64} : (tensor<?x2xf32>, tensor<?x5xf32>) -> tensor<?x7xf32>
  // CHECK: net.slice %[[CAT]] {axis = 1 : i64, offset = 2 : i64} : (tensor<?x7xf32>) -> tensor<?x5xf32>
  %sl = net.slice %cat {axis = 1 : i64, offset = 2 : i64} : (tensor<?x7xf32>) -> tensor<?x5xf32>
  // CHECK: net.polyfeatures %{{.*}} {mean = array<f64: 0.000000e+00, 0.33333333333333331, 0.000000e+00>, std = array<f64: 0.57735026918962573, 0.29814239699997197, 0.3779644730092272>} : (tensor<?x1xf32>) -> tensor<?x3xf32>
  %pf = net.polyfeatures %z {mean = array<f64: 0.0, 0.33333333333333331, 0.0>, std = array<f64: 0.57735026918962573, 0.29814239699997197, 0.3779644730092272>} : (tensor<?x1xf32>) -> tensor<?x3xf32>
  return %c, %cat, %sl, %pf : tensor<?x4x4x3xf32>, tensor<?x7xf32>, tensor<?x5xf32>, tensor<?x3xf32>
}

// CHECK-LABEL: func.func @class_losses
func.func @class_losses(%l: tensor<?x10xf32>, %y: tensor<?x1xf32>, %p: tensor<?x10xf32>) -> (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<?x10xf32>, tensor<?x10xf32>, tensor<?x10xf32>) {
  // CHECK: net.softmax_cross_entropy %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<f32>
  %a = net.softmax_cross_entropy %l, %y : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<f32>
  // CHECK: net.softmax_cross_entropy %{{.*}}, %{{.*}} {label_smoothing = 1.000000e-01 : f64} : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<f32>
  %b = net.softmax_cross_entropy %l, %y {label_smoothing = 0.1 : f64} : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<f32>
  // CHECK: net.accuracy_count %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<f32>
  %c = net.accuracy_count %l, %y : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<f32>
  // CHECK: net.top_k_count %{{.*}}, %{{.*}} {k = 5 : i64} : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<f32>
  %d = net.top_k_count %l, %y {k = 5 : i64} : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<f32>
  // CHECK: net.prob_cross_entropy %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<f32>
  %e = net.prob_cross_entropy %p, %y : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<f32>
  // CHECK: net.softmax_cross_entropy_grad %{{.*}}, %{{.*}} {label_smoothing = 1.000000e-01 : f64} : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<?x10xf32>
  %g = net.softmax_cross_entropy_grad %l, %y {label_smoothing = 0.1 : f64} : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<?x10xf32>
  // CHECK: net.prob_cross_entropy_grad %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<?x10xf32>
  %h = net.prob_cross_entropy_grad %p, %y : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<?x10xf32>
  // CHECK: net.softmax_cross_entropy_grad %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<?x10xf32>
  %i = net.softmax_cross_entropy_grad %l, %y : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<?x10xf32>
  return %a, %b, %c, %d, %e, %g, %h, %i : tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<?x10xf32>, tensor<?x10xf32>, tensor<?x10xf32>
}

// CHECK-LABEL: func.func @pair_losses
func.func @pair_losses(%z: tensor<?x3xf64>, %t: tensor<?x3xf64>, %w: tensor<4x3xf64>) -> (tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>, tensor<?x3xf64>, tensor<?x3xf64>, tensor<?x3xf64>, tensor<4x3xf64>) {
  // CHECK: %[[MSE:.*]] = net.mse %{{.*}}, %{{.*}} : (tensor<?x3xf64>, tensor<?x3xf64>) -> tensor<f64>
  %a = net.mse %z, %t : (tensor<?x3xf64>, tensor<?x3xf64>) -> tensor<f64>
  // CHECK: net.mae %{{.*}}, %{{.*}} : (tensor<?x3xf64>, tensor<?x3xf64>) -> tensor<f64>
  %b = net.mae %z, %t : (tensor<?x3xf64>, tensor<?x3xf64>) -> tensor<f64>
  // CHECK: net.squared_error_sum %{{.*}}, %{{.*}} : (tensor<?x3xf64>, tensor<?x3xf64>) -> tensor<f64>
  %c = net.squared_error_sum %z, %t : (tensor<?x3xf64>, tensor<?x3xf64>) -> tensor<f64>
  // CHECK: net.abs_error_sum %{{.*}}, %{{.*}} : (tensor<?x3xf64>, tensor<?x3xf64>) -> tensor<f64>
  %d = net.abs_error_sum %z, %t : (tensor<?x3xf64>, tensor<?x3xf64>) -> tensor<f64>
  // CHECK: net.sigmoid_cross_entropy %{{.*}}, %{{.*}} {label_smoothing = 2.000000e-01 : f64} : (tensor<?x3xf64>, tensor<?x3xf64>) -> tensor<f64>
  %e = net.sigmoid_cross_entropy %z, %t {label_smoothing = 0.2 : f64} : (tensor<?x3xf64>, tensor<?x3xf64>) -> tensor<f64>
  // CHECK: net.binary_accuracy_count %{{.*}}, %{{.*}} : (tensor<?x3xf64>, tensor<?x3xf64>) -> tensor<f64>
  %f = net.binary_accuracy_count %z, %t : (tensor<?x3xf64>, tensor<?x3xf64>) -> tensor<f64>
  // CHECK: %[[REG:.*]] = net.regularizer %{{.*}} {l1 = 0.000000e+00 : f64, l2 = 1.000000e-02 : f64} : (tensor<4x3xf64>) -> tensor<f64>
  %r = net.regularizer %w {l1 = 0.0 : f64, l2 = 1.000000e-02 : f64} : (tensor<4x3xf64>) -> tensor<f64>
  // CHECK: net.scalar_add %[[MSE]], %[[REG]] : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %sum = net.scalar_add %a, %r : (tensor<f64>, tensor<f64>) -> tensor<f64>
  // CHECK: net.mse_grad %{{.*}}, %{{.*}} : (tensor<?x3xf64>, tensor<?x3xf64>) -> tensor<?x3xf64>
  %g = net.mse_grad %z, %t : (tensor<?x3xf64>, tensor<?x3xf64>) -> tensor<?x3xf64>
  // CHECK: net.mae_grad %{{.*}}, %{{.*}} : (tensor<?x3xf64>, tensor<?x3xf64>) -> tensor<?x3xf64>
  %h = net.mae_grad %z, %t : (tensor<?x3xf64>, tensor<?x3xf64>) -> tensor<?x3xf64>
  // CHECK: net.sigmoid_cross_entropy_grad %{{.*}}, %{{.*}} : (tensor<?x3xf64>, tensor<?x3xf64>) -> tensor<?x3xf64>
  %i = net.sigmoid_cross_entropy_grad %z, %t : (tensor<?x3xf64>, tensor<?x3xf64>) -> tensor<?x3xf64>
  // CHECK: net.regularizer_grad %{{.*}}, %{{.*}} {l1 = 1.000000e-03 : f64, l2 = 0.000000e+00 : f64} : (tensor<4x3xf64>, tensor<4x3xf64>) -> tensor<4x3xf64>
  %j = net.regularizer_grad %w, %w {l1 = 0.001 : f64, l2 = 0.0 : f64} : (tensor<4x3xf64>, tensor<4x3xf64>) -> tensor<4x3xf64>
  return %a, %b, %c, %d, %e, %sum, %g, %h, %i, %j : tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>, tensor<?x3xf64>, tensor<?x3xf64>, tensor<?x3xf64>, tensor<4x3xf64>
}

// CHECK-LABEL: func.func @gradients
func.func @gradients(%x: tensor<?x8x8x2xf32>, %w: tensor<3x3x2x4xf32>, %dy: tensor<?x4x4x4xf32>, %y: tensor<?x4x4x4xf32>, %dp: tensor<?x2x2x4xf32>) -> (tensor<?x8x8x2xf32>, tensor<3x3x2x4xf32>, tensor<4xf32>, tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) {
  // CHECK: net.conv2d_grad_input %{{.*}}, %{{.*}}, %{{.*}} {pads = array<i64: 0, 1, 0, 1>, strides = array<i64: 2, 2>} : (tensor<?x4x4x4xf32>, tensor<3x3x2x4xf32>, tensor<?x8x8x2xf32>) -> tensor<?x8x8x2xf32>
  %dx = net.conv2d_grad_input %dy, %w, %x {strides = array<i64: 2, 2>, pads = array<i64: 0, 1, 0, 1>} : (tensor<?x4x4x4xf32>, tensor<3x3x2x4xf32>, tensor<?x8x8x2xf32>) -> tensor<?x8x8x2xf32>
  // CHECK: net.conv2d_grad_filter %{{.*}}, %{{.*}} {pads = array<i64: 0, 1, 0, 1>, strides = array<i64: 2, 2>} : (tensor<?x8x8x2xf32>, tensor<?x4x4x4xf32>) -> tensor<3x3x2x4xf32>
  %dw = net.conv2d_grad_filter %x, %dy {strides = array<i64: 2, 2>, pads = array<i64: 0, 1, 0, 1>} : (tensor<?x8x8x2xf32>, tensor<?x4x4x4xf32>) -> tensor<3x3x2x4xf32>
  // CHECK: net.bias_add_grad %{{.*}} : (tensor<?x4x4x4xf32>) -> tensor<4xf32>
  %db = net.bias_add_grad %dy : (tensor<?x4x4x4xf32>) -> tensor<4xf32>
  // CHECK: net.activation_grad relu %{{.*}}, %{{.*}} : (tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
  %g0 = net.activation_grad relu %dy, %y : (tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
  // CHECK: net.activation_grad sigmoid %{{.*}}, %{{.*}} : (tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
  %g1 = net.activation_grad sigmoid %dy, %y : (tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
  // CHECK: net.activation_grad tanh %{{.*}}, %{{.*}} : (tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
  %g2 = net.activation_grad tanh %dy, %y : (tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
  // CHECK: net.activation_grad softmax %{{.*}}, %{{.*}} : (tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
  %g3 = net.activation_grad softmax %dy, %y : (tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
  // CHECK: net.pool_grad avg %{{.*}}, %{{.*}} {pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, window = array<i64: 2, 2>} : (tensor<?x4x4x4xf32>, tensor<?x2x2x4xf32>) -> tensor<?x4x4x4xf32>
  %dp0 = net.pool_grad avg %y, %dp {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x4x4x4xf32>, tensor<?x2x2x4xf32>) -> tensor<?x4x4x4xf32>
  // CHECK: net.scale %{{.*}} {factor = 1.010000e+00 : f64} : tensor<?x4x4x4xf32>
  %sc = net.scale %g0 {factor = 1.01 : f64} : tensor<?x4x4x4xf32>
  return %dx, %dw, %db, %g0, %g1, %g2, %g3, %dp0, %sc : tensor<?x8x8x2xf32>, tensor<3x3x2x4xf32>, tensor<4xf32>, tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>
}

// Every optimizer kind, with the slot counts its config asks for.
// CHECK-LABEL: func.func @optimizers
func.func @optimizers(%w: tensor<3xf32>, %g: tensor<3xf32>, %s: tensor<3xf32>, %lr: f32, %t: f32) {
  // CHECK: net.optimizer_update sgd %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {config = {momentum = 0.000000e+00 : f64}} : (tensor<3xf32>, tensor<3xf32>, f32, f32) -> tensor<3xf32>
  %a = net.optimizer_update sgd %w, %g, %lr, %t {config = {momentum = 0.0 : f64}} : (tensor<3xf32>, tensor<3xf32>, f32, f32) -> tensor<3xf32>
  // CHECK: net.optimizer_update sgd %{{.*}}, %{{.*}}, slots(%{{.*}}), %{{.*}}, %{{.*}} {config = {momentum = 9.000000e-01 : f64, nesterov = 1.000000e+00 : f64}} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, f32, f32) -> (tensor<3xf32>, tensor<3xf32>)
  %b:2 = net.optimizer_update sgd %w, %g, slots(%s), %lr, %t {config = {momentum = 0.9 : f64, nesterov = 1.0 : f64}} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, f32, f32) -> (tensor<3xf32>, tensor<3xf32>)
  // CHECK: net.optimizer_update adam %{{.*}}, %{{.*}}, slots(%{{.*}}, %{{.*}}), %{{.*}}, %{{.*}} {config = {}} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, f32, f32) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  %c:3 = net.optimizer_update adam %w, %g, slots(%s, %s), %lr, %t {config = {}} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, f32, f32) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  // CHECK: net.optimizer_update adamw %{{.*}}, %{{.*}}, slots(%{{.*}}, %{{.*}}, %{{.*}}), %{{.*}}, %{{.*}} {config = {amsgrad = 1.000000e+00 : f64}} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, f32, f32) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  %d:4 = net.optimizer_update adamw %w, %g, slots(%s, %s, %s), %lr, %t {config = {amsgrad = 1.0 : f64}} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, f32, f32) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  // CHECK: net.optimizer_update rmsprop %{{.*}}, %{{.*}}, slots(%{{.*}}, %{{.*}}, %{{.*}}), %{{.*}}, %{{.*}} {config = {centered = 1.000000e+00 : f64, momentum = 5.000000e-01 : f64}}
  %e:4 = net.optimizer_update rmsprop %w, %g, slots(%s, %s, %s), %lr, %t {config = {momentum = 0.5 : f64, centered = 1.0 : f64}} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, f32, f32) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  // CHECK: net.optimizer_update adagrad %{{.*}}, %{{.*}}, slots(%{{.*}}), %{{.*}}, %{{.*}} {config = {}}
  %f:2 = net.optimizer_update adagrad %w, %g, slots(%s), %lr, %t {config = {}} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, f32, f32) -> (tensor<3xf32>, tensor<3xf32>)
  // CHECK: net.optimizer_update adadelta %{{.*}}, %{{.*}}, slots(%{{.*}}, %{{.*}}), %{{.*}}, %{{.*}} {config = {}}
  %h:3 = net.optimizer_update adadelta %w, %g, slots(%s, %s), %lr, %t {config = {}} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, f32, f32) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  // CHECK: net.optimizer_update adamax %{{.*}}, %{{.*}}, slots(%{{.*}}, %{{.*}}), %{{.*}}, %{{.*}} {config = {}}
  %i:3 = net.optimizer_update adamax %w, %g, slots(%s, %s), %lr, %t {config = {}} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, f32, f32) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  // CHECK: net.optimizer_update nadam %{{.*}}, %{{.*}}, slots(%{{.*}}, %{{.*}}), %{{.*}}, %{{.*}} {config = {}}
  %j:3 = net.optimizer_update nadam %w, %g, slots(%s, %s), %lr, %t {config = {}} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, f32, f32) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// The float64 variant of an optimizer step (netc build --gradcheck-f64).
// CHECK-LABEL: func.func @f64_update
// CHECK: net.optimizer_update sgd %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {config = {}} : (tensor<2x2xf64>, tensor<2x2xf64>, f64, f64) -> tensor<2x2xf64>
func.func @f64_update(%w: tensor<2x2xf64>, %g: tensor<2x2xf64>, %lr: f64, %t: f64) -> tensor<2x2xf64> {
  %0 = net.optimizer_update sgd %w, %g, %lr, %t {config = {}} : (tensor<2x2xf64>, tensor<2x2xf64>, f64, f64) -> tensor<2x2xf64>
  return %0 : tensor<2x2xf64>
}

// An activity regularizer and its gradient divided by the batch size.
// CHECK-LABEL: func.func @batch_mean_regularizer
// CHECK: net.regularizer %{{.*}} {batch_mean, l1 = 1.000000e-02 : f64, l2 = 0.000000e+00 : f64} : (tensor<?x3xf32>) -> tensor<f32>
// CHECK: net.regularizer_grad %{{.*}}, %{{.*}} {batch_mean, l1 = 0.000000e+00 : f64, l2 = 2.000000e-02 : f64} : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
func.func @batch_mean_regularizer(%z: tensor<?x3xf32>) -> (tensor<f32>, tensor<?x3xf32>) {
  %r = net.regularizer %z {batch_mean, l1 = 0.01 : f64, l2 = 0.0 : f64} : (tensor<?x3xf32>) -> tensor<f32>
  %g = net.regularizer_grad %z, %z {batch_mean, l1 = 0.0 : f64, l2 = 0.02 : f64} : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  return %r, %g : tensor<f32>, tensor<?x3xf32>
}
