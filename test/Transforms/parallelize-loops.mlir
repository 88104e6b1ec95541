// Tests that --netc-parallelize-loops outlines each top-level scf.parallel
// into <function>_par<i>(ctx, lo, hi), which unpacks the captured values
// from the context (memref descriptors, indices as i64, scalars; constants
// cloned) and runs the outermost dimension over [lb + lo*step, lb + hi*step)
// (clamped to the upper bound when the step is not 1), and replaces the loop
// with a call of netc_parallel_for(body, ctx, 0, trips, work): work is one
// outer iteration's estimated operations, a constant when the inner trip
// counts are static. Reductions (scf.for), nested scf.parallel and loops
// with results stay serial and in place.
// RUN: netc-opt %s --netc-parallelize-loops | FileCheck %s
// RUN: netc-opt %s --netc-parallelize-loops --convert-scf-to-cf \
// RUN:   --finalize-memref-to-llvm --convert-arith-to-llvm \
// RUN:   --convert-func-to-llvm --convert-cf-to-llvm \
// RUN:   --reconcile-unrealized-casts --canonicalize | FileCheck %s --check-prefix=LLVM

// CHECK-LABEL: func.func private @reduce_par0(
// CHECK-SAME: %[[CTX:.*]]: !llvm.ptr, %[[LO:.*]]: index, %[[HI:.*]]: index)
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK: %[[P0:.*]] = llvm.getelementptr %[[CTX]][0, 0] : (!llvm.ptr) -> !llvm.ptr, !llvm.struct<(i64, struct<(ptr, ptr, i64, array<3 x i64>, array<3 x i64>)>, struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>)>
// CHECK: llvm.load %[[P0]] : !llvm.ptr -> i64
// CHECK: %[[P1:.*]] = llvm.getelementptr %[[CTX]][0, 1]
// CHECK: %[[D1:.*]] = llvm.load %[[P1]] : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<3 x i64>, array<3 x i64>)>
// CHECK: %[[A:.*]] = builtin.unrealized_conversion_cast %[[D1]] : {{.*}} to memref<?x8x16xf32>
// CHECK: %[[P2:.*]] = llvm.getelementptr %[[CTX]][0, 2]
// CHECK: %[[D2:.*]] = llvm.load %[[P2]]
// CHECK: %[[O:.*]] = builtin.unrealized_conversion_cast %[[D2]] : {{.*}} to memref<?x16xf32>
// CHECK: scf.parallel (%[[I:.*]]) = (%[[LO]]) to (%[[HI]]) step
// CHECK-NEXT: scf.for %[[K:.*]] = %{{.*}} to %[[C8]]
// CHECK-NEXT: scf.parallel (%[[J:.*]]) = (%{{.*}}) to (%[[C16]])
// CHECK-NEXT: memref.load %[[A]][%[[I]], %[[K]], %[[J]]]
// CHECK-NEXT: memref.load %[[O]][%[[I]], %[[J]]]
// CHECK-NEXT: arith.addf
// CHECK-NEXT: memref.store %{{.*}}, %[[O]][%[[I]], %[[J]]]
// CHECK: return

// CHECK-LABEL: func.func @reduce(
// CHECK-SAME: %[[ARG_A:.*]]: memref<?x8x16xf32>, %[[ARG_O:.*]]: memref<?x16xf32>)
// CHECK: %[[CTXP:.*]] = llvm.alloca %{{.*}} x !llvm.struct<(i64, struct<(ptr, ptr, i64, array<3 x i64>, array<3 x i64>)>, struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>)>
// CHECK: %[[N:.*]] = memref.dim %[[ARG_A]]
// CHECK: %[[N64:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK: llvm.store %[[N64]], %{{.*}} : i64, !llvm.ptr
// CHECK: %[[DA:.*]] = builtin.unrealized_conversion_cast %[[ARG_A]] : memref<?x8x16xf32> to
// CHECK: llvm.store %[[DA]]
// CHECK: %[[DO:.*]] = builtin.unrealized_conversion_cast %[[ARG_O]]
// CHECK: llvm.store %[[DO]]
// One outer iteration: 8 x 16 x (2 loads, addf, store) = 512 operations
// (constants are named after their values).
// CHECK: %[[FN:.*]] = constant @reduce_par0 : (!llvm.ptr, index, index) -> ()
// CHECK: call @netc_parallel_for(%[[FN]], %[[CTXP]], %c0{{(_[0-9]+)?}}, %[[N]], %c512{{(_[0-9]+)?}})
// CHECK-NOT: scf.parallel
// CHECK: return

