// Tests that the linalg lowering of the losses, metrics, regularizers and
// loss gradients computes the right numbers (stable softmax cross-entropy of
// a known 2x3 logits matrix and its gradient, mse and its gradient, the
// squared-error sum, accuracy with ties, top-k counts, label smoothing of
// the softmax and sigmoid cross-entropies, l1/l2 and their gradient, also
// divided by the batch size): run through the whole pipeline in
// mlir-cpu-runner against Python's values (top-k: keras.metrics.sparse_top_k_categorical_accuracy,
// Keras 3.15 on torch, summed over the rows: 1, 2, 2, 4 for k = 1..4).
// RUN: netc-opt %s --netc-to-llvm | %mlir_cpu_runner -e main -entry-point-result=void -shared-libs=%runner_libs | FileCheck %s

func.func private @printMemrefF32(memref<*xf32>)
func.func @print2(%t: tensor<?x3xf32>) {
  %m = bufferization.to_memref %t : memref<?x3xf32>
  %u = memref.cast %m : memref<?x3xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}
func.func @print2b(%t: tensor<?x2xf32>) {
  %m = bufferization.to_memref %t : memref<?x2xf32>
  %u = memref.cast %m : memref<?x2xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}
func.func @print1(%t: tensor<3xf32>) {
  %m = bufferization.to_memref %t : memref<3xf32>
  %u = memref.cast %m : memref<3xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}
func.func @print0(%t: tensor<f32>) {
  %m = bufferization.to_memref %t : memref<f32>
  %u = memref.cast %m : memref<f32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}

