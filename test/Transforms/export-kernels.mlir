// Tests that --netc-export-kernels wraps each step into its C-ABI entry point
// (runtime/include/netc/Abi.h) and erases the step: train(params, state, x,
// y, n, ws, cap, hyper, metrics) and eval(params, x, y, n, ws, cap, metrics,
// out) over flat memrefs; each param a static-offset view of `params` (in
// argument order), each optimizer slot one of `state`; hyper[0..2] the
// learning rate, iteration and seed; loss and metric stored to metrics[0..1];
// updated trainable params and slots written back in place, the frozen param
// not; and the attributes the driver reads (net.entry, net.kernel,
// net.state_floats, net.state_init) on the entries, the workspace arguments
// marked for convert-net-to-linalg.
// RUN: netc-opt %s --netc-autodiff --netc-export-kernels | FileCheck %s --implicit-check-not=_step

// CHECK-LABEL: func.func @k0_eval(
// CHECK-SAME: %{{.*}}: memref<?xf32>, %{{.*}}: memref<?xf32>, %{{.*}}: memref<?xf32>, %{{.*}}: index, %{{.*}}: memref<?xf32> {net.workspace}, %{{.*}}: index {net.capacity}, %{{.*}}: memref<?xf32>, %{{.*}}: memref<?xf32>)
// CHECK-SAME: attributes {llvm.emit_c_interface, net.entry = "eval", net.kernel = "k0"
// CHECK: return

// CHECK-LABEL: func.func @k0_train(
// CHECK-SAME: %[[PARAMS:[a-z0-9]+]]: memref<?xf32>, %[[STATE:[a-z0-9]+]]: memref<?xf32>, %[[X:[a-z0-9]+]]: memref<?xf32>, %[[Y:[a-z0-9]+]]: memref<?xf32>, %[[N:[a-z0-9]+]]: index, %{{.*}}: memref<?xf32> {net.workspace}, %{{.*}}: index {net.capacity}, %[[HYPER:[a-z0-9]+]]: memref<?xf32>, %[[METRICS:[a-z0-9]+]]: memref<?xf32>)
// CHECK-SAME: attributes {llvm.emit_c_interface, net.entry = "train", net.kernel = "k0"
// CHECK-SAME: net.state_floats = 2 : i64, net.state_init = {{\[}}[0, 2, 0.000000e+00]]}
// CHECK: memref.reinterpret_cast %[[X]] to offset: [0], sizes: [%[[N]], 2], strides: [2, 1]
// CHECK: memref.reinterpret_cast %[[Y]] to offset: [0], sizes: [%[[N]], 1], strides: [1, 1]
// CHECK: %[[W:.*]] = memref.reinterpret_cast %[[PARAMS]] to offset: [0], sizes: [2, 1]
// CHECK: memref.reinterpret_cast %[[PARAMS]] to offset: [2], sizes: [2, 1]
// CHECK: %[[SLOT:.*]] = memref.reinterpret_cast %[[STATE]] to offset: [0], sizes: [2, 1]
// CHECK: %[[LR:.*]] = memref.load %[[HYPER]][%c0]
// CHECK: %[[T:.*]] = memref.load %[[HYPER]][%c1]
// CHECK: memref.load %[[HYPER]][%c2]
// CHECK: %[[UPD:.*]]:2 = net.optimizer_update {{.*}}, %[[LR]], %[[T]]
// CHECK: memref.store %{{.*}}, %[[METRICS]][%{{.*}}]
// CHECK: memref.store %{{.*}}, %[[METRICS]][%{{.*}}]
// CHECK: bufferization.materialize_in_destination %[[UPD]]#0 in restrict writable %[[W]]
// CHECK-NEXT: bufferization.materialize_in_destination %[[UPD]]#1 in restrict writable %[[SLOT]]
// CHECK-NEXT: return

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