// CHECK-LABEL: func.func private @step_par0(
// CHECK-SAME: %[[CTX:.*]]: !llvm.ptr, %[[LO:.*]]: index, %[[HI:.*]]: index)
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C10:.*]] = arith.constant 10 : index
// CHECK: %[[LB64:.*]] = llvm.load {{.*}} : !llvm.ptr -> i64
// CHECK: %[[LB:.*]] = arith.index_cast %[[LB64]] : i64 to index
// CHECK: %[[V:.*]] = llvm.load {{.*}} : !llvm.ptr -> f32
// CHECK: %[[B:.*]] = builtin.unrealized_conversion_cast {{.*}} to memref<10x4xf32>
// CHECK: %[[FROM0:.*]] = arith.muli %[[LO]], %[[C2]]
// CHECK: %[[FROM:.*]] = arith.addi %[[FROM0]], %[[LB]]
// CHECK: %[[TO0:.*]] = arith.muli %[[HI]], %[[C2]]
// CHECK: %[[TO1:.*]] = arith.addi %[[TO0]], %[[LB]]
// CHECK: %[[TO:.*]] = arith.minsi %[[TO1]], %[[C10]]
// CHECK: scf.parallel (%[[I:.*]], %[[J:.*]]) = (%[[FROM]], %{{.*}}) to (%[[TO]], %{{.*}}) step (%[[C2]], %{{.*}})
// CHECK-NEXT: memref.store %[[V]], %[[B]][%[[I]], %[[J]]]

// CHECK-LABEL: func.func @step(
// CHECK-SAME: %{{.*}}: memref<10x4xf32>, %[[ARG_V:.*]]: f32, %[[ARG_LB:.*]]: index, %[[ARG_S:.*]]: memref<4xf32>)
// CHECK: llvm.store %[[ARG_V]], %{{.*}} : f32, !llvm.ptr
// CHECK: %[[SPAN:.*]] = arith.subi %{{.*}}, %[[ARG_LB]]
// CHECK: %[[TRIPS:.*]] = arith.ceildivsi %[[SPAN]], %{{.*}}
// Inner dimension: 4 trips of one store.
// CHECK: %[[FN:.*]] = constant @step_par0
// CHECK: call @netc_parallel_for(%[[FN]], %{{.*}}, %c0{{(_[0-9]+)?}}, %[[TRIPS]], %c4{{(_[0-9]+)?}})
// The reduction loop over %i and its nested scf.parallel stay serial.
// CHECK-NEXT: scf.for
// CHECK-NEXT: scf.parallel
// CHECK: memref.store %{{.*}}, %[[ARG_S]]
// CHECK: return
// CHECK-LABEL: func.func private @netc_parallel_for(
// CHECK-SAME: (!llvm.ptr, index, index) -> (), !llvm.ptr, index, index, index)

// The descriptors' casts fold away: the body reads plain LLVM values.
// LLVM-LABEL: llvm.func internal @reduce_par0(
// LLVM-SAME: %{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64)
// LLVM-NOT: unrealized_conversion_cast
// LLVM: llvm.return
// LLVM-LABEL: llvm.func @reduce(
// LLVM-NOT: unrealized_conversion_cast
// LLVM: %[[FN:.*]] = llvm.mlir.addressof @reduce_par0 : !llvm.ptr
// LLVM-NOT: unrealized_conversion_cast
// LLVM: llvm.call @netc_parallel_for(%[[FN]], %{{.*}}) : (!llvm.ptr, !llvm.ptr, i64, i64, i64) -> ()
// LLVM-NOT: unrealized_conversion_cast
// LLVM: llvm.return
// LLVM: llvm.func @netc_parallel_for(!llvm.ptr, !llvm.ptr, i64, i64, i64)

// A [parallel, reduction, parallel] op: the reduction over %k stays an
// scf.for inside the outlined body, the inner scf.parallel stays nested.
func.func @reduce(%a: memref<?x8x16xf32>, %o: memref<?x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %n = memref.dim %a, %c0 : memref<?x8x16xf32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    scf.for %k = %c0 to %c8 step %c1 {
      scf.parallel (%j) = (%c0) to (%c16) step (%c1) {
        %x = memref.load %a[%i, %k, %j] : memref<?x8x16xf32>
        %y = memref.load %o[%i, %j] : memref<?x16xf32>
        %s = arith.addf %x, %y : f32
        memref.store %s, %o[%i, %j] : memref<?x16xf32>
        scf.reduce
      }
    }
    scf.reduce
  }
  return
}

// Two dimensions, a step of 2 and a scalar captured: only the first
// dimension is split; a reduction loop at the top stays serial.
func.func @step(%b: memref<10x4xf32>, %v: f32, %lb: index, %s: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c10 = arith.constant 10 : index
  scf.parallel (%i, %j) = (%lb, %c0) to (%c10, %c4) step (%c2, %c1) {
    memref.store %v, %b[%i, %j] : memref<10x4xf32>
    scf.reduce
  }
  scf.for %i = %c0 to %c10 step %c1 {
    scf.parallel (%j) = (%c0) to (%c4) step (%c1) {
      %x = memref.load %b[%i, %j] : memref<10x4xf32>
      %y = memref.load %s[%j] : memref<4xf32>
      %z = arith.addf %x, %y : f32
      memref.store %z, %s[%j] : memref<4xf32>
      scf.reduce
    }
  }
  return
}
