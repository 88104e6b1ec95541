// Tests netc-cuda-prepare-linalg: a splat tensor constant becomes a
// linalg.fill of a tensor.empty at each use (bufferized, a constant would be
// a host memref.global that kernels read); a linalg.generic whose reduction
// loops come before parallel ones (a per-channel sum over n, h, w) is
// interchanged so that the parallel loops come first, the reduction loops
// keeping their order (each channel summed in the cpu target's order), and
// then lowers to an scf.parallel over the channels around serial loops.
// RUN: netc-opt %s --netc-cuda-prepare-linalg | FileCheck %s
// RUN: netc-opt %s --netc-cuda-prepare-linalg --one-shot-bufferize="bufferize-function-boundaries" --convert-linalg-to-parallel-loops | FileCheck %s --check-prefix=LOOPS

// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d2, d3, d0)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0)>
// CHECK-LABEL: func.func @channel_sums(
// CHECK-SAME: %[[X:.+]]: tensor<4x5x6x8xf32>
// CHECK-NOT: arith.constant dense
// CHECK: %[[Z:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[E:.+]] = tensor.empty() : tensor<8xf32>
// CHECK: %[[F:.+]] = linalg.fill ins(%[[Z]] : f32) outs(%[[E]] : tensor<8xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "reduction", "reduction", "reduction"]} ins(%[[X]] : tensor<4x5x6x8xf32>) outs(%[[F]] : tensor<8xf32>)
// CHECK-NOT: arith.constant dense

// LOOPS-LABEL: func.func @channel_sums(
// LOOPS-NOT: memref.get_global
// LOOPS: %[[ACC:.+]] = memref.alloc()
// LOOPS: scf.parallel (%[[I:.+]]) =
// LOOPS:   memref.store %{{.+}}, %[[ACC]][%[[I]]]
// LOOPS: scf.parallel (%[[C:.+]]) =
// LOOPS:   scf.for %[[N:.+]] =
// LOOPS:     scf.for %[[H:.+]] =
// LOOPS:       scf.for %[[W:.+]] =
// LOOPS:         memref.load %{{.+}}[%[[N]], %[[H]], %[[W]], %[[C]]]
// LOOPS:         memref.load %[[ACC]][%[[C]]]
// LOOPS:         arith.addf
// LOOPS:         memref.store %{{.+}}, %[[ACC]][%[[C]]]
// LOOPS-NOT: memref.global
#in = affine_map<(n, h, w, c) -> (n, h, w, c)>
#out = affine_map<(n, h, w, c) -> (c)>
func.func @channel_sums(%x: tensor<4x5x6x8xf32>) -> tensor<8xf32> {
  %zero = arith.constant dense<0.0> : tensor<8xf32>
  %s = linalg.generic {indexing_maps = [#in, #out],
      iterator_types = ["reduction", "reduction", "reduction", "parallel"]}
      ins(%x : tensor<4x5x6x8xf32>) outs(%zero : tensor<8xf32>) {
  ^bb0(%a: f32, %b: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<8xf32>
  return %s : tensor<8xf32>
}

// Two uses of one constant: a fill each. A full reduction and a
// parallel-first one are left as they are.
// CHECK-LABEL: func.func @two_uses(
// CHECK: linalg.fill ins(%{{.+}} : f64) outs(%{{.+}} : tensor<f64>)
// CHECK: linalg.generic {{.+}} iterator_types = ["reduction", "reduction"]
// CHECK: linalg.fill ins(%{{.+}} : f64) outs(%{{.+}} : tensor<16xf64>)
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "reduction"]
// CHECK-SAME: outs(%{{.+}} : tensor<16xf64>)
// CHECK: %[[Z3:.+]] = arith.constant 0.000000e+00 : f64
// CHECK: %[[E3:.+]] = tensor.empty() : tensor<f64>
// CHECK: %[[F3:.+]] = linalg.fill ins(%[[Z3]] : f64) outs(%[[E3]] : tensor<f64>)
// CHECK: linalg.generic {{.+}} iterator_types = ["reduction", "reduction"]
// CHECK-SAME: outs(%[[F3]] : tensor<f64>)
#full = affine_map<(i, j) -> (i, j)>
#scalar = affine_map<(i, j) -> ()>
#row = affine_map<(i, j) -> (i)>
func.func @two_uses(%x: tensor<16x32xf64>, %y: tensor<16x32xf64>) -> (tensor<f64>, tensor<16xf64>, tensor<f64>) {
  %zero = arith.constant dense<0.0> : tensor<f64>
  %rows = arith.constant dense<0.0> : tensor<16xf64>
  %s = linalg.generic {indexing_maps = [#full, #scalar],
      iterator_types = ["reduction", "reduction"]}
      ins(%x : tensor<16x32xf64>) outs(%zero : tensor<f64>) {
  ^bb0(%a: f64, %b: f64):
    %r = arith.addf %a, %b : f64
    linalg.yield %r : f64
  } -> tensor<f64>
  %t = linalg.generic {indexing_maps = [#full, #row],
      iterator_types = ["parallel", "reduction"]}
      ins(%y : tensor<16x32xf64>) outs(%rows : tensor<16xf64>) {
  ^bb0(%a: f64, %b: f64):
    %r = arith.addf %a, %b : f64
    linalg.yield %r : f64
  } -> tensor<16xf64>
  %u = linalg.generic {indexing_maps = [#full, #scalar],
      iterator_types = ["reduction", "reduction"]}
      ins(%y : tensor<16x32xf64>) outs(%zero : tensor<f64>) {
  ^bb0(%a: f64, %b: f64):
    %r = arith.addf %a, %b : f64
    linalg.yield %r : f64
  } -> tensor<f64>
  return %s, %t, %u : tensor<f64>, tensor<16xf64>, tensor<f64>
}
