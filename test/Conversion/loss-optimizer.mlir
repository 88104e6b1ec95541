// Tests that losses reduce to rank-0 tensors divided by the batch size read
// from tensor.dim, and that an optimizer update is one multi-result
// elementwise linalg.generic with its step-dependent scalars (Adam's bias
// correction) computed once before the loops, the weight and slots its
// outputs (destination-passing style, so they bufferize in place).
// RUN: netc-opt %s --convert-net-to-linalg -split-input-file -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @sce
// CHECK-SAME: (%[[L:.*]]: tensor<?x10xf32>, %[[Y:.*]]: tensor<?x1xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[L]], %[[Y]] : tensor<?x10xf32>, tensor<?x1xf32>)
// CHECK: linalg.index 1
// CHECK: arith.fptosi
// CHECK: arith.cmpi eq
// CHECK: %[[TOT:.*]] = linalg.generic {{.*}}iterator_types = ["reduction"]
// CHECK: math.log
// CHECK: %[[N:.*]] = tensor.dim %[[L]], %c0
// CHECK: %[[NI:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK: %[[NF:.*]] = arith.uitofp %[[NI]] : i64 to f32
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[TOT]] : tensor<f32>)
// CHECK: arith.divf %{{.*}}, %[[NF]]
// CHECK: return %[[MEAN]] : tensor<f32>
func.func @sce(%l: tensor<?x10xf32>, %y: tensor<?x1xf32>) -> tensor<f32> {
  %0 = net.softmax_cross_entropy %l, %y : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// CHECK-LABEL: func.func @adam
// CHECK-SAME: (%[[W:.*]]: tensor<3x4xf32>, %[[G:.*]]: tensor<3x4xf32>, %[[M:.*]]: tensor<3x4xf32>, %[[V:.*]]: tensor<3x4xf32>, %[[LR:.*]]: f32, %[[T:.*]]: f32)
// CHECK: %[[B1P:.*]] = math.powf %{{.*}}, %[[T]] : f32
// CHECK: %[[B2P:.*]] = math.powf %{{.*}}, %[[T]] : f32
// CHECK: %[[ALPHA:.*]] = arith.divf
// CHECK: %[[R:.*]]:3 = linalg.generic {{.*}} ins(%[[G]] : {{.*}}) outs(%[[W]], %[[M]], %[[V]] : {{.*}}) {
// CHECK: arith.mulf %[[ALPHA]]
// CHECK: math.sqrt
// CHECK: return %[[R]]#0, %[[R]]#1, %[[R]]#2
func.func @adam(%w: tensor<3x4xf32>, %g: tensor<3x4xf32>, %m: tensor<3x4xf32>, %v: tensor<3x4xf32>, %lr: f32, %t: f32) -> (tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>) {
  %0:3 = net.optimizer_update adam %w, %g, slots(%m, %v), %lr, %t {config = {beta_1 = 0.9 : f64, beta_2 = 0.999 : f64, epsilon = 1.0e-7 : f64}} : (tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, f32, f32) -> (tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>)
  return %0#0, %0#1, %0#2 : tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>
}
