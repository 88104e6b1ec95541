// Tests that the linalg lowering of the activations, their gradients, bias
// add and bias gradient computes the right numbers: a hand-written function
// goes through the whole pipeline to LLVM and runs in mlir-cpu-runner; the
// expected values come from Python's math module (float64; 4 significant
// digits checked).
// RUN: netc-opt %s --netc-to-llvm | %mlir_cpu_runner -e main -entry-point-result=void -shared-libs=%runner_libs | FileCheck %s

func.func private @printMemrefF32(memref<*xf32>)
func.func @print2(%t: tensor<?x3xf32>) {
  %m = bufferization.to_memref %t : memref<?x3xf32>
  %u = memref.cast %m : memref<?x3xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}
func.func @print1(%t: tensor<3xf32>) {
  %m = bufferization.to_memref %t : memref<3xf32>
  %u = memref.cast %m : memref<3xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}

func.func @main() {
  %xs = arith.constant dense<[[-1.0, 0.5, 2.0], [0.0, -3.0, 1.0]]> : tensor<2x3xf32>
  %dys = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %b = arith.constant dense<[0.1, 0.2, 0.3]> : tensor<3xf32>
  %x = tensor.cast %xs : tensor<2x3xf32> to tensor<?x3xf32>
  %dy = tensor.cast %dys : tensor<2x3xf32> to tensor<?x3xf32>
  %relu = net.relu %x : tensor<?x3xf32>
  call @print2(%relu) : (tensor<?x3xf32>) -> ()
  %sig = net.sigmoid %x : tensor<?x3xf32>
  call @print2(%sig) : (tensor<?x3xf32>) -> ()
  %tanh = net.tanh %x : tensor<?x3xf32>
  call @print2(%tanh) : (tensor<?x3xf32>) -> ()
  %sm = net.softmax %x : tensor<?x3xf32>
  call @print2(%sm) : (tensor<?x3xf32>) -> ()
  %g0 = net.activation_grad relu %dy, %relu : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  call @print2(%g0) : (tensor<?x3xf32>) -> ()
  %g1 = net.activation_grad sigmoid %dy, %sig : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  call @print2(%g1) : (tensor<?x3xf32>) -> ()
  %g2 = net.activation_grad tanh %dy, %tanh : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  call @print2(%g2) : (tensor<?x3xf32>) -> ()
  %g3 = net.activation_grad softmax %dy, %sm : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  call @print2(%g3) : (tensor<?x3xf32>) -> ()
  %ba = net.bias_add %x, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  call @print2(%ba) : (tensor<?x3xf32>) -> ()
  %bg = net.bias_add_grad %dy : (tensor<?x3xf32>) -> tensor<3xf32>
  call @print1(%bg) : (tensor<3xf32>) -> ()
  return
}

// CHECK-LABEL: Unranked Memref
// relu
// CHECK-NEXT: {{\[}}[0,{{ +}}0.5,{{ +}}2],
// CHECK-NEXT: [0,{{ +}}0,{{ +}}1]{{\]}}
// CHECK-LABEL: Unranked Memref
// sigmoid
// CHECK-NEXT: {{\[}}[0.2689{{[0-9]*}},{{ +}}0.6224{{[0-9]*}},{{ +}}0.8807{{[0-9]*}}],
// CHECK-NEXT: [0.5,{{ +}}0.04742{{[0-9]*}},{{ +}}0.731{{[0-9]*}}]{{\]}}
// CHECK-LABEL: Unranked Memref
// tanh
// CHECK-NEXT: {{\[}}[-0.7615{{[0-9]*}},{{ +}}0.4621{{[0-9]*}},{{ +}}0.964{{[0-9]*}}],
// CHECK-NEXT: [0,{{ +}}-0.995{{[0-9]*}},{{ +}}0.7615{{[0-9]*}}]{{\]}}
// CHECK-LABEL: Unranked Memref
// softmax
// CHECK-NEXT: {{\[}}[0.03911{{[0-9]*}},{{ +}}0.1752{{[0-9]*}},{{ +}}0.7855{{[0-9]*}}],
// CHECK-NEXT: [0.2653{{[0-9]*}},{{ +}}0.01321{{[0-9]*}},{{ +}}0.7213{{[0-9]*}}]{{\]}}
// CHECK-LABEL: Unranked Memref
// relu grad
// CHECK-NEXT: {{\[}}[0,{{ +}}2,{{ +}}3],
// CHECK-NEXT: [0,{{ +}}0,{{ +}}6]{{\]}}
// CHECK-LABEL: Unranked Memref
// sigmoid grad
// CHECK-NEXT: {{\[}}[0.1966{{[0-9]*}},{{ +}}0.47{{[0-9]*}},{{ +}}0.3149{{[0-9]*}}],
// CHECK-NEXT: [1,{{ +}}0.2258{{[0-9]*}},{{ +}}1.179{{[0-9]*}}]{{\]}}
// CHECK-LABEL: Unranked Memref
// tanh grad
// CHECK-NEXT: {{\[}}[0.4199{{[0-9]*}},{{ +}}1.572{{[0-9]*}},{{ +}}0.2119{{[0-9]*}}],
// CHECK-NEXT: [4,{{ +}}0.04933{{[0-9]*}},{{ +}}2.519{{[0-9]*}}]{{\]}}
// CHECK-LABEL: Unranked Memref
// softmax grad
// CHECK-NEXT: {{\[}}[-0.0683{{[0-9]*}},{{ +}}-0.1308{{[0-9]*}},{{ +}}0.1991{{[0-9]*}}],
// CHECK-NEXT: [-0.3864{{[0-9]*}},{{ +}}-0.006025{{[0-9]*}},{{ +}}0.3924{{[0-9]*}}]{{\]}}
// CHECK-LABEL: Unranked Memref
// bias_add
// CHECK-NEXT: {{\[}}[-0.9,{{ +}}0.7,{{ +}}2.3],
// CHECK-NEXT: [0.1,{{ +}}-2.8,{{ +}}1.3]{{\]}}
// CHECK-LABEL: Unranked Memref
// bias_add_grad
// CHECK-NEXT: [5,{{ +}}7,{{ +}}9]
