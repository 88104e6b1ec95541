// Tests the signatures of the train and eval steps (StepSignature.h) for a
// network with a frozen weight, an optimizer with two slots (Adam) and
// non-trainable params that the training step replaces.
// RUN: netc-opt %s --netc-autodiff | FileCheck %s

// Tests that the train step takes x, y, the params, two slots per trainable
// param (grouped by param), the learning rate, the iteration and the seed,
// and returns the loss, the metric, the trainable params updated, their
// slots updated, then the replaced params; the eval step keeps the loss
// function's inputs and its first three results.
// CHECK-LABEL: func.func @sig_eval_step(
// CHECK-SAME: %{{[a-z0-9]+}}: tensor<?x2xf32>, %{{[a-z0-9]+}}: tensor<?x2xf32>, %{{[a-z0-9]+}}: tensor<2x2xf32>, %{{[a-z0-9]+}}: tensor<2xf32> {net.trainable = false}, %{{[a-z0-9]+}}: tensor<3xf32>, %{{[a-z0-9]+}}: tensor<2xf32> {net.trainable = false}, %{{[a-z0-9]+}}: tensor<2xf32> {net.trainable = false}, %{{[a-z0-9]+}}: f32)
// CHECK-SAME: -> (tensor<f32>, tensor<f32>, tensor<?x2xf32>)
// CHECK-NOT: net.moving_moments
// CHECK: return
// CHECK-LABEL: func.func @sig_train_step(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x2xf32>, %[[Y:[a-z0-9]+]]: tensor<?x2xf32>,
// CHECK-SAME: %[[W:[a-z0-9]+]]: tensor<2x2xf32>, %[[F:[a-z0-9]+]]: tensor<2xf32> {net.trainable = false}, %[[B:[a-z0-9]+]]: tensor<3xf32>,
// CHECK-SAME: %[[MM:[a-z0-9]+]]: tensor<2xf32> {net.trainable = false}, %[[MV:[a-z0-9]+]]: tensor<2xf32> {net.trainable = false},
// CHECK-SAME: %[[WM:[a-z0-9]+]]: tensor<2x2xf32>, %[[WV:[a-z0-9]+]]: tensor<2x2xf32>, %[[BM:[a-z0-9]+]]: tensor<3xf32>, %[[BV:[a-z0-9]+]]: tensor<3xf32>,
// CHECK-SAME: %[[LR:[a-z0-9]+]]: f32, %[[T:[a-z0-9]+]]: f32, %[[SEED:[a-z0-9]+]]: f32)
// CHECK-SAME: -> (tensor<f32>, tensor<f32>, tensor<2x2xf32>, tensor<3xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<2xf32>, tensor<2xf32>)
// CHECK-SAME: net.trainable_params = array<i64: 0, 2>
// CHECK: %[[D:.*]] = net.dropout %{{.*}}, %[[SEED]]
// CHECK: %[[NEWMEAN:[a-z_0-9]+]], %[[NEWVAR:[a-z_0-9]+]] = net.moving_moments
// CHECK: %[[UW:.*]]:3 = net.optimizer_update adam %[[W]], %{{.*}}, slots(%[[WM]], %[[WV]]), %[[LR]], %[[T]]
// CHECK: %[[UB:.*]]:3 = net.optimizer_update {{[a-z]+}} %[[B]], %{{.*}}, slots(%[[BM]], %[[BV]]), %[[LR]], %[[T]]
// CHECK: return %{{.*}}, %{{.*}}, %[[UW]]#0, %[[UB]]#0, %[[UW]]#1, %[[UW]]#2, %[[UB]]#1, %[[UB]]#2, %[[NEWMEAN]], %[[NEWVAR]] :
func.func @sig(%x: tensor<?x2xf32>, %y: tensor<?x2xf32>, %w: tensor<2x2xf32>,
               %f: tensor<2xf32> {net.trainable = false}, %b: tensor<3xf32>,
               %mm: tensor<2xf32> {net.trainable = false},
               %mv: tensor<2xf32> {net.trainable = false}, %seed: f32)
    -> (tensor<f32>, tensor<f32>, tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>)
    attributes {net.loss_function, net.optimizer = "adam",
                net.optimizer_config = {learning_rate = 1.0e-03 : f64},
                net.slot_init = array<f64: 0.0, 0.0>,
                net.updated_params = array<i64: 3, 4>} {
  %h = net.matmul %x, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  %z = net.bias_add %h, %f : (tensor<?x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %d = net.dropout %z, %seed {rate = 5.0e-01 : f64, salt = 1 : i64, training} : tensor<?x2xf32>
  %mom:2 = net.moving_moments %d, %mm, %mv {momentum = 9.9e-01 : f64} : (tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>)
  %l = net.mse %d, %y : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<f32>
  %r = net.regularizer %b {l1 = 0.0 : f64, l2 = 1.0e-02 : f64} : (tensor<3xf32>) -> tensor<f32>
  %m = net.squared_error_sum %d, %y : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<f32>
  %s = net.scalar_add %l, %r : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %s, %m, %d, %mom#0, %mom#1 : tensor<f32>, tensor<f32>, tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>
}
