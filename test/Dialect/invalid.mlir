// Tests that the net dialect rejects malformed ops with a message naming the
// problem: one case per constraint family and per verifier branch.
// RUN: netc-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// Types, attributes and kinds (ODS constraints)
//===----------------------------------------------------------------------===//

// A conv's input is a 4-D tensor.
func.func @conv_rank(%x: tensor<?x8x2xf32>, %w: tensor<3x3x2x4xf32>) {
  // expected-error @below {{operand #0 must be 4D tensor of 32-bit float or 64-bit float values}}
  %0 = net.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x8x2xf32>, tensor<3x3x2x4xf32>) -> tensor<?x6x6x4xf32>
  return
}

// -----

// Tensors hold f32 or f64.
func.func @f16(%x: tensor<?x4xf16>) {
  // expected-error @below {{operand #0 must be ranked tensor of 32-bit float or 64-bit float values}}
  %0 = net.relu %x : tensor<?x4xf16>
  return
}

// -----

// Operands of one op share their float type.
func.func @mixed_floats(%x: tensor<?x8x8x2xf32>, %w: tensor<3x3x2x4xf64>) {
  // expected-error @below {{failed to verify that all of {input, filter, result} have same element type}}
  %0 = net.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x8x8x2xf32>, tensor<3x3x2x4xf64>) -> tensor<?x6x6x4xf32>
  return
}

// -----

func.func @strides_count(%x: tensor<?x8x8x2xf32>, %w: tensor<3x3x2x4xf32>) {
  // expected-error @below {{attribute 'strides' failed to satisfy constraint: i64 dense array attribute with exactly 2 elements}}
  %0 = net.conv2d %x, %w {strides = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x8x8x2xf32>, tensor<3x3x2x4xf32>) -> tensor<?x6x6x4xf32>
  return
}

// -----

func.func @zero_stride(%x: tensor<?x8x8x2xf32>, %w: tensor<3x3x2x4xf32>) {
  // expected-error @below {{attribute 'strides' failed to satisfy constraint: i64 dense array attribute with exactly 2 elements whose value is positive}}
  %0 = net.conv2d %x, %w {strides = array<i64: 1, 0>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x8x8x2xf32>, tensor<3x3x2x4xf32>) -> tensor<?x6x6x4xf32>
  return
}

// -----

func.func @negative_pad(%x: tensor<?x8x8x2xf32>, %w: tensor<3x3x2x4xf32>) {
  // expected-error @below {{attribute 'pads' failed to satisfy constraint: i64 dense array attribute with exactly 4 elements whose value is non-negative}}
  %0 = net.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, -1, 0, 0>} : (tensor<?x8x8x2xf32>, tensor<3x3x2x4xf32>) -> tensor<?x6x6x4xf32>
  return
}

// -----

// A pooling window is 2-D.
func.func @pool_window_1d(%x: tensor<?x4x4x3xf32>) {
  // expected-error @below {{attribute 'window' failed to satisfy constraint: i64 dense array attribute with exactly 2 elements}}
  %0 = net.pool max %x {window = array<i64: 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x4x4x3xf32>) -> tensor<?x2x2x3xf32>
  return
}

// -----

func.func @pool_kind(%x: tensor<?x4x4x3xf32>) {
  // expected-error @below {{expected ::netc::net::PoolKind to be one of: max, avg}}
  // expected-error @below {{failed to parse Net_PoolKindAttr parameter 'value'}}
  %0 = net.pool min %x {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x4x4x3xf32>) -> tensor<?x2x2x3xf32>
  return
}

// -----

func.func @activation_kind(%dy: tensor<?x3xf32>) {
  // expected-error @below {{expected ::netc::net::ActivationKind to be one of: relu, sigmoid, tanh, softmax}}
  // expected-error @below {{failed to parse Net_ActivationKindAttr parameter 'value'}}
  %0 = net.activation_grad linear %dy, %dy : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  return
}

// -----

func.func @optimizer_kind(%w: tensor<4xf32>, %lr: f32) {
  // expected-error @below {{expected ::netc::net::OptimizerKind to be one of: sgd, adam, adamw, rmsprop, adagrad, adadelta, adamax, nadam}}
  // expected-error @below {{failed to parse Net_OptimizerKindAttr parameter 'value'}}
  %0 = net.optimizer_update lamb %w, %w, %lr, %lr {config = {}} : (tensor<4xf32>, tensor<4xf32>, f32, f32) -> tensor<4xf32>
  return
}

// -----

func.func @activation_grad_types(%dy: tensor<?x3xf32>, %y: tensor<?x4xf32>) {
  // expected-error @below {{failed to verify that all of {dy, output, result} have same type}}
  %0 = net.activation_grad relu %dy, %y : (tensor<?x3xf32>, tensor<?x4xf32>) -> tensor<?x3xf32>
  return
}

// -----

// A loss is a rank-0 tensor of its operands' float type.
func.func @loss_type(%p: tensor<?x3xf32>) {
  // expected-error @below {{failed to verify that loss is a rank-0 tensor of the element type of pred}}
  %0 = net.mse %p, %p : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f64>
  return
}

// -----

