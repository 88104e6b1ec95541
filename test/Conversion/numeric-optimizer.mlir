// Tests that net.optimizer_update follows Keras 3's update rules: one step of
// sgd (plain, momentum, nesterov), adam, adamw, rmsprop, adagrad, adadelta,
// adamax and nadam on a 3-element weight with known slots, run through the
// whole pipeline in mlir-cpu-runner; expected values from the Keras formulas
// evaluated in Python (float64, 4 significant digits checked). Each update
// prints the new weight, then the new slots in order.
// RUN: netc-opt %s --netc-to-llvm | %mlir_cpu_runner -e main -entry-point-result=void -shared-libs=%runner_libs | FileCheck %s

func.func private @printMemrefF32(memref<*xf32>)
func.func @p(%t: tensor<3xf32>) {
  %m = bufferization.to_memref %t : memref<3xf32>
  %u = memref.cast %m : memref<3xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}

func.func @main() {
  %w = arith.constant dense<[0.5, -1.0, 2.0]> : tensor<3xf32>
  %g = arith.constant dense<[0.1, -0.2, 0.3]> : tensor<3xf32>
  %s1 = arith.constant dense<[0.01, 0.02, -0.03]> : tensor<3xf32>
  %s2 = arith.constant dense<[0.001, 0.002, 0.0005]> : tensor<3xf32>
  %lr = arith.constant 0.1 : f32
  %t2 = arith.constant 2.0 : f32
  %t3 = arith.constant 3.0 : f32

  %a = net.optimizer_update sgd %w, %g, %lr, %t3 {config = {momentum = 0.0 : f64, nesterov = 0.0 : f64}} : (tensor<3xf32>, tensor<3xf32>, f32, f32) -> tensor<3xf32>
  call @p(%a) : (tensor<3xf32>) -> ()
  %b:2 = net.optimizer_update sgd %w, %g, slots(%s1), %lr, %t3 {config = {momentum = 0.9 : f64, nesterov = 0.0 : f64}} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, f32, f32) -> (tensor<3xf32>, tensor<3xf32>)
  call @p(%b#0) : (tensor<3xf32>) -> ()
  call @p(%b#1) : (tensor<3xf32>) -> ()
  %c:2 = net.optimizer_update sgd %w, %g, slots(%s1), %lr, %t3 {config = {momentum = 0.9 : f64, nesterov = 1.0 : f64}} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, f32, f32) -> (tensor<3xf32>, tensor<3xf32>)
  call @p(%c#0) : (tensor<3xf32>) -> ()
  call @p(%c#1) : (tensor<3xf32>) -> ()
  %d:3 = net.optimizer_update adam %w, %g, slots(%s1, %s2), %lr, %t3 {config = {beta_1 = 0.9 : f64, beta_2 = 0.999 : f64, epsilon = 1.0e-7 : f64}} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, f32, f32) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  call @p(%d#0) : (tensor<3xf32>) -> ()
  call @p(%d#1) : (tensor<3xf32>) -> ()
  call @p(%d#2) : (tensor<3xf32>) -> ()
  %e:3 = net.optimizer_update adamw %w, %g, slots(%s1, %s2), %lr, %t3 {config = {beta_1 = 0.9 : f64, beta_2 = 0.999 : f64, epsilon = 1.0e-7 : f64, weight_decay = 0.004 : f64}} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, f32, f32) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  call @p(%e#0) : (tensor<3xf32>) -> ()
  call @p(%e#1) : (tensor<3xf32>) -> ()
  call @p(%e#2) : (tensor<3xf32>) -> ()
  %f:2 = net.optimizer_update rmsprop %w, %g, slots(%s2), %lr, %t3 {config = {rho = 0.9 : f64, momentum = 0.0 : f64, epsilon = 1.0e-7 : f64}} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, f32, f32) -> (tensor<3xf32>, tensor<3xf32>)
  call @p(%f#0) : (tensor<3xf32>) -> ()
  call @p(%f#1) : (tensor<3xf32>) -> ()
  %h:2 = net.optimizer_update adagrad %w, %g, slots(%s2), %lr, %t3 {config = {epsilon = 1.0e-7 : f64}} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, f32, f32) -> (tensor<3xf32>, tensor<3xf32>)
  call @p(%h#0) : (tensor<3xf32>) -> ()
  call @p(%h#1) : (tensor<3xf32>) -> ()
  %i:3 = net.optimizer_update adadelta %w, %g, slots(%s2, %s2), %lr, %t3 {config = {rho = 0.95 : f64, epsilon = 1.0e-7 : f64}} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, f32, f32) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  call @p(%i#0) : (tensor<3xf32>) -> ()
  call @p(%i#1) : (tensor<3xf32>) -> ()
  call @p(%i#2) : (tensor<3xf32>) -> ()
  %j:3 = net.optimizer_update adamax %w, %g, slots(%s1, %s2), %lr, %t3 {config = {beta_1 = 0.9 : f64, beta_2 = 0.999 : f64, epsilon = 1.0e-7 : f64}} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, f32, f32) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  call @p(%j#0) : (tensor<3xf32>) -> ()
  call @p(%j#1) : (tensor<3xf32>) -> ()
  call @p(%j#2) : (tensor<3xf32>) -> ()
  %k:3 = net.optimizer_update nadam %w, %g, slots(%s1, %s2), %lr, %t2 {config = {beta_1 = 0.9 : f64, beta_2 = 0.999 : f64, epsilon = 1.0e-7 : f64}} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, f32, f32) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  call @p(%k#0) : (tensor<3xf32>) -> ()
  call @p(%k#1) : (tensor<3xf32>) -> ()
  call @p(%k#2) : (tensor<3xf32>) -> ()
  return
}

// CHECK-LABEL: Unranked Memref
// sgd result 0
// CHECK-NEXT: [0.49,{{ +}}-0.98,{{ +}}1.97]
// CHECK-LABEL: Unranked Memref
// sgd momentum result 0
// CHECK-NEXT: [0.499,{{ +}}-0.962,{{ +}}1.943]
// CHECK-LABEL: Unranked Memref
// sgd momentum result 1
// CHECK-NEXT: [-0.001,{{ +}}0.038,{{ +}}-0.057]
// CHECK-LABEL: Unranked Memref
// sgd nesterov result 0
// CHECK-NEXT: [0.4891,{{ +}}-0.9458,{{ +}}1.918{{[0-9]*}}]
// CHECK-LABEL: Unranked Memref
// sgd nesterov result 1
// CHECK-NEXT: [-0.001,{{ +}}0.038,{{ +}}-0.057]
// CHECK-LABEL: Unranked Memref
// adam t=3 result 0
// CHECK-NEXT: [0.4879{{[0-9]*}},{{ +}}-0.9991{{[0-9]*}},{{ +}}1.997{{[0-9]*}}]
// CHECK-LABEL: Unranked Memref
// adam t=3 result 1
// CHECK-NEXT: [0.019,{{ +}}-0.002,{{ +}}0.003]
// CHECK-LABEL: Unranked Memref
// adam t=3 result 2
// CHECK-NEXT: [0.001009,{{ +}}0.002038,{{ +}}0.0005895]
// CHECK-LABEL: Unranked Memref
// adamw t=3 result 0
// CHECK-NEXT: [0.4877{{[0-9]*}},{{ +}}-0.9987{{[0-9]*}},{{ +}}1.996{{[0-9]*}}]
// CHECK-LABEL: Unranked Memref
// adamw t=3 result 1
// CHECK-NEXT: [0.019,{{ +}}-0.002,{{ +}}0.003]
// CHECK-LABEL: Unranked Memref
// adamw t=3 result 2
// CHECK-NEXT: [0.001009,{{ +}}0.002038,{{ +}}0.0005895]
// CHECK-LABEL: Unranked Memref
// rmsprop result 0
// CHECK-NEXT: [0.2705{{[0-9]*}},{{ +}}-0.7373{{[0-9]*}},{{ +}}1.691{{[0-9]*}}]
// CHECK-LABEL: Unranked Memref
// rmsprop result 1
// CHECK-NEXT: [0.0019,{{ +}}0.0058,{{ +}}0.00945]
// CHECK-LABEL: Unranked Memref
// adagrad result 0
// CHECK-NEXT: [0.4046{{[0-9]*}},{{ +}}-0.9024{{[0-9]*}},{{ +}}1.9{{[0-9]*}}]
// CHECK-LABEL: Unranked Memref
// adagrad result 1
// CHECK-NEXT: [0.011,{{ +}}0.042,{{ +}}0.0905]
// CHECK-LABEL: Unranked Memref
// adadelta result 0
// CHECK-NEXT: [0.4916{{[0-9]*}},{{ +}}-0.9856{{[0-9]*}},{{ +}}1.99{{[0-9]*}}]
// CHECK-LABEL: Unranked Memref
// adadelta result 1
// CHECK-NEXT: [0.00145,{{ +}}0.0039,{{ +}}0.004975]
// CHECK-LABEL: Unranked Memref
// adadelta result 2
// CHECK-NEXT: [0.001294{{[0-9]*}},{{ +}}0.002925{{[0-9]*}},{{ +}}0.0009273{{[0-9]*}}]
// CHECK-LABEL: Unranked Memref
// adamax t=3 result 0
// CHECK-NEXT: [0.4298{{[0-9]*}},{{ +}}-0.9963{{[0-9]*}},{{ +}}1.996{{[0-9]*}}]
// CHECK-LABEL: Unranked Memref
// adamax t=3 result 1
// CHECK-NEXT: [0.019,{{ +}}-0.002,{{ +}}0.003]
// CHECK-LABEL: Unranked Memref
// adamax t=3 result 2
// CHECK-NEXT: [0.1,{{ +}}0.2,{{ +}}0.3]
// CHECK-LABEL: Unranked Memref
// nadam t=2 result 0
// CHECK-NEXT: [0.4891{{[0-9]*}},{{ +}}-0.9866{{[0-9]*}},{{ +}}1.962{{[0-9]*}}]
// CHECK-LABEL: Unranked Memref
// nadam t=2 result 1
// CHECK-NEXT: [0.019,{{ +}}-0.002,{{ +}}0.003]
// CHECK-LABEL: Unranked Memref
// nadam t=2 result 2
// CHECK-NEXT: [0.001009,{{ +}}0.002038,{{ +}}0.0005895]
