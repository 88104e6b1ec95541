// Tests the --netc-autodiff pass as a whole (the rules have their own
// tests): each net.loss_function becomes <name>_train_step, taking x, y, the
// params, one slot per trainable param and optimizer slot, lr, t and seed,
// returning loss, metric, the updated trainable params and slots; only the
// trainable param gets a gradient and an optimizer update; the steps keep
// the loss function's attributes and argument attributes; a net.train_only
// function gets no eval step; the loss functions are erased.
// RUN: netc-opt %s --netc-autodiff | FileCheck %s --implicit-check-not=net.loss_function --implicit-check-not=k1_eval_step

// CHECK-LABEL: func.func @k0_eval_step(
// CHECK-SAME: %{{.*}}: tensor<?x2xf32>, %{{.*}}: tensor<?x1xf32>, %{{.*}}: tensor<2x1xf32> {net.param = "dense/kernel", net.trainable = true}, %{{.*}}: tensor<2x1xf32> {net.param = "frozen/kernel", net.trainable = false}, %{{.*}}: f32 {net.seed})
// CHECK-SAME: -> (tensor<f32>, tensor<f32>, tensor<?x1xf32>)
// CHECK-SAME: net.eval_step, net.loss = "mse", net.metric = "mse", net.network = "Lin()"
// CHECK-NOT: _grad
// CHECK: return

// CHECK-LABEL: func.func @k0_train_step(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x2xf32>, %[[Y:[a-z0-9]+]]: tensor<?x1xf32>, %[[W:[a-z0-9]+]]: tensor<2x1xf32> {net.param = "dense/kernel", net.trainable = true}, %[[M:[a-z0-9]+]]: tensor<2x1xf32> {net.param = "frozen/kernel", net.trainable = false}, %[[SLOT:[a-z0-9]+]]: tensor<2x1xf32>, %[[LR:[a-z0-9]+]]: f32, %[[T:[a-z0-9]+]]: f32, %{{[a-z0-9]+}}: f32)
// CHECK-SAME: -> (tensor<f32>, tensor<f32>, tensor<2x1xf32>, tensor<2x1xf32>)
// CHECK-SAME: net.loss = "mse", net.metric = "mse", net.network = "Lin()", net.optimizer = "sgd"
// CHECK-SAME: net.slot_init = array<f64: 0.000000e+00>, net.train_step, net.trainable_params = array<i64: 0>, net.updated_params = array<i64>
// CHECK: %[[DY:.*]] = net.mse_grad
// CHECK: %[[DW:.*]] = net.matmul %[[X]], %[[DY]] {transpose_lhs = true}
// CHECK-NOT: net.matmul
// CHECK: %[[NEW:.*]]:2 = net.optimizer_update sgd %[[W]], %[[DW]], slots(%[[SLOT]]), %[[LR]], %[[T]]
// CHECK-NOT: net.optimizer_update
// CHECK: return %{{.*}}, %{{.*}}, %[[NEW]]#0, %[[NEW]]#1 :

// CHECK-LABEL: func.func @k1_train_step(
// CHECK-SAME: net.train_step
// CHECK-NOT: func.func
func.func @k0(%x: tensor<?x2xf32>, %y: tensor<?x1xf32>,
              %w: tensor<2x1xf32> {net.param = "dense/kernel", net.trainable = true},
              %m: tensor<2x1xf32> {net.param = "frozen/kernel", net.trainable = false},
              %seed: f32 {net.seed}) -> (tensor<f32>, tensor<f32>, tensor<?x1xf32>)
    attributes {net.loss_function, net.network = "Lin()", net.loss = "mse",
                net.metric = "mse", net.optimizer = "sgd",
                net.optimizer_config = {learning_rate = 0.1 : f64, momentum = 0.9 : f64},
                net.slot_init = array<f64: 0.0>, net.updated_params = array<i64>} {
  %a = net.matmul %x, %w : (tensor<?x2xf32>, tensor<2x1xf32>) -> tensor<?x1xf32>
  %b = net.matmul %x, %m : (tensor<?x2xf32>, tensor<2x1xf32>) -> tensor<?x1xf32>
  %o = net.add %a, %b : tensor<?x1xf32>
  %l = net.mse %o, %y : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
  %s = net.squared_error_sum %o, %y : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
  %loss = net.scalar_add %l : (tensor<f32>) -> tensor<f32>
  return %loss, %s, %o : tensor<f32>, tensor<f32>, tensor<?x1xf32>
}

func.func @k1(%x: tensor<?x2xf32>, %y: tensor<?x1xf32>,
              %w: tensor<2x1xf32> {net.param = "dense/kernel", net.trainable = true},
              %seed: f32 {net.seed}) -> (tensor<f32>, tensor<f32>, tensor<?x1xf32>)
    attributes {net.loss_function, net.train_only, net.optimizer = "sgd",
                net.optimizer_config = {learning_rate = 0.1 : f64},
                net.slot_init = array<f64>, net.updated_params = array<i64>} {
  %o = net.matmul %x, %w : (tensor<?x2xf32>, tensor<2x1xf32>) -> tensor<?x1xf32>
  %l = net.mse %o, %y : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
  %s = net.squared_error_sum %o, %y : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
  %loss = net.scalar_add %l : (tensor<f32>) -> tensor<f32>
  return %loss, %s, %o : tensor<f32>, tensor<f32>, tensor<?x1xf32>
}
