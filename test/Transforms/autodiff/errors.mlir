// Tests the reverse-mode pass's errors: an op on the differentiated path
// without a gradient rule, a loss term without one, and forms the rules
// cannot differentiate. Each is an error at the op (or the function).
// RUN: netc-opt %s --netc-autodiff -split-input-file -verify-diagnostics

// Tests that an op through which an adjoint flows but that has no gradient
// rule (polyfeatures: the network's first layer, never on the path in a
// program) is an error naming it, not a silent skip.
func.func @no_rule(%x: tensor<?x1xf32>, %y: tensor<?x2xf32>, %b: tensor<1xf32>, %seed: f32)
    -> (tensor<f32>, tensor<f32>, tensor<?x2xf32>)
    attributes {net.loss_function, net.optimizer = "sgd",
                net.optimizer_config = {learning_rate = 1.0e-01 : f64},
                net.slot_init = array<f64>, net.updated_params = array<i64>} {
  %z = net.bias_add %x, %b : (tensor<?x1xf32>, tensor<1xf32>) -> tensor<?x1xf32>
  // expected-error @+1 {{'net.polyfeatures' op is on the path from a trainable weight to the loss but has no gradient rule (DifferentiableOpInterface)}}
  %p = net.polyfeatures %z {mean = array<f64: 0.0, 1.0>, std = array<f64: 1.0, 1.0>} : (tensor<?x1xf32>) -> tensor<?x2xf32>
  %l = net.mse %p, %y : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<f32>
  %m = net.squared_error_sum %p, %y : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<f32>
  %s = net.scalar_add %l : (tensor<f32>) -> tensor<f32>
  return %s, %m, %p : tensor<f32>, tensor<f32>, tensor<?x2xf32>
}

// -----