func.func @top_k_zero(%s: tensor<?x10xf32>, %y: tensor<?x1xf32>) {
  // expected-error @below {{attribute 'k' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %0 = net.top_k_count %s, %y {k = 0 : i64} : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<f32>
  return
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

// -----

func.func @conv_dynamic_filter(%x: tensor<?x8x8x2xf32>, %w: tensor<?x3x2x4xf32>) {
  // expected-error @below {{expects a static filter shape, got 'tensor<?x3x2x4xf32>'}}
  %0 = net.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x8x8x2xf32>, tensor<?x3x2x4xf32>) -> tensor<?x6x6x4xf32>
  return
}

// -----

func.func @conv_in_channels(%x: tensor<?x8x8x3xf32>, %w: tensor<3x3x2x4xf32>) {
  // expected-error @below {{expects the filter's input channels (2) to equal the input's channels (3)}}
  %0 = net.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x8x8x3xf32>, tensor<3x3x2x4xf32>) -> tensor<?x6x6x4xf32>
  return
}

// -----

func.func @conv_out_channels(%x: tensor<?x8x8x2xf32>, %w: tensor<3x3x2x4xf32>) {
  // expected-error @below {{expects the filter's output channels (4) to equal the result's channels (5)}}
  %0 = net.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x8x8x2xf32>, tensor<3x3x2x4xf32>) -> tensor<?x6x6x5xf32>
  return
}

// -----

func.func @conv_batch(%x: tensor<2x8x8x2xf32>, %w: tensor<3x3x2x4xf32>) {
  // expected-error @below {{expects the result's batch (3) to equal the input's batch (2)}}
  %0 = net.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<2x8x8x2xf32>, tensor<3x3x2x4xf32>) -> tensor<3x6x6x4xf32>
  return
}

// -----

func.func @conv_window_too_big(%x: tensor<?x2x8x2xf32>, %w: tensor<3x3x2x4xf32>) {
  // expected-error @below {{window 3x3 does not fit in the input's height 2 padded by 0 + 0}}
  %0 = net.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x2x8x2xf32>, tensor<3x3x2x4xf32>) -> tensor<?x1x6x4xf32>
  return
}

// -----

func.func @conv_height(%x: tensor<?x8x8x2xf32>, %w: tensor<3x3x2x4xf32>) {
  // expected-error @below {{expects the result's height (4) to equal the window's output size (3)}}
  %0 = net.conv2d %x, %w {strides = array<i64: 2, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x8x8x2xf32>, tensor<3x3x2x4xf32>) -> tensor<?x4x6x4xf32>
  return
}

// -----

func.func @conv_width(%x: tensor<?x8x8x2xf32>, %w: tensor<3x3x2x4xf32>) {
  // expected-error @below {{expects the result's width (6) to equal the window's output size (8)}}
  %0 = net.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>} : (tensor<?x8x8x2xf32>, tensor<3x3x2x4xf32>) -> tensor<?x6x6x4xf32>
  return
}

// -----

func.func @conv_grad_input_channels(%dy: tensor<?x6x6x5xf32>, %w: tensor<3x3x2x4xf32>, %x: tensor<?x8x8x2xf32>) {
  // expected-error @below {{expects the filter's output channels (4) to equal dy's channels (5)}}
  %0 = net.conv2d_grad_input %dy, %w, %x {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x6x6x5xf32>, tensor<3x3x2x4xf32>, tensor<?x8x8x2xf32>) -> tensor<?x8x8x2xf32>
  return
}

// -----

func.func @conv_grad_input_window(%dy: tensor<?x5x6x4xf32>, %w: tensor<3x3x2x4xf32>, %x: tensor<?x8x8x2xf32>) {
  // expected-error @below {{expects dy's height (5) to equal the window's output size (6)}}
  %0 = net.conv2d_grad_input %dy, %w, %x {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x5x6x4xf32>, tensor<3x3x2x4xf32>, tensor<?x8x8x2xf32>) -> tensor<?x8x8x2xf32>
  return
}

// -----

func.func @conv_grad_input_type(%dy: tensor<?x6x6x4xf32>, %w: tensor<3x3x2x4xf32>, %x: tensor<?x8x8x2xf32>) {
  // expected-error @below {{failed to verify that all of {input, result} have same type}}
  %0 = net.conv2d_grad_input %dy, %w, %x {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x6x6x4xf32>, tensor<3x3x2x4xf32>, tensor<?x8x8x2xf32>) -> tensor<?x8x8x3xf32>
  return
}

// -----

func.func @conv_grad_filter_dynamic(%x: tensor<?x8x8x2xf32>, %dy: tensor<?x6x6x4xf32>) {
  // expected-error @below {{expects a static filter shape, got 'tensor<3x3x?x4xf32>'}}
  %0 = net.conv2d_grad_filter %x, %dy {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x8x8x2xf32>, tensor<?x6x6x4xf32>) -> tensor<3x3x?x4xf32>
  return
}

// -----

