// Tests that the net dialect verifies its discardable attributes (one case
// per branch of NetDialect::verify*Attribute): known names only, each in its
// place (on a function or on a function's argument, never on a result), with
// the type NetDialect.td declares, and the values that passes and the driver
// read back without checking again.
// RUN: netc-opt %s -split-input-file -verify-diagnostics

// expected-error @below {{'func.func' op has unknown attribute 'net.param_floats'}}
func.func @unknown() attributes {net.param_floats = array<i64: 0>} {
  return
}

// -----

// expected-error @below {{has 'net.kernel' on an argument: it belongs on a function}}
func.func @function_attr_on_argument(%a: memref<?xf32> {net.kernel = "k0"}) {
  return
}

// -----

// expected-error @below {{has 'net.workspace' on the operation: it belongs on a function's argument}}
func.func @argument_attr_on_function() attributes {net.workspace} {
  return
}

// -----

func.func @not_a_function() {
  // expected-error @below {{'arith.constant' op has 'net.train_step', which belongs on a function}}
  %c = arith.constant {net.train_step} 0 : index
  return
}

// -----

// expected-error @below {{has 'net.param' on a result: the net dialect declares no result attributes}}
func.func @result_attr() -> (f32 {net.param = "w"}) {
  %c = arith.constant 0.0 : f32
  return %c : f32
}

// -----

// expected-error @below {{expects 'net.loss' to be a StringAttr, not 3 : i64}}
func.func @wrong_type() attributes {net.loss = 3} {
  return
}

// -----

// expected-error @below {{expects 'net.trainable' to be a BoolAttr, not "yes"}}
func.func @wrong_argument_type(%w: tensor<2xf32> {net.trainable = "yes"}) {
  return
}

// -----

// expected-error @below {{'net.entry' must be "train", "train_f64" or "eval"}}
func.func @k0_infer() attributes {net.entry = "infer"} {
  return
}

// -----

// expected-error @below {{'net.kernel' must name a kernel k<index>}}
func.func @kernel0_train() attributes {net.kernel = "kernel0"} {
  return
}

// -----

// expected-error @below {{'net.ws_fixed' must be a non-negative i64}}
func.func @negative() attributes {net.ws_fixed = -1 : i64} {
  return
}

// -----

// expected-error @below {{'net.state_floats' must be a non-negative i64}}
func.func @not_i64() attributes {net.state_floats = 4 : i32} {
  return
}

// -----

// expected-error @below {{'net.state_init' must list [offset: i64, size: i64, value: float]}}
func.func @pair() attributes {net.state_init = [[0, 10, 0.0 : f64], [10, 10]]} {
  return
}

// -----

// expected-error @below {{'net.optimizer_config' must map hyperparameter names to floats}}
func.func @config() attributes {net.optimizer_config = {beta = "high"}} {
  return
}

// -----

// expected-error @below {{'net.trainable_params' lists 2, not a parameter index}}
func.func @index(%x: tensor<2xf32>, %w: tensor<2xf32>)
    attributes {net.trainable_params = array<i64: 1, 2>} {
  return
}

// -----

// expected-error @below {{'net.updated_params' lists -1, not a parameter index}}
func.func @negative_index(%x: tensor<2xf32>)
    attributes {net.updated_params = array<i64: -1>} {
  return
}
