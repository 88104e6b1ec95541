// Tests that batchnorm and dropout compute different numbers in training and
// in evaluation: batchnorm normalizes by the batch statistics (biased
// variance) in training and by the moving statistics otherwise, and moves
// them by Keras' rule; dropout zeroes about `rate` of the elements and scales
// the rest by 1 / (1 - rate) in training, and is the identity otherwise.
// The function goes through the whole pipeline to LLVM and runs in
// mlir-cpu-runner; expected values from Python (float64; 4 digits checked).
// RUN: netc-opt %s --netc-to-llvm | %mlir_cpu_runner -e main -entry-point-result=void -shared-libs=%runner_libs | FileCheck %s

func.func private @printMemrefF32(memref<*xf32>)
func.func @print2(%t: tensor<?x2xf32>) {
  %m = bufferization.to_memref %t : memref<?x2xf32>
  %u = memref.cast %m : memref<?x2xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}
func.func @print8(%t: tensor<?x8xf32>) {
  %m = bufferization.to_memref %t : memref<?x8xf32>
  %u = memref.cast %m : memref<?x8xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}
func.func @print1(%t: tensor<2xf32>) {
  %m = bufferization.to_memref %t : memref<2xf32>
  %u = memref.cast %m : memref<2xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}

func.func @main() {
  %xs = arith.constant dense<[[1.0, 2.0], [3.0, 6.0]]> : tensor<2x2xf32>
  %x = tensor.cast %xs : tensor<2x2xf32> to tensor<?x2xf32>
  %gamma = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %beta = arith.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %mm = arith.constant dense<[0.0, 0.0]> : tensor<2xf32>
  %mv = arith.constant dense<[1.0, 1.0]> : tensor<2xf32>
  // CHECK: {{\[}}[-0.9995,{{ +}}-0.9997{{[0-9]*}}],
  // CHECK-NEXT: [0.9995,{{ +}}2.999{{[0-9]*}}]]
  %t = net.batchnorm %x, %gamma, %beta, %mm, %mv {epsilon = 1.0e-3 : f64, training} : (tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  call @print2(%t) : (tensor<?x2xf32>) -> ()
  // CHECK: {{\[}}[0.9995,{{ +}}4.998],
  // CHECK-NEXT: [2.998{{[0-9]*}},{{ +}}12.99{{[0-9]*}}]]
  %e = net.batchnorm %x, %gamma, %beta, %mm, %mv {epsilon = 1.0e-3 : f64} : (tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  call @print2(%e) : (tensor<?x2xf32>) -> ()
  // Batch mean [2, 4], biased variance [1, 4]; momentum 0.9.
  // CHECK: [0.2,{{ +}}0.4]
  // CHECK: [1,{{ +}}1.3]
  %nm, %nv = net.moving_moments %x, %mm, %mv {momentum = 0.9 : f64} : (tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>)
  call @print1(%nm) : (tensor<2xf32>) -> ()
  call @print1(%nv) : (tensor<2xf32>) -> ()

  %ones = arith.constant dense<1.0> : tensor<4x8xf32>
  %o = tensor.cast %ones : tensor<4x8xf32> to tensor<?x8xf32>
  %seed = arith.constant 12345.0 : f32
  // Training: every element is 0 or 1 / (1 - 0.5) = 2 (the mask is a
  // fixed function of seed, salt and index: 10 of 32 dropped here).
  // CHECK: {{\[}}[2,{{ +}}2,{{ +}}2,{{ +}}0,{{ +}}2,{{ +}}2,{{ +}}0,{{ +}}2],
  // CHECK-NEXT: [2,{{ +}}2,{{ +}}0,{{ +}}2,{{ +}}0,{{ +}}2,{{ +}}2,{{ +}}2],
  // CHECK-NEXT: [2,{{ +}}0,{{ +}}2,{{ +}}0,{{ +}}2,{{ +}}2,{{ +}}0,{{ +}}0],
  // CHECK-NEXT: [2,{{ +}}0,{{ +}}2,{{ +}}2,{{ +}}2,{{ +}}2,{{ +}}2,{{ +}}2]]
  %d = net.dropout %o, %seed {rate = 0.5 : f64, salt = 3 : i64, training} : tensor<?x8xf32>
  call @print8(%d) : (tensor<?x8xf32>) -> ()
  // CHECK: {{\[}}[1,{{ +}}1,{{ +}}1,{{ +}}1,{{ +}}1,{{ +}}1,{{ +}}1,{{ +}}1],
  // CHECK-NEXT: [1,{{ +}}1,{{ +}}1,{{ +}}1,{{ +}}1,{{ +}}1,{{ +}}1,{{ +}}1],
  %de = net.dropout %o, %seed {rate = 0.5 : f64, salt = 3 : i64} : tensor<?x8xf32>
  call @print8(%de) : (tensor<?x8xf32>) -> ()
  return
}