func.func @conv_grad_filter_channels(%x: tensor<?x8x8x2xf32>, %dy: tensor<?x6x6x4xf32>) {
  // expected-error @below {{expects the filter's input channels (3) to equal the input's channels (2)}}
  %0 = net.conv2d_grad_filter %x, %dy {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x8x8x2xf32>, tensor<?x6x6x4xf32>) -> tensor<3x3x3x4xf32>
  return
}

// -----

func.func @conv_grad_filter_window(%x: tensor<?x8x8x2xf32>, %dy: tensor<?x6x6x4xf32>) {
  // expected-error @below {{expects dy's width (6) to equal the window's output size (4)}}
  %0 = net.conv2d_grad_filter %x, %dy {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x8x8x2xf32>, tensor<?x6x6x4xf32>) -> tensor<3x5x2x4xf32>
  return
}

// -----

func.func @pool_channels(%x: tensor<?x4x4x3xf32>) {
  // expected-error @below {{expects the result's channels (4) to equal the input's (3)}}
  %0 = net.pool max %x {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x4x4x3xf32>) -> tensor<?x2x2x4xf32>
  return
}

// -----

func.func @pool_window(%x: tensor<?x4x4x3xf32>) {
  // expected-error @below {{expects the result's height (2) to equal the window's output size (3)}}
  %0 = net.pool avg %x {window = array<i64: 2, 2>, strides = array<i64: 1, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x4x4x3xf32>) -> tensor<?x2x2x3xf32>
  return
}

// -----

func.func @pool_grad_channels(%x: tensor<?x4x4x3xf32>, %dy: tensor<?x2x2x4xf32>) {
  // expected-error @below {{expects dy's channels (4) to equal the input's (3)}}
  %0 = net.pool_grad max %x, %dy {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x4x4x3xf32>, tensor<?x2x2x4xf32>) -> tensor<?x4x4x3xf32>
  return
}

// -----

func.func @pool_grad_window(%x: tensor<?x4x4x3xf32>, %dy: tensor<?x2x2x3xf32>) {
  // expected-error @below {{expects dy's width (2) to equal the window's output size (1)}}
  %0 = net.pool_grad max %x, %dy {window = array<i64: 2, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x4x4x3xf32>, tensor<?x2x2x3xf32>) -> tensor<?x4x4x3xf32>
  return
}

//===----------------------------------------------------------------------===//
// Dense layers, bias, reshape
//===----------------------------------------------------------------------===//

// -----

