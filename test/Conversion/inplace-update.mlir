// Tests that a train entry point updates its weights and optimizer slots in
// place: export-kernels reads each trainable weight and each slot with a
// writable bufferization.to_tensor when its optimizer update is the last op
// that uses it (the frozen weight stays read-only); the update's
// linalg.generic takes the weight and slots as its outputs; after
// bufferization (the real pipeline, printed after linalg becomes loops) the
// update's loop stores straight into the views of the `params` and `state`
// arguments, and no temporary of the weight's shape is allocated or copied
// back. @k1 reads its weight after the update (hand-written: autodiff never
// does), so that weight stays read-only and the update goes to a temporary.
// RUN: netc-opt %s --netc-autodiff --netc-export-kernels | FileCheck %s --check-prefix=EXPORT
// RUN: netc-opt %s --netc-autodiff --netc-export-kernels --netc-to-llvm \
// RUN:   --mlir-disable-threading -mlir-print-ir-after=convert-linalg-to-parallel-loops \
// RUN:   -o /dev/null 2>&1 \
// RUN:   | FileCheck %s

// EXPORT-LABEL: func.func @k0_train(
// EXPORT: %[[W:.*]] = memref.reinterpret_cast %arg0 to offset: [0], sizes: [2, 3]
// EXPORT-NEXT: bufferization.to_tensor %[[W]] restrict writable :
// EXPORT: %[[F:.*]] = memref.reinterpret_cast %arg0 to offset: [6], sizes: [2, 3]
// EXPORT-NEXT: bufferization.to_tensor %[[F]] restrict :
// EXPORT: %[[M:.*]] = memref.reinterpret_cast %arg1 to offset: [0], sizes: [2, 3]
// EXPORT-NEXT: bufferization.to_tensor %[[M]] restrict writable :
// EXPORT: %[[V:.*]] = memref.reinterpret_cast %arg1 to offset: [6], sizes: [2, 3]
// EXPORT-NEXT: bufferization.to_tensor %[[V]] restrict writable :

// EXPORT-LABEL: func.func @k1_train(
// EXPORT: %[[W1:.*]] = memref.reinterpret_cast %arg0 to offset: [0], sizes: [2, 3]
// EXPORT-NEXT: bufferization.to_tensor %[[W1]] restrict :
// EXPORT: %[[S1:.*]] = memref.reinterpret_cast %arg1 to offset: [0], sizes: [2, 3]
// EXPORT-NEXT: bufferization.to_tensor %[[S1]] restrict writable :

// The frozen weight's view is the only other 2x3 param view: no temporary
// of the weight's shape, no copy loop into the views.
// CHECK-LABEL: func.func @k0_train(
// CHECK-NOT: memref.alloc() {{.*}} : memref<2x3xf32>
// CHECK: %[[W:.*]] = memref.reinterpret_cast %arg0 to offset: [0], sizes: [2, 3], strides: [3, 1]
// CHECK: %[[M:.*]] = memref.reinterpret_cast %arg1 to offset: [0], sizes: [2, 3], strides: [3, 1]
// CHECK: %[[V:.*]] = memref.reinterpret_cast %arg1 to offset: [6], sizes: [2, 3], strides: [3, 1]
// CHECK-NOT: memref.alloc() {{.*}} : memref<2x3xf32>
// CHECK: scf.parallel (%[[I:.*]], %[[J:.*]]) = (%c0, %c0) to (%c2, %c3)
// CHECK-DAG: memref.load %[[W]][%[[I]], %[[J]]]
// CHECK-DAG: memref.load %[[M]][%[[I]], %[[J]]]
// CHECK-DAG: memref.load %[[V]][%[[I]], %[[J]]]
// CHECK: math.sqrt
// CHECK-DAG: memref.store %{{.*}}, %[[W]][%[[I]], %[[J]]]
// CHECK-DAG: memref.store %{{.*}}, %[[M]][%[[I]], %[[J]]]
// CHECK-DAG: memref.store %{{.*}}, %[[V]][%[[I]], %[[J]]]
// CHECK: scf.reduce
// CHECK-NOT: memref.store %{{.*}}, %[[W]]
// CHECK-NOT: memref.store %{{.*}}, %[[M]]
// CHECK-NOT: memref.store %{{.*}}, %[[V]]
// CHECK: return