// Tests that an op with several results is asked for its rule like any
// other when an adjoint reaches one of its results (here moving_moments,
// which has no rule, through a regularizer on its first result).
func.func @multi_result(%x: tensor<?x3xf32>, %y: tensor<?x3xf32>, %b: tensor<3xf32>,
                        %mm: tensor<3xf32> {net.trainable = false},
                        %mv: tensor<3xf32> {net.trainable = false}, %seed: f32)
    -> (tensor<f32>, tensor<f32>, tensor<?x3xf32>)
    attributes {net.loss_function, net.optimizer = "sgd",
                net.optimizer_config = {learning_rate = 1.0e-01 : f64},
                net.slot_init = array<f64>, net.updated_params = array<i64>} {
  %z = net.bias_add %x, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  // expected-error @+1 {{'net.moving_moments' op is on the path from a trainable weight to the loss but has no gradient rule}}
  %mom:2 = net.moving_moments %z, %mm, %mv {momentum = 9.9e-01 : f64} : (tensor<?x3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  %l = net.mse %z, %y : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  %r = net.regularizer %mom#0 {l1 = 0.0 : f64, l2 = 1.0 : f64} : (tensor<3xf32>) -> tensor<f32>
  %m = net.squared_error_sum %z, %y : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  %s = net.scalar_add %l, %r : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %s, %m, %z : tensor<f32>, tensor<f32>, tensor<?x3xf32>
}

// -----

// Tests that a term of the loss sum without a loss rule (a metric) is an
// error naming it.
func.func @metric_term(%x: tensor<?x3xf32>, %y: tensor<?x1xf32>, %b: tensor<3xf32>, %seed: f32)
    -> (tensor<f32>, tensor<f32>, tensor<?x3xf32>)
    attributes {net.loss_function, net.optimizer = "sgd",
                net.optimizer_config = {learning_rate = 1.0e-01 : f64},
                net.slot_init = array<f64>, net.updated_params = array<i64>} {
  %z = net.bias_add %x, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %l = net.softmax_cross_entropy %z, %y : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<f32>
  // expected-error @+1 {{'net.accuracy_count' op is not a loss term with a gradient rule (LossTermOpInterface)}}
  %m = net.accuracy_count %z, %y : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<f32>
  %s = net.scalar_add %l, %m : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %s, %m, %z : tensor<f32>, tensor<f32>, tensor<?x3xf32>
}

// -----

// Tests that a loss term must be an op's result.
// expected-error @+1 {{loss term #1 is not the result of an op}}
func.func @argument_term(%x: tensor<?x3xf32>, %y: tensor<?x1xf32>, %b: tensor<3xf32>,
                         %t: tensor<f32> {net.trainable = false}, %seed: f32)
    -> (tensor<f32>, tensor<f32>, tensor<?x3xf32>)
    attributes {net.loss_function, net.optimizer = "sgd",
                net.optimizer_config = {learning_rate = 1.0e-01 : f64},
                net.slot_init = array<f64>, net.updated_params = array<i64>} {
  %z = net.bias_add %x, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %l = net.softmax_cross_entropy %z, %y : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<f32>
  %m = net.accuracy_count %z, %y : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<f32>
  %s = net.scalar_add %l, %t : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %s, %m, %z : tensor<f32>, tensor<f32>, tensor<?x3xf32>
}

// -----

// Tests that the loss must be a sum of terms (net.scalar_add).
// expected-error @+1 {{loss is not a sum of loss terms}}
func.func @not_a_sum(%x: tensor<?x3xf32>, %y: tensor<?x1xf32>, %b: tensor<3xf32>, %seed: f32)
    -> (tensor<f32>, tensor<f32>, tensor<?x3xf32>)
    attributes {net.loss_function, net.optimizer = "sgd",
                net.optimizer_config = {learning_rate = 1.0e-01 : f64},
                net.slot_init = array<f64>, net.updated_params = array<i64>} {
  %z = net.bias_add %x, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %l = net.softmax_cross_entropy %z, %y : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<f32>
  %m = net.accuracy_count %z, %y : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<f32>
  return %l, %m, %z : tensor<f32>, tensor<f32>, tensor<?x3xf32>
}

// -----

// Tests that the loss function must name its optimizer.
// expected-error @+1 {{loss function without net.optimizer and net.optimizer_config}}
func.func @no_optimizer(%x: tensor<?x3xf32>, %y: tensor<?x1xf32>, %b: tensor<3xf32>, %seed: f32)
    -> (tensor<f32>, tensor<f32>, tensor<?x3xf32>)
    attributes {net.loss_function, net.slot_init = array<f64>} {
  %z = net.bias_add %x, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %l = net.softmax_cross_entropy %z, %y : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<f32>
  %m = net.accuracy_count %z, %y : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<f32>
  %s = net.scalar_add %l : (tensor<f32>) -> tensor<f32>
  return %s, %m, %z : tensor<f32>, tensor<f32>, tensor<?x3xf32>
}

// -----

// Tests that matmul's rule refuses a transposed operand.
func.func @transposed(%x: tensor<?x3xf32>, %y: tensor<?x1xf32>, %w: tensor<2x3xf32>, %seed: f32)
    -> (tensor<f32>, tensor<f32>, tensor<?x2xf32>)
    attributes {net.loss_function, net.optimizer = "sgd",
                net.optimizer_config = {learning_rate = 1.0e-01 : f64},
                net.slot_init = array<f64>, net.updated_params = array<i64>} {
  // expected-error @+1 {{cannot differentiate a transposed matmul}}
  %z = net.matmul %x, %w {transpose_rhs = true} : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x2xf32>
  %l = net.softmax_cross_entropy %z, %y : (tensor<?x2xf32>, tensor<?x1xf32>) -> tensor<f32>
  %m = net.accuracy_count %z, %y : (tensor<?x2xf32>, tensor<?x1xf32>) -> tensor<f32>
  %s = net.scalar_add %l : (tensor<f32>) -> tensor<f32>
  return %s, %m, %z : tensor<f32>, tensor<f32>, tensor<?x2xf32>
}

// -----

// Tests that batchnorm's rule refuses an inference batchnorm.
func.func @inference_bn(%x: tensor<?x3xf32>, %y: tensor<?x1xf32>, %g: tensor<3xf32>,
                        %beta: tensor<3xf32>, %mm: tensor<3xf32>, %mv: tensor<3xf32>, %seed: f32)
    -> (tensor<f32>, tensor<f32>, tensor<?x3xf32>)
    attributes {net.loss_function, net.optimizer = "sgd",
                net.optimizer_config = {learning_rate = 1.0e-01 : f64},
                net.slot_init = array<f64>, net.updated_params = array<i64>} {
  // expected-error @+1 {{cannot differentiate an inference batchnorm}}
  %z = net.batchnorm %x, %g, %beta, %mm, %mv {epsilon = 1.0e-03 : f64} : (tensor<?x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %l = net.softmax_cross_entropy %z, %y : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<f32>
  %m = net.accuracy_count %z, %y : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<f32>
  %s = net.scalar_add %l : (tensor<f32>) -> tensor<f32>
  return %s, %m, %z : tensor<f32>, tensor<f32>, tensor<?x3xf32>
}
