// Tests that a weight's optimizer update is one loop nest, run on the
// OpenMP team: after --netc-parallelize-loops (in the real pipeline), the
// Adam update of the dense kernel is an outlined body <entry>_par<i> whose
// single scf.parallel reads the gradient, the weight and both slots and
// stores the new weight and slots (three stores, one pass) into the views
// of `params` and `state` it receives, and the entry calls
// netc_parallel_for on it over the weight's rows, inside the optimizer's
// profile region (family 9, `optimizer update` in netc/Profile.def).
// RUN: netc-opt %s --netc-autodiff --netc-export-kernels --netc-to-llvm \
// RUN:   --mlir-disable-threading -mlir-print-ir-after=netc-parallelize-loops \
// RUN:   -o /dev/null 2>&1 | FileCheck %s

// CHECK-LABEL: func.func private @k0_train_par{{[0-9]+}}(
// CHECK-SAME: %[[CTX:.*]]: !llvm.ptr, %[[LO:.*]]: index, %[[HI:.*]]: index)
// CHECK: %[[G:.*]] = builtin.unrealized_conversion_cast %{{.*}} to memref<4x3xf32, strided<[3, 1], offset: ?>>
// CHECK: %[[W:.*]] = builtin.unrealized_conversion_cast %{{.*}} to memref<4x3xf32, strided<[3, 1]>>
// CHECK: %[[M:.*]] = builtin.unrealized_conversion_cast %{{.*}} to memref<4x3xf32, strided<[3, 1]>>
// CHECK: %[[V:.*]] = builtin.unrealized_conversion_cast %{{.*}} to memref<4x3xf32, strided<[3, 1], offset: 12>>
// CHECK: scf.parallel (%[[I:.*]], %[[J:.*]]) = (%[[LO]], %{{.*}}) to (%[[HI]], %{{.*}})
// CHECK-DAG: memref.load %[[G]][%[[I]], %[[J]]]
// CHECK-DAG: memref.load %[[W]][%[[I]], %[[J]]]
// CHECK-DAG: memref.load %[[M]][%[[I]], %[[J]]]
// CHECK-DAG: memref.load %[[V]][%[[I]], %[[J]]]
// CHECK: math.sqrt
// CHECK: memref.store %{{.*}}, %[[W]][%[[I]], %[[J]]]
// CHECK-NEXT: memref.store %{{.*}}, %[[M]][%[[I]], %[[J]]]
// CHECK-NEXT: memref.store %{{.*}}, %[[V]][%[[I]], %[[J]]]
// CHECK-NEXT: scf.reduce
// CHECK-NEXT: }
// CHECK-NEXT: return

// CHECK-LABEL: func.func @k0_train(
// CHECK: call @netc_profile_begin(%[[FAM:c9_i32[_0-9]*]])
// CHECK: %[[F:.*]] = constant @k0_train_par{{[0-9]+}}
// CHECK: call @netc_parallel_for(%[[F]], %{{.*}}, %{{.*}}, %c4{{(_[0-9]+)?}}, %{{.*}})
// CHECK-NEXT: call @netc_profile_end(%[[FAM]])
// CHECK-NOT: scf.parallel
// CHECK: return

func.func @k0(%x: tensor<?x4xf32>, %y: tensor<?x3xf32>,
              %w: tensor<4x3xf32> {net.param = "dense/kernel", net.trainable = true},
              %seed: f32 {net.seed}) -> (tensor<f32>, tensor<f32>, tensor<?x3xf32>)
    attributes {net.loss_function, net.network = "Lin()", net.loss = "mse",
                net.metric = "mse", net.optimizer = "adam",
                net.optimizer_config = {learning_rate = 0.001 : f64, beta_1 = 0.9 : f64, beta_2 = 0.999 : f64, epsilon = 1.0e-7 : f64},
                net.slot_init = array<f64: 0.0, 0.0>, net.updated_params = array<i64>} {
  %o = net.matmul %x, %w : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %l = net.mse %o, %y : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  %s = net.squared_error_sum %o, %y : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  %loss = net.scalar_add %l : (tensor<f32>) -> tensor<f32>
  return %loss, %s, %o : tensor<f32>, tensor<f32>, tensor<?x3xf32>
}