// @k1: the update goes to a temporary, copied into the weight's view after.
// CHECK-LABEL: func.func @k1_train(
// CHECK: %[[W1:.*]] = memref.reinterpret_cast %arg0 to offset: [0], sizes: [2, 3], strides: [3, 1]
// CHECK: %[[T:.*]] = memref.alloc() {{.*}} : memref<2x3xf32>
// CHECK: math.sqrt
// CHECK: memref.store %{{.*}}, %[[T]]
// CHECK: call @netc_matmul(
// CHECK: memref.load %[[T]]
// CHECK-NEXT: memref.store %{{.*}}, %[[W1]]

func.func @k0(%x: tensor<?x2xf32>, %y: tensor<?x3xf32>,
              %w: tensor<2x3xf32> {net.param = "dense/kernel", net.trainable = true},
              %f: tensor<2x3xf32> {net.param = "frozen/kernel", net.trainable = false},
              %seed: f32 {net.seed}) -> (tensor<f32>, tensor<f32>, tensor<?x3xf32>)
    attributes {net.loss_function, net.network = "Lin()", net.loss = "mse",
                net.metric = "mse", net.optimizer = "adam",
                net.optimizer_config = {learning_rate = 0.001 : f64, beta_1 = 0.9 : f64, beta_2 = 0.999 : f64, epsilon = 1.0e-7 : f64},
                net.slot_init = array<f64: 0.0, 0.0>, net.updated_params = array<i64>} {
  %a = net.matmul %x, %w : (tensor<?x2xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  %b = net.matmul %x, %f : (tensor<?x2xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  %o = net.add %a, %b : tensor<?x3xf32>
  %l = net.mse %o, %y : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  %s = net.squared_error_sum %o, %y : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  %loss = net.scalar_add %l : (tensor<f32>) -> tensor<f32>
  return %loss, %s, %o : tensor<f32>, tensor<f32>, tensor<?x3xf32>
}

// A train step whose metric reads the weight after its update.
func.func @k1_train_step(%x: tensor<?x2xf32>, %y: tensor<?x3xf32>,
                         %w: tensor<2x3xf32> {net.param = "dense/kernel", net.trainable = true},
                         %v: tensor<2x3xf32>, %lr: f32, %it: f32, %seed: f32)
    -> (tensor<f32>, tensor<f32>, tensor<2x3xf32>, tensor<2x3xf32>)
    attributes {net.loss = "mse", net.metric = "mse", net.network = "Lin()",
                net.optimizer = "adagrad", net.optimizer_config = {epsilon = 1.0e-7 : f64},
                net.slot_init = array<f64: 0.1>, net.train_step,
                net.trainable_params = array<i64: 0>, net.updated_params = array<i64>} {
  %a = net.matmul %x, %w : (tensor<?x2xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  %l = net.mse %a, %y : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  %g0 = net.mse_grad %a, %y : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  %g = net.matmul %x, %g0 {transpose_lhs = true} : (tensor<?x2xf32>, tensor<?x3xf32>) -> tensor<2x3xf32>
  %u:2 = net.optimizer_update adagrad %w, %g, slots(%v), %lr, %it {config = {epsilon = 1.0e-7 : f64}} : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, f32, f32) -> (tensor<2x3xf32>, tensor<2x3xf32>)
  %late = net.matmul %x, %w : (tensor<?x2xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  %s = net.squared_error_sum %late, %y : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  return %l, %s, %u#0, %u#1 : tensor<f32>, tensor<f32>, tensor<2x3xf32>, tensor<2x3xf32>
}