func.func @matmul_contraction(%a: tensor<?x8xf32>, %b: tensor<7x4xf32>) {
  // expected-error @below {{expects the lhs's contraction size (8) to equal the rhs's (7)}}
  %0 = net.matmul %a, %b : (tensor<?x8xf32>, tensor<7x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @matmul_rows(%a: tensor<?x8xf32>, %b: tensor<?x4xf32>) {
  // expected-error @below {{expects the result's rows (4) to equal the lhs's (8)}}
  %0 = net.matmul %a, %b {transpose_lhs = true} : (tensor<?x8xf32>, tensor<?x4xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @matmul_columns(%a: tensor<?x4xf32>, %b: tensor<8x4xf32>) {
  // expected-error @below {{expects the result's columns (4) to equal the rhs's (8)}}
  %0 = net.matmul %a, %b {transpose_rhs = true} : (tensor<?x4xf32>, tensor<8x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @matmul_contraction_transposed(%a: tensor<5x8xf32>, %b: tensor<6x4xf32>) {
  // expected-error @below {{expects the lhs's contraction size (5) to equal the rhs's (6)}}
  %0 = net.matmul %a, %b {transpose_lhs = true} : (tensor<5x8xf32>, tensor<6x4xf32>) -> tensor<8x4xf32>
  return
}

// -----

func.func @matmul_both_transposed(%a: tensor<4x8xf32>, %b: tensor<3x5xf32>) {
  // expected-error @below {{expects the lhs's contraction size (4) to equal the rhs's (5)}}
  %0 = net.matmul %a, %b {transpose_lhs = true, transpose_rhs = true} : (tensor<4x8xf32>, tensor<3x5xf32>) -> tensor<8x3xf32>
  return
}

// -----

// Folded rows (dense on a higher rank): a matmul's operands are >= 2-D.
func.func @matmul_vector(%a: tensor<8xf32>, %b: tensor<8x4xf32>) {
  // expected-error @below {{operand #0 must be ranked tensor of rank >= 2}}
  %0 = net.matmul %a, %b : (tensor<8xf32>, tensor<8x4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @matmul_folded_rhs(%a: tensor<?x3x8xf32>, %b: tensor<2x8x4xf32>) {
  // expected-error @below {{expects a 2-D rhs, or with transpose_lhs alone one of the lhs's rank, got 'tensor<2x8x4xf32>'}}
  %0 = net.matmul %a, %b : (tensor<?x3x8xf32>, tensor<2x8x4xf32>) -> tensor<?x3x4xf32>
  return
}

// -----

func.func @matmul_folded_rhs_rank(%a: tensor<?x3x8xf32>, %b: tensor<?x4xf32>) {
  // expected-error @below {{expects a 2-D rhs, or with transpose_lhs alone one of the lhs's rank, got 'tensor<?x4xf32>'}}
  %0 = net.matmul %a, %b {transpose_lhs = true} : (tensor<?x3x8xf32>, tensor<?x4xf32>) -> tensor<8x4xf32>
  return
}

// -----

func.func @matmul_folded_both_transposed(%a: tensor<?x3x8xf32>, %b: tensor<4x8xf32>) {
  // expected-error @below {{expects a 2-D lhs when both operands are transposed, got 'tensor<?x3x8xf32>'}}
  %0 = net.matmul %a, %b {transpose_lhs = true, transpose_rhs = true} : (tensor<?x3x8xf32>, tensor<4x8xf32>) -> tensor<8x4xf32>
  return
}

// -----

func.func @matmul_folded_result_rank(%a: tensor<?x3x8xf32>, %b: tensor<8x4xf32>) {
  // expected-error @below {{expects a result of rank 3, got 'tensor<?x4xf32>'}}
  %0 = net.matmul %a, %b : (tensor<?x3x8xf32>, tensor<8x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @matmul_folded_result_dims(%a: tensor<?x3x8xf32>, %b: tensor<8x4xf32>) {
  // expected-error @below {{expects the result's dimension 1 (2) to equal the lhs's (3)}}
  %0 = net.matmul %a, %b : (tensor<?x3x8xf32>, tensor<8x4xf32>) -> tensor<?x2x4xf32>
  return
}

// -----

func.func @matmul_folded_contraction(%a: tensor<?x3x8xf32>, %b: tensor<?x2x4xf32>) {
  // expected-error @below {{expects the lhs's dimension 1 (3) to equal the rhs's (2)}}
  %0 = net.matmul %a, %b {transpose_lhs = true} : (tensor<?x3x8xf32>, tensor<?x2x4xf32>) -> tensor<8x4xf32>
  return
}

// -----

func.func @matmul_folded_columns(%a: tensor<?x3x8xf32>, %b: tensor<?x3x4xf32>) {
  // expected-error @below {{expects the result's columns (5) to equal the rhs's (4)}}
  %0 = net.matmul %a, %b {transpose_lhs = true} : (tensor<?x3x8xf32>, tensor<?x3x4xf32>) -> tensor<8x5xf32>
  return
}

// -----

func.func @bias_length(%x: tensor<?x4xf32>, %b: tensor<5xf32>) {
  // expected-error @below {{expects the bias's length (5) to equal the input's last dimension (4)}}
  %0 = net.bias_add %x, %b : (tensor<?x4xf32>, tensor<5xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @bias_grad_length(%dy: tensor<?x4xf32>) {
  // expected-error @below {{expects the result's length (5) to equal dy's last dimension (4)}}
  %0 = net.bias_add_grad %dy : (tensor<?x4xf32>) -> tensor<5xf32>
  return
}

// -----

func.func @reshape_dynamic(%x: tensor<?x?x4xf32>) {
  // expected-error @below {{expects static sizes but the batch, got 'tensor<?x?x4xf32>' and 'tensor<?x8xf32>'}}
  %0 = net.reshape %x : (tensor<?x?x4xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @reshape_batch(%x: tensor<2x2x4xf32>) {
  // expected-error @below {{expects the result's batch (4) to equal the input's (2)}}
  %0 = net.reshape %x : (tensor<2x2x4xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @reshape_elements(%x: tensor<?x2x4xf32>) {
  // expected-error @below {{expects the result's elements per sample (9) to equal the input's (8)}}
  %0 = net.reshape %x : (tensor<?x2x4xf32>) -> tensor<?x9xf32>
  return
}

//===----------------------------------------------------------------------===//
// Normalization and dropout
//===----------------------------------------------------------------------===//

// -----

func.func @batchnorm_stats(%x: tensor<?x4xf32>, %s: tensor<3xf32>) {
  // expected-error @below {{expects the statistics' length (3) to equal the input's channels (4)}}
  %0 = net.batchnorm %x, %s, %s, %s, %s {epsilon = 1.0e-3 : f64} : (tensor<?x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @batchnorm_epsilon(%x: tensor<?x4xf32>, %s: tensor<4xf32>) {
  // expected-error @below {{epsilon must be positive, got 0}}
  %0 = net.batchnorm %x, %s, %s, %s, %s {epsilon = 0.0 : f64} : (tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @batchnorm_stat_types(%x: tensor<?x4xf32>, %s: tensor<4xf32>, %t: tensor<5xf32>) {
  // expected-error @below {{failed to verify that all of {gamma, beta, moving_mean, moving_variance} have same type}}
  %0 = net.batchnorm %x, %s, %s, %s, %t {epsilon = 1.0e-3 : f64} : (tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<5xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @moments_stats(%x: tensor<?x4xf32>, %s: tensor<3xf32>) {
  // expected-error @below {{expects the statistics' length (3) to equal the input's channels (4)}}
  %0:2 = net.moving_moments %x, %s, %s {momentum = 0.99 : f64} : (tensor<?x4xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func.func @moments_momentum(%x: tensor<?x4xf32>, %s: tensor<4xf32>) {
  // expected-error @below {{momentum must be in [0, 1], got 1.5}}
  %0:2 = net.moving_moments %x, %s, %s {momentum = 1.5 : f64} : (tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @batchnorm_grad_gamma(%x: tensor<?x4xf32>, %g: tensor<3xf32>) {
  // expected-error @below {{expects gamma's length (3) to equal the input's channels (4)}}
  %0:3 = net.batchnorm_grad %x, %x, %g {epsilon = 1.0e-3 : f64} : (tensor<?x4xf32>, tensor<?x4xf32>, tensor<3xf32>) -> (tensor<?x4xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func.func @batchnorm_grad_epsilon(%x: tensor<?x4xf32>, %g: tensor<4xf32>) {
  // expected-error @below {{epsilon must be positive, got -1}}
  %0:3 = net.batchnorm_grad %x, %x, %g {epsilon = -1.0 : f64} : (tensor<?x4xf32>, tensor<?x4xf32>, tensor<4xf32>) -> (tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @dropout_rate(%x: tensor<?x4xf32>, %seed: f32) {
  // expected-error @below {{rate must be in [0, 1), got 1}}
  %0 = net.dropout %x, %seed {rate = 1.0 : f64, salt = 1 : i64} : tensor<?x4xf32>
  return
}

//===----------------------------------------------------------------------===//
// Shape layers
//===----------------------------------------------------------------------===//

// -----

func.func @zeropad_height(%x: tensor<?x4x4x3xf32>) {
  // expected-error @below {{expects the padded height (6) to equal the height plus top and bottom (7)}}
  %0 = net.zeropad %x {pads = array<i64: 1, 2, 0, 0>} : (tensor<?x4x4x3xf32>) -> tensor<?x6x4x3xf32>
  return
}

// -----

func.func @zeropad_channels(%x: tensor<?x4x4x3xf32>) {
  // expected-error @below {{expects the padded channels (4) to equal the unpadded channels (3)}}
  %0 = net.zeropad %x {pads = array<i64: 0, 0, 0, 0>} : (tensor<?x4x4x3xf32>) -> tensor<?x4x4x4xf32>
  return
}

// -----

func.func @crop_width(%x: tensor<?x6x6x3xf32>) {
  // expected-error @below {{expects the padded width (6) to equal the width plus left and right (5)}}
  %0 = net.crop %x {pads = array<i64: 1, 1, 0, 1>} : (tensor<?x6x6x3xf32>) -> tensor<?x4x4x3xf32>
  return
}

// -----

func.func @crop_batch(%x: tensor<2x6x6x3xf32>) {
  // expected-error @below {{expects the padded batch (2) to equal the unpadded batch (3)}}
  %0 = net.crop %x {pads = array<i64: 1, 1, 1, 1>} : (tensor<2x6x6x3xf32>) -> tensor<3x4x4x3xf32>
  return
}

// -----

func.func @concat_empty() {
  // expected-error @below {{expects at least one input}}
  %0 = net.concat {axis = 1 : i64} : () -> tensor<?x2xf32>
  return
}

// -----

func.func @concat_axis(%a: tensor<?x2xf32>) {
  // expected-error @below {{axis 0 is not a non-batch dimension of a rank-2 tensor (1..1)}}
  %0 = net.concat %a, %a {axis = 0 : i64} : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
  return
}

// -----

func.func @concat_element_type(%a: tensor<?x2xf32>, %b: tensor<?x2xf64>) {
  // expected-error @below {{expects input 1 to have the result's element type, got 'tensor<?x2xf64>'}}
  %0 = net.concat %a, %b {axis = 1 : i64} : (tensor<?x2xf32>, tensor<?x2xf64>) -> tensor<?x4xf32>
  return
}

// -----

func.func @concat_rank(%a: tensor<?x2xf32>, %b: tensor<?x2x1xf32>) {
  // expected-error @below {{expects input 1 ('tensor<?x2x1xf32>') to have the rank of the result ('tensor<?x4xf32>')}}
  %0 = net.concat %a, %b {axis = 1 : i64} : (tensor<?x2xf32>, tensor<?x2x1xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @concat_other_dim(%a: tensor<?x2x3xf32>, %b: tensor<?x2x4xf32>) {
  // expected-error @below {{expects input 1's dimension 2 (4) to equal the result's (3)}}
  %0 = net.concat %a, %b {axis = 1 : i64} : (tensor<?x2x3xf32>, tensor<?x2x4xf32>) -> tensor<?x4x3xf32>
  return
}

// -----

func.func @concat_sum(%a: tensor<?x2xf32>, %b: tensor<?x3xf32>) {
  // expected-error @below {{expects the result's size along the axis (6) to equal the inputs' sum (5)}}
  %0 = net.concat %a, %b {axis = 1 : i64} : (tensor<?x2xf32>, tensor<?x3xf32>) -> tensor<?x6xf32>
  return
}

// -----

func.func @slice_axis(%x: tensor<?x7xf32>) {
  // expected-error @below {{axis 2 is not a non-batch dimension of a rank-2 tensor (1..1)}}
  %0 = net.slice %x {axis = 2 : i64, offset = 0 : i64} : (tensor<?x7xf32>) -> tensor<?x5xf32>
  return
}

// -----

func.func @slice_other_dim(%x: tensor<?x7x3xf32>) {
  // expected-error @below {{expects the result's dimension 2 (2) to equal the input's (3)}}
  %0 = net.slice %x {axis = 1 : i64, offset = 0 : i64} : (tensor<?x7x3xf32>) -> tensor<?x5x2xf32>
  return
}

// -----

func.func @slice_outside(%x: tensor<?x7xf32>) {
  // expected-error @below {{slice [3, 3 + 5) along axis 1 is outside the input's size 7}}
  %0 = net.slice %x {axis = 1 : i64, offset = 3 : i64} : (tensor<?x7xf32>) -> tensor<?x5xf32>
  return
}

// -----

func.func @slice_negative(%x: tensor<?x7xf32>) {
  // expected-error @below {{slice [-1, -1 + 5) along axis 1 is outside the input's size 7}}
  %0 = net.slice %x {axis = 1 : i64, offset = -1 : i64} : (tensor<?x7xf32>) -> tensor<?x5xf32>
  return
}

// -----

func.func @poly_sizes(%x: tensor<?x1xf32>) {
  // expected-error @below {{expects as many means as stds, at least one, got 2 and 1}}
  %0 = net.polyfeatures %x {mean = array<f64: 0.0, 0.5>, std = array<f64: 1.0>} : (tensor<?x1xf32>) -> tensor<?x2xf32>
  return
}

// -----

func.func @poly_std(%x: tensor<?x1xf32>) {
  // expected-error @below {{every std must be positive, got 0}}
  %0 = net.polyfeatures %x {mean = array<f64: 0.0, 0.5>, std = array<f64: 1.0, 0.0>} : (tensor<?x1xf32>) -> tensor<?x2xf32>
  return
}

// -----

func.func @poly_input(%x: tensor<?x2xf32>) {
  // expected-error @below {{expects an [N, 1] input (one x per row), got 'tensor<?x2xf32>'}}
  %0 = net.polyfeatures %x {mean = array<f64: 0.0>, std = array<f64: 1.0>} : (tensor<?x2xf32>) -> tensor<?x1xf32>
  return
}

// -----

func.func @poly_batch(%x: tensor<2x1xf32>) {
  // expected-error @below {{expects the result's batch (3) to equal the input's (2)}}
  %0 = net.polyfeatures %x {mean = array<f64: 0.0>, std = array<f64: 1.0>} : (tensor<2x1xf32>) -> tensor<3x1xf32>
  return
}

// -----

func.func @poly_degree(%x: tensor<?x1xf32>) {
  // expected-error @below {{expects the result's columns (3) to equal the degree (2)}}
  %0 = net.polyfeatures %x {mean = array<f64: 0.0, 0.5>, std = array<f64: 1.0, 1.0>} : (tensor<?x1xf32>) -> tensor<?x3xf32>
  return
}

//===----------------------------------------------------------------------===//
// Losses and metrics
//===----------------------------------------------------------------------===//

// -----

func.func @sce_labels(%l: tensor<?x10xf32>, %y: tensor<?x10xf32>) {
  // expected-error @below {{expects [N, 1] labels (one class index per row), got 'tensor<?x10xf32>'}}
  %0 = net.softmax_cross_entropy %l, %y : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<f32>
  return
}

// -----

func.func @sce_batch(%l: tensor<4x10xf32>, %y: tensor<5x1xf32>) {
  // expected-error @below {{expects the labels' batch (5) to equal the scores' batch (4)}}
  %0 = net.softmax_cross_entropy %l, %y : (tensor<4x10xf32>, tensor<5x1xf32>) -> tensor<f32>
  return
}

// -----

func.func @sce_smoothing(%l: tensor<?x10xf32>, %y: tensor<?x1xf32>) {
  // expected-error @below {{label_smoothing must be in [0, 1], got 1.5}}
  %0 = net.softmax_cross_entropy %l, %y {label_smoothing = 1.5 : f64} : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<f32>
  return
}

// -----

func.func @sce_grad_labels(%l: tensor<?x10xf32>, %y: tensor<?x2xf32>) {
  // expected-error @below {{expects [N, 1] labels (one class index per row), got 'tensor<?x2xf32>'}}
  %0 = net.softmax_cross_entropy_grad %l, %y : (tensor<?x10xf32>, tensor<?x2xf32>) -> tensor<?x10xf32>
  return
}

// -----

func.func @sce_grad_smoothing(%l: tensor<?x10xf32>, %y: tensor<?x1xf32>) {
  // expected-error @below {{label_smoothing must be in [0, 1], got -0.1}}
  %0 = net.softmax_cross_entropy_grad %l, %y {label_smoothing = -0.1 : f64} : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<?x10xf32>
  return
}

// -----

func.func @sce_logits_rank(%l: tensor<?x2x5xf32>, %y: tensor<?x1xf32>) {
  // expected-error @below {{operand #0 must be 2D tensor of 32-bit float or 64-bit float values}}
  %0 = net.softmax_cross_entropy %l, %y : (tensor<?x2x5xf32>, tensor<?x1xf32>) -> tensor<f32>
  return
}

// -----

func.func @accuracy_labels(%s: tensor<?x10xf32>, %y: tensor<?x3xf32>) {
  // expected-error @below {{expects [N, 1] labels (one class index per row), got 'tensor<?x3xf32>'}}
  %0 = net.accuracy_count %s, %y : (tensor<?x10xf32>, tensor<?x3xf32>) -> tensor<f32>
  return
}

// -----

func.func @top_k_labels(%s: tensor<4x10xf32>, %y: tensor<2x1xf32>) {
  // expected-error @below {{expects the labels' batch (2) to equal the scores' batch (4)}}
  %0 = net.top_k_count %s, %y {k = 5 : i64} : (tensor<4x10xf32>, tensor<2x1xf32>) -> tensor<f32>
  return
}

// -----

func.func @prob_ce_labels(%p: tensor<?x10xf32>, %y: tensor<?x10xf32>) {
  // expected-error @below {{expects [N, 1] labels (one class index per row), got 'tensor<?x10xf32>'}}
  %0 = net.prob_cross_entropy %p, %y : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<f32>
  return
}

// -----

func.func @prob_ce_grad_labels(%p: tensor<?x10xf32>, %y: tensor<?x4xf32>) {
  // expected-error @below {{expects [N, 1] labels (one class index per row), got 'tensor<?x4xf32>'}}
  %0 = net.prob_cross_entropy_grad %p, %y : (tensor<?x10xf32>, tensor<?x4xf32>) -> tensor<?x10xf32>
  return
}

// -----

func.func @sigmoid_ce_smoothing(%z: tensor<?x3xf32>) {
  // expected-error @below {{label_smoothing must be in [0, 1], got 2}}
  %0 = net.sigmoid_cross_entropy %z, %z {label_smoothing = 2.0 : f64} : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  return
}

// -----

func.func @sigmoid_ce_grad_smoothing(%z: tensor<?x3xf32>) {
  // expected-error @below {{label_smoothing must be in [0, 1], got 3}}
  %0 = net.sigmoid_cross_entropy_grad %z, %z {label_smoothing = 3.0 : f64} : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  return
}

// -----

func.func @pair_types(%p: tensor<?x3xf32>, %t: tensor<?x4xf32>) {
  // expected-error @below {{failed to verify that all of {pred, target} have same type}}
  %0 = net.mae %p, %t : (tensor<?x3xf32>, tensor<?x4xf32>) -> tensor<f32>
  return
}

// -----

func.func @regularizer_l1(%w: tensor<4xf32>) {
  // expected-error @below {{expects non-negative l1 and l2, got -1 and 0}}
  %0 = net.regularizer %w {l1 = -1.0 : f64, l2 = 0.0 : f64} : (tensor<4xf32>) -> tensor<f32>
  return
}

// -----

func.func @regularizer_grad_l2(%w: tensor<4xf32>) {
  // expected-error @below {{expects non-negative l1 and l2, got 0 and -2}}
  %0 = net.regularizer_grad %w, %w {l1 = 0.0 : f64, l2 = -2.0 : f64} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @regularizer_batch_mean_scalar(%w: tensor<f32>) {
  // expected-error @below {{batch_mean needs an input with a batch dimension, got 'tensor<f32>'}}
  %0 = net.regularizer %w {batch_mean, l1 = 0.0 : f64, l2 = 0.5 : f64} : (tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @regularizer_grad_batch_mean_scalar(%w: tensor<f32>) {
  // expected-error @below {{batch_mean needs an input with a batch dimension, got 'tensor<f32>'}}
  %0 = net.regularizer_grad %w, %w {batch_mean, l1 = 0.5 : f64, l2 = 0.0 : f64} : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @scalar_add_empty() {
  // expected-error @below {{expects at least one term}}
  %0 = net.scalar_add : () -> tensor<f32>
  return
}

// -----

func.func @scalar_add_types(%a: tensor<f32>, %b: tensor<f64>) {
  // expected-error @below {{expects every term to have the result's type 'tensor<f32>', got 'tensor<f64>'}}
  %0 = net.scalar_add %a, %b : (tensor<f32>, tensor<f64>) -> tensor<f32>
  return
}

//===----------------------------------------------------------------------===//
// Optimizer update
//===----------------------------------------------------------------------===//

// -----

func.func @update_grad_type(%w: tensor<4xf32>, %g: tensor<5xf32>, %lr: f32) {
  // expected-error @below {{expects the gradient to have the weight's type 'tensor<4xf32>'}}
  %0 = net.optimizer_update sgd %w, %g, %lr, %lr {config = {}} : (tensor<4xf32>, tensor<5xf32>, f32, f32) -> tensor<4xf32>
  return
}

// -----

func.func @update_slot_type(%w: tensor<4xf32>, %s: tensor<4xf64>, %lr: f32) {
  // expected-error @below {{expects every slot to have the weight's type 'tensor<4xf32>'}}
  %0:2 = net.optimizer_update adagrad %w, %w, slots(%s), %lr, %lr {config = {}} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf64>, f32, f32) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @update_scalars(%w: tensor<4xf32>, %lr: f64) {
  // expected-error @below {{expects the learning rate and iteration to be 'f32', the weight's element type}}
  %0 = net.optimizer_update sgd %w, %w, %lr, %lr {config = {}} : (tensor<4xf32>, tensor<4xf32>, f64, f64) -> tensor<4xf32>
  return
}

// -----

func.func @update_config(%w: tensor<4xf32>, %lr: f32) {
  // expected-error @below {{expects config value 'momentum' to be a float}}
  %0 = net.optimizer_update sgd %w, %w, %lr, %lr {config = {momentum = 1 : i64}} : (tensor<4xf32>, tensor<4xf32>, f32, f32) -> tensor<4xf32>
  return
}

// -----

// Adam keeps m and v: two slots (a third with amsgrad).
func.func @update_slots(%w: tensor<4xf32>, %lr: f32) {
  // expected-error @below {{optimizer 'adam' with this config expects 2 slots, got 0}}
  %0 = net.optimizer_update adam %w, %w, %lr, %lr {config = {}} : (tensor<4xf32>, tensor<4xf32>, f32, f32) -> tensor<4xf32>
  return
}

// -----

// sgd keeps a velocity only with momentum.
func.func @update_sgd_momentum(%w: tensor<4xf32>, %lr: f32) {
  // expected-error @below {{optimizer 'sgd' with this config expects 1 slots, got 0}}
  %0 = net.optimizer_update sgd %w, %w, %lr, %lr {config = {momentum = 0.9 : f64}} : (tensor<4xf32>, tensor<4xf32>, f32, f32) -> tensor<4xf32>
  return
}

// -----

func.func @update_results(%w: tensor<4xf32>, %lr: f32) {
  // expected-error @below {{expects 1 results (the weight and its slots), got 2}}
  %0:2 = net.optimizer_update sgd %w, %w, %lr, %lr {config = {}} : (tensor<4xf32>, tensor<4xf32>, f32, f32) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @update_result_type(%w: tensor<4xf32>, %lr: f32) {
  // expected-error @below {{expects every result to have the weight's type 'tensor<4xf32>'}}
  %0 = net.optimizer_update sgd %w, %w, %lr, %lr {config = {}} : (tensor<4xf32>, tensor<4xf32>, f32, f32) -> tensor<4xf64>
  return
}

// -----

// Ops whose only checks are the traits of NetOps.td (same types, rank-0
// sums): one case each.

func.func @add_types(%a: tensor<?x4xf32>, %b: tensor<?x5xf32>) {
  // expected-error @below {{requires the same type for all operands and results}}
  %0 = "net.add"(%a, %b) : (tensor<?x4xf32>, tensor<?x5xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @sigmoid_types(%a: tensor<?x4xf32>) {
  // expected-error @below {{requires the same type for all operands and results}}
  %0 = "net.sigmoid"(%a) : (tensor<?x4xf32>) -> tensor<?x4xf64>
  return
}

// -----

func.func @tanh_types(%a: tensor<?x4xf32>) {
  // expected-error @below {{requires the same type for all operands and results}}
  %0 = "net.tanh"(%a) : (tensor<?x4xf32>) -> tensor<?x5xf32>
  return
}

// -----

func.func @softmax_types(%a: tensor<?x4x4x4xf32>) {
  // expected-error @below {{requires the same type for all operands and results}}
  %0 = "net.softmax"(%a) : (tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf64>
  return
}

// -----

func.func @scale_types(%a: tensor<?x4xf32>) {
  // expected-error @below {{requires the same type for all operands and results}}
  %0 = "net.scale"(%a) {factor = 1.0 : f64} : (tensor<?x4xf32>) -> tensor<?x4xf64>
  return
}

// -----

func.func @abs_error_sum_types(%z: tensor<?x3xf32>, %t: tensor<?x4xf32>) {
  // expected-error @below {{failed to verify that all of {pred, target} have same type}}
  %0 = net.abs_error_sum %z, %t : (tensor<?x3xf32>, tensor<?x4xf32>) -> tensor<f32>
  return
}

// -----

func.func @squared_error_sum_result(%z: tensor<?x3xf32>, %t: tensor<?x3xf32>) {
  // expected-error @below {{failed to verify that sum is a rank-0 tensor of the element type of pred}}
  %0 = net.squared_error_sum %z, %t : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f64>
  return
}

// -----

func.func @binary_accuracy_count_types(%z: tensor<?x3xf32>, %t: tensor<?x1xf32>) {
  // expected-error @below {{failed to verify that all of {logits, labels} have same type}}
  %0 = net.binary_accuracy_count %z, %t : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<f32>
  return
}

// -----

func.func @mse_grad_types(%z: tensor<?x3xf32>, %t: tensor<?x4xf32>) {
  // expected-error @below {{failed to verify that all of {pred, target} have same type}}
  %0 = net.mse_grad %z, %t : (tensor<?x3xf32>, tensor<?x4xf32>) -> tensor<?x3xf32>
  return
}

// -----

func.func @mae_grad_result(%z: tensor<?x3xf32>, %t: tensor<?x3xf32>) {
  // expected-error @below {{failed to verify that all of {pred, result} have same type}}
  %0 = net.mae_grad %z, %t : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x4xf32>
  return
}