func.func @main() {
  %ls = arith.constant dense<[[1.0, 2.0, 3.0], [1.0, 0.0, -1.0]]> : tensor<2x3xf32>
  %ys = arith.constant dense<[[2.0], [1.0]]> : tensor<2x1xf32>
  %l = tensor.cast %ls : tensor<2x3xf32> to tensor<?x3xf32>
  %y = tensor.cast %ys : tensor<2x1xf32> to tensor<?x1xf32>
  %sce = net.softmax_cross_entropy %l, %y : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<f32>
  call @print0(%sce) : (tensor<f32>) -> ()
  %sceg = net.softmax_cross_entropy_grad %l, %y : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<?x3xf32>
  call @print2(%sceg) : (tensor<?x3xf32>) -> ()
  %scs = net.softmax_cross_entropy %l, %y {label_smoothing = 3.000000e-01 : f64} : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<f32>
  call @print0(%scs) : (tensor<f32>) -> ()
  %scsg = net.softmax_cross_entropy_grad %l, %y {label_smoothing = 3.000000e-01 : f64} : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<?x3xf32>
  call @print2(%scsg) : (tensor<?x3xf32>) -> ()
  %bzs = arith.constant dense<[[0.5, -2.0], [3.0, 0.0]]> : tensor<2x2xf32>
  %bys = arith.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
  %bz = tensor.cast %bzs : tensor<2x2xf32> to tensor<?x2xf32>
  %by = tensor.cast %bys : tensor<2x2xf32> to tensor<?x2xf32>
  %bce = net.sigmoid_cross_entropy %bz, %by {label_smoothing = 2.000000e-01 : f64} : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<f32>
  call @print0(%bce) : (tensor<f32>) -> ()
  %bceg = net.sigmoid_cross_entropy_grad %bz, %by {label_smoothing = 2.000000e-01 : f64} : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
  call @print2b(%bceg) : (tensor<?x2xf32>) -> ()

  %ps = arith.constant dense<[[0.5, -1.0, 2.0], [1.5, 0.0, 0.25]]> : tensor<2x3xf32>
  %ts = arith.constant dense<[[1.0, -1.0, 0.0], [1.0, 1.0, 1.0]]> : tensor<2x3xf32>
  %p = tensor.cast %ps : tensor<2x3xf32> to tensor<?x3xf32>
  %t = tensor.cast %ts : tensor<2x3xf32> to tensor<?x3xf32>
  %mse = net.mse %p, %t : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  call @print0(%mse) : (tensor<f32>) -> ()
  %mseg = net.mse_grad %p, %t : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  call @print2(%mseg) : (tensor<?x3xf32>) -> ()
  %ses = net.squared_error_sum %p, %t : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  call @print0(%ses) : (tensor<f32>) -> ()

  %ss = arith.constant dense<[[1.0, 3.0, 3.0], [5.0, 0.0, 5.0]]> : tensor<2x3xf32>
  %sl = arith.constant dense<[[1.0], [0.0]]> : tensor<2x1xf32>
  %s = tensor.cast %ss : tensor<2x3xf32> to tensor<?x3xf32>
  %slab = tensor.cast %sl : tensor<2x1xf32> to tensor<?x1xf32>
  %acc = net.accuracy_count %s, %slab : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<f32>
  call @print0(%acc) : (tensor<f32>) -> ()

  // Row 0: one class above the label; row 1: a three-way tie; rows 2, 3:
  // three above.
  %ks = arith.constant dense<[[0.1, 0.5, 0.2, 0.9], [0.3, 0.3, 0.3, 0.1],
                              [0.4, 0.1, 0.2, 0.3], [0.0, 1.0, 2.0, 3.0]]> : tensor<4x4xf32>
  %kl = arith.constant dense<[[1.0], [2.0], [1.0], [0.0]]> : tensor<4x1xf32>
  %kss = tensor.cast %ks : tensor<4x4xf32> to tensor<?x4xf32>
  %kls = tensor.cast %kl : tensor<4x1xf32> to tensor<?x1xf32>
  %top1 = net.top_k_count %kss, %kls {k = 1 : i64} : (tensor<?x4xf32>, tensor<?x1xf32>) -> tensor<f32>
  call @print0(%top1) : (tensor<f32>) -> ()
  %top2 = net.top_k_count %kss, %kls {k = 2 : i64} : (tensor<?x4xf32>, tensor<?x1xf32>) -> tensor<f32>
  call @print0(%top2) : (tensor<f32>) -> ()
  %top3 = net.top_k_count %kss, %kls {k = 3 : i64} : (tensor<?x4xf32>, tensor<?x1xf32>) -> tensor<f32>
  call @print0(%top3) : (tensor<f32>) -> ()
  %top4 = net.top_k_count %kss, %kls {k = 4 : i64} : (tensor<?x4xf32>, tensor<?x1xf32>) -> tensor<f32>
  call @print0(%top4) : (tensor<f32>) -> ()

  %w = arith.constant dense<[0.5, -1.0, 0.0]> : tensor<3xf32>
  %g = arith.constant dense<[0.1, 0.2, 0.3]> : tensor<3xf32>
  %reg = net.regularizer %w {l1 = 0.01 : f64, l2 = 0.02 : f64} : (tensor<3xf32>) -> tensor<f32>
  call @print0(%reg) : (tensor<f32>) -> ()
  %regg = net.regularizer_grad %g, %w {l1 = 0.01 : f64, l2 = 0.02 : f64} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  call @print1(%regg) : (tensor<3xf32>) -> ()

  // batch_mean (activity regularizers): divided by the dynamic batch size 2;
  // an empty batch gives 0, as Keras' divide_no_nan.
  %breg = net.regularizer %p {batch_mean, l1 = 0.01 : f64, l2 = 0.02 : f64} : (tensor<?x3xf32>) -> tensor<f32>
  call @print0(%breg) : (tensor<f32>) -> ()
  %bregg = net.regularizer_grad %p, %p {batch_mean, l1 = 0.01 : f64, l2 = 0.02 : f64} : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  call @print2(%bregg) : (tensor<?x3xf32>) -> ()
  %e0 = tensor.empty() : tensor<0x3xf32>
  %e = tensor.cast %e0 : tensor<0x3xf32> to tensor<?x3xf32>
  %ereg = net.regularizer %e {batch_mean, l1 = 0.01 : f64, l2 = 0.02 : f64} : (tensor<?x3xf32>) -> tensor<f32>
  call @print0(%ereg) : (tensor<f32>) -> ()
  return
}

