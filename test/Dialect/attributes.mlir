// Tests that every discardable net.* attribute is accepted in its place with
// its declared type (NetDialect.td), and round-trips.
// RUN: netc-opt %s | netc-opt | FileCheck %s

// CHECK-LABEL: func.func @k0(
// CHECK-SAME: {net.param = "dense/kernel", net.trainable = true}
// CHECK-SAME: f32 {net.seed}
// CHECK-SAME: net.loss = "mse", net.loss_function, net.metric = "mse", net.network = "Lin()", net.optimizer = "adam"
// CHECK-SAME: net.optimizer_config = {beta_1 = 9.000000e-01 : f64}
// CHECK-SAME: net.slot_init = array<f64: 0.000000e+00, 0.000000e+00>, net.train_only, net.updated_params = array<i64>
func.func @k0(%x: tensor<?x2xf32>, %y: tensor<?x1xf32>,
              %w: tensor<2x1xf32> {net.param = "dense/kernel", net.trainable = true},
              %seed: f32 {net.seed})
    attributes {net.loss_function, net.train_only, net.network = "Lin()",
                net.loss = "mse", net.metric = "mse", net.optimizer = "adam",
                net.optimizer_config = {beta_1 = 0.9 : f64},
                net.slot_init = array<f64: 0.0, 0.0>,
                net.updated_params = array<i64>} {
  return
}

// CHECK-LABEL: func.func @k0_train_step(
// CHECK-SAME: net.train_step, net.trainable_params = array<i64: 2>
func.func @k0_train_step(%x: tensor<?x2xf32>, %y: tensor<?x1xf32>,
                         %w: tensor<2x1xf32>)
    attributes {net.train_step, net.trainable_params = array<i64: 2>} {
  return
}

// CHECK-LABEL: func.func @k0_eval_step(
// CHECK-SAME: attributes {net.eval_step}
func.func @k0_eval_step() attributes {net.eval_step} {
  return
}

// CHECK-LABEL: func.func @k0_train(
// CHECK-SAME: %{{.*}}: memref<?xf32> {net.workspace}, %{{.*}}: index {net.capacity})
// CHECK-SAME: net.entry = "train", net.kernel = "k0", net.state_floats = 4 : i64
// CHECK-SAME: net.state_init = {{\[}}[0, 2, 0.000000e+00], [2, 2, 1.000000e+00]]
// CHECK-SAME: net.ws_fixed = 0 : i64, net.ws_per_sample = 128 : i64
func.func @k0_train(%ws: memref<?xf32> {net.workspace}, %cap: index {net.capacity})
    attributes {net.entry = "train", net.kernel = "k0", net.state_floats = 4 : i64,
                net.state_init = [[0 : i64, 2 : i64, 0.0 : f64], [2 : i64, 2 : i64, 1.0 : f64]],
                net.ws_per_sample = 128 : i64, net.ws_fixed = 0 : i64} {
  return
}
