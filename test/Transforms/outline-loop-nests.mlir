// Tests that --netc-outline-loop-nests moves each top-level scf.for or
// scf.parallel nest without results of a function with more than
// `max-nests-kept-whole` of them into its own private noinline function <function>_nest<i> (in
// program order, called where the nest was), leaves loops with results and
// the other ops in place, skips declarations, and keeps functions at or
// under the limit (the default: 200) whole.
// RUN: netc-opt %s --netc-outline-loop-nests="max-nests-kept-whole=1" | FileCheck %s
// RUN: netc-opt %s --netc-outline-loop-nests="max-nests-kept-whole=2" | FileCheck %s --check-prefix=WHOLE
// RUN: netc-opt %s --netc-outline-loop-nests | FileCheck %s --check-prefix=WHOLE

// CHECK-LABEL: func.func private @two_nests_nest0(
// CHECK-SAME: %{{.*}}: memref<4x8xf32>, {{.*}} attributes {llvm.linkage = #llvm.linkage<internal>, passthrough = ["noinline"]}
// CHECK: scf.for
// CHECK: scf.for
// CHECK: memref.store
// CHECK: return
// CHECK-LABEL: func.func private @two_nests_nest1(
// CHECK-SAME: %{{.*}}: f32, %{{.*}}: memref<8xf32>, {{.*}} attributes {llvm.linkage = #llvm.linkage<internal>, passthrough = ["noinline"]}
// CHECK: scf.for
// CHECK: memref.store
// CHECK: return
// CHECK-LABEL: func.func @two_nests(
// CHECK-SAME: %[[A:.*]]: memref<4x8xf32>, %[[B:.*]]: memref<8xf32>)
// CHECK: %[[S:.*]] = scf.for {{.*}} iter_args
// CHECK: call @two_nests_nest0({{.*}}%[[A]]{{.*}}) : (f32, memref<4x8xf32>,
// CHECK: call @two_nests_nest1(%[[S]], %[[B]],{{.*}}) : (f32, memref<8xf32>,
// CHECK-NOT: scf.for
// CHECK: return
// Nests of scf.parallel (linalg's parallel lowering) are outlined alike.
// CHECK-LABEL: func.func private @parallel_nests_nest0(
// CHECK: scf.parallel
// CHECK: scf.for
// CHECK: return
// CHECK-LABEL: func.func private @parallel_nests_nest1(
// CHECK: scf.parallel
// CHECK: return
// CHECK-LABEL: func.func @parallel_nests(
// CHECK: call @parallel_nests_nest0(
// CHECK: call @parallel_nests_nest1(
// CHECK-NOT: scf.parallel
// CHECK: return
// CHECK-LABEL: func.func private @external(memref<8xf32>)
// CHECK-NOT: _nest

// WHOLE-NOT: _nest
// WHOLE-LABEL: func.func @two_nests(
// WHOLE-COUNT-4: scf.for
// WHOLE-NOT: call
// WHOLE: return
// WHOLE-LABEL: func.func @parallel_nests(
// WHOLE-COUNT-2: scf.parallel
// WHOLE-NOT: call
// WHOLE: return

func.func @two_nests(%a: memref<4x8xf32>, %b: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  // A loop with a result: not a nest to outline.
  %sum = scf.for %i = %c0 to %c8 step %c1 iter_args(%acc = %zero) -> (f32) {
    %v = memref.load %b[%i] : memref<8xf32>
    %s = arith.addf %acc, %v : f32
    scf.yield %s : f32
  }
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c8 step %c1 {
      memref.store %zero, %a[%i, %j] : memref<4x8xf32>
    }
  }
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %sum, %b[%i] : memref<8xf32>
  }
  return
}

func.func @parallel_nests(%a: memref<4x8xf32>, %b: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.for %j = %c0 to %c8 step %c1 {
      memref.store %zero, %a[%i, %j] : memref<4x8xf32>
    }
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    memref.store %zero, %b[%i] : memref<8xf32>
    scf.reduce
  }
  return
}

func.func private @external(memref<8xf32>)