// CHECK-LABEL: Unranked Memref
// softmax_cross_entropy
// CHECK-NEXT: [0.9076{{[0-9]*}}]
// CHECK-LABEL: Unranked Memref
// softmax_cross_entropy_grad
// CHECK-NEXT: {{\[}}[0.04501{{[0-9]*}},{{ +}}0.1223{{[0-9]*}},{{ +}}-0.1673{{[0-9]*}}],
// CHECK-NEXT: [0.3326{{[0-9]*}},{{ +}}-0.3776{{[0-9]*}},{{ +}}0.04501{{[0-9]*}}]{{\]}}
// softmax_cross_entropy, label_smoothing 0.3 (Keras CategoricalCrossentropy
// from_logits: 1.0576059; gradient from torch autograd, float64)
// CHECK-LABEL: Unranked Memref
// CHECK-NEXT: [1.0576{{[0-9]*}}]
// CHECK-LABEL: Unranked Memref
// CHECK-NEXT: {{\[}}[-0.004984{{[0-9]*}},{{ +}}0.07236{{[0-9]*}},{{ +}}-0.06737{{[0-9]*}}],
// CHECK-NEXT: [0.2826{{[0-9]*}},{{ +}}-0.2776{{[0-9]*}},{{ +}}-0.004984{{[0-9]*}}]{{\]}}
// sigmoid_cross_entropy, label_smoothing 0.2 (Keras BinaryCrossentropy
// from_logits: 1.0731848; gradient from torch autograd, float64)
// CHECK-LABEL: Unranked Memref
// CHECK-NEXT: [1.0731{{[0-9]*}}]
// CHECK-LABEL: Unranked Memref
// CHECK-NEXT: {{\[}}[-0.06938{{[0-9]*}},{{ +}}0.004800{{[0-9]*}}],
// CHECK-NEXT: [0.2131{{[0-9]*}},{{ +}}-0.1{{0*}}]{{\]}}
// CHECK-LABEL: Unranked Memref
// mse
// CHECK-NEXT: [1.01{{[0-9]*}}]
// CHECK-LABEL: Unranked Memref
// mse_grad
// CHECK-NEXT: {{\[}}[-0.1666{{[0-9]*}},{{ +}}0,{{ +}}0.6666{{[0-9]*}}],
// CHECK-NEXT: [0.1666{{[0-9]*}},{{ +}}-0.3333{{[0-9]*}},{{ +}}-0.25]{{\]}}
// CHECK-LABEL: Unranked Memref
// squared_error_sum
// CHECK-NEXT: [2.02{{[0-9]*}}]
// CHECK-LABEL: Unranked Memref
// accuracy_count (ties: first max wins)
// CHECK-NEXT: [2]
// top_k_count, k = 1, 2, 3, 4 (ties are in the top k)
// CHECK-LABEL: Unranked Memref
// CHECK-NEXT: [1]
// CHECK-LABEL: Unranked Memref
// CHECK-NEXT: [2]
// CHECK-LABEL: Unranked Memref
// CHECK-NEXT: [2]
// CHECK-LABEL: Unranked Memref
// CHECK-NEXT: [4]
// CHECK-LABEL: Unranked Memref
// regularizer l1=0.01 l2=0.02
// CHECK-NEXT: [0.04]
// CHECK-LABEL: Unranked Memref
// regularizer_grad
// CHECK-NEXT: [0.13,{{ +}}0.15,{{ +}}0.3]
// regularizer batch_mean: (0.01 * 5.25 + 0.02 * 7.5625) / 2
// CHECK-LABEL: Unranked Memref
// CHECK-NEXT: [0.101875{{[0-9]*}}]
// regularizer_grad batch_mean: p + (0.01 sign(p) + 0.04 p) / 2
// CHECK-LABEL: Unranked Memref
// CHECK-NEXT: {{\[}}[0.515{{[0-9]*}},{{ +}}-1.025{{[0-9]*}},{{ +}}2.045{{[0-9]*}}],
// CHECK-NEXT: [1.535{{[0-9]*}},{{ +}}0,{{ +}}0.26{{[0-9]*}}]{{\]}}
// regularizer batch_mean on an empty batch
// CHECK-LABEL: Unranked Memref
// CHECK-NEXT: [0]
