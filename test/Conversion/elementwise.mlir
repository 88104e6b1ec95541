// Tests that bias add, activations, softmax, reshape and the elementwise
// gradients lower to linalg on tensors, and that the netc-to-linalg pipeline
// fuses a bias add with its activation into one linalg.generic.
// RUN: netc-opt %s --convert-net-to-linalg | FileCheck %s --check-prefix=LOWER
// RUN: netc-opt %s --netc-to-linalg | FileCheck %s --check-prefix=FUSED

// LOWER-LABEL: func.func @bias_relu
// LOWER-SAME: (%[[X:.*]]: tensor<?x4xf32>, %[[B:.*]]: tensor<4xf32>)
// LOWER: %[[N:.*]] = tensor.dim %[[X]]
// LOWER: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x4xf32>
// LOWER: %[[BA:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[B]] : tensor<?x4xf32>, tensor<4xf32>) outs(%[[E]] : tensor<?x4xf32>)
// LOWER: arith.addf
// LOWER: %[[R:.*]] = linalg.generic {{.*}} ins(%[[BA]] : tensor<?x4xf32>)
// LOWER: arith.cmpf ogt
// LOWER: arith.select
// LOWER: return %[[R]]

// FUSED-LABEL: func.func @bias_relu
// FUSED: %[[G:.*]] = linalg.generic
// FUSED-NEXT: ^bb0(%[[IN:.*]]: f32, %[[BIAS:.*]]: f32, %{{.*}}: f32):
// FUSED-NEXT: %[[S:.*]] = arith.addf %[[IN]], %[[BIAS]] : f32
// FUSED-NEXT: %[[C:.*]] = arith.cmpf ogt, %[[S]], %{{.*}} : f32
// FUSED-NEXT: %[[SEL:.*]] = arith.select %[[C]], %[[S]], %{{.*}} : f32
// FUSED-NEXT: linalg.yield %[[SEL]] : f32
// FUSED-NOT: linalg.generic
// FUSED: return %[[G]]
func.func @bias_relu(%x: tensor<?x4xf32>, %b: tensor<4xf32>) -> tensor<?x4xf32> {
  %0 = net.bias_add %x, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %1 = net.relu %0 : tensor<?x4xf32>
  return %1 : tensor<?x4xf32>
}

// LOWER-LABEL: func.func @activations
// LOWER: math.exp
// LOWER: arith.divf
// LOWER: math.tanh
func.func @activations(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %0 = net.sigmoid %x : tensor<?x4xf32>
  %1 = net.tanh %x : tensor<?x4xf32>
  return %0, %1 : tensor<?x4xf32>, tensor<?x4xf32>
}

// Softmax is stable: a row max (reduction from -inf), then sum(exp(x - max)).
// LOWER-LABEL: func.func @softmax
// LOWER: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// LOWER: %[[MAXI:.*]] = linalg.fill ins(%[[NINF]] : f32)
// LOWER: %[[MAX:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} outs(%[[MAXI]] : tensor<?xf32>)
// LOWER: arith.maximumf
// LOWER: %[[SUM:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} ins(%{{.*}}, %[[MAX]] : tensor<?x4xf32>, tensor<?xf32>)
// LOWER: arith.subf
// LOWER: math.exp
// LOWER: linalg.generic {{.*}} ins(%{{.*}}, %[[MAX]], %[[SUM]] : tensor<?x4xf32>, tensor<?xf32>, tensor<?xf32>)
func.func @softmax(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = net.softmax %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// LOWER-LABEL: func.func @reshapes
// LOWER: %[[F:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2, 3]] : tensor<?x2x3x4xf32> into tensor<?x24xf32>
// LOWER: %[[U:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2, 3]] output_shape [%{{.*}}, 2, 3, 4] : tensor<?x24xf32> into tensor<?x2x3x4xf32>
// LOWER: return %[[F]], %[[U]]
func.func @reshapes(%x: tensor<?x2x3x4xf32>, %y: tensor<?x24xf32>) -> (tensor<?x24xf32>, tensor<?x2x3x4xf32>) {
  %0 = net.reshape %x : (tensor<?x2x3x4xf32>) -> tensor<?x24xf32>
  %1 = net.reshape %y : (tensor<?x24xf32>) -> tensor<?x2x3x4xf32>
  return %0, %1 : tensor<?x24xf32>, tensor<?x2x3x4xf32>
}

// bias_add_grad reduces every dimension but the last into a zero-filled [C].
// LOWER-LABEL: func.func @grads
// LOWER: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<6xf32>)
// LOWER: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}], iterator_types = ["reduction", "reduction", "reduction", "parallel"]} ins(%{{.*}} : tensor<?x5x5x6xf32>) outs(%[[Z]] : tensor<6xf32>)
// LOWER-NOT: net.
func.func @grads(%dy: tensor<?x5x5x6xf32>, %y: tensor<?x5x5x6xf32>, %g: tensor<6xf32>, %w: tensor<6xf32>) -> (tensor<6xf32>, tensor<?x5x5x6xf32>, tensor<6xf32>) {
  %0 = net.bias_add_grad %dy : (tensor<?x5x5x6xf32>) -> tensor<6xf32>
  %1 = net.activation_grad tanh %dy, %y : (tensor<?x5x5x6xf32>, tensor<?x5x5x6xf32>) -> tensor<?x5x5x6xf32>
  %2 = net.add %1, %dy : tensor<?x5x5x6xf32>
  %3 = net.regularizer_grad %g, %w {l1 = 0.0 : f64, l2 = 0.01 : f64} : (tensor<6xf32>, tensor<6xf32>) -> tensor<6xf32>
  return %0, %2, %3 : tensor<6xf32>, tensor<?x5x5x6xf32>, tensor<6xf32>
}
