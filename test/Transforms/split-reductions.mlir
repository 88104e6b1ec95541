// Tests that --netc-split-reductions rewrites a top-level perfect scf.for
// nest that sums into a rank-0 buffer (linalg's lowering of a full
// reduction) into a fixed number of chunks (the `chunks` option, never the
// thread count): an scf.parallel over the chunks, each summing its
// flattened outer rows in registers (iter_args, addf with reassoc) into a
// stack array of partials, then a serial scf.for that adds the partials to
// the buffer's value in chunk order. Nests that are small, not full
// reductions, or that write other memory stay as they are.
// RUN: netc-opt %s --netc-split-reductions | FileCheck %s
// RUN: netc-opt %s --netc-split-reductions=chunks=16 \
// RUN:   | FileCheck %s --check-prefix=C16
// The pass runs before netc-parallelize-loops: the chunks' loop becomes a
// netc_parallel_for over 64 chunks whatever the thread count.
// RUN: netc-opt %s --netc-split-reductions --netc-parallelize-loops \
// RUN:   | FileCheck %s --check-prefix=PAR

// 4 x 96 x 128 = 49152 terms: the two outer loops make 384 rows, 6 per
// chunk of 64 (exactly, so no guard); the innermost loop stays whole.
// CHECK-LABEL: func.func @sum_squares(
// CHECK-SAME: %[[W:.*]]: memref<4x96x128xf32>)
// CHECK-DAG: %[[ZERO:.*]] = arith.constant -0.000000e+00 : f64
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG: %[[C6:.*]] = arith.constant 6 : index
// CHECK-DAG: %[[C96:.*]] = arith.constant 96 : index
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK: %[[ACC:.*]] = memref.alloc() : memref<f64>
// CHECK: %[[PART:.*]] = memref.alloca() : memref<64xf64>
// CHECK: scf.parallel (%[[C:.*]]) = (%{{.*}}) to (%[[C64]])
// CHECK: %[[S:.*]] = scf.for %[[O:.*]] = %{{.*}} to %[[C6]] step %{{.*}} iter_args(%[[A:.*]] = %[[ZERO]]) -> (f64)
// CHECK: %[[BASE:.*]] = arith.muli %[[C]], %[[C6]]
// CHECK: %[[ROW:.*]] = arith.addi %[[BASE]], %[[O]]
// CHECK-DAG: %[[J:.*]] = arith.remui %[[ROW]], %[[C96]]
// CHECK-DAG: %[[I:.*]] = arith.divui %[[ROW]], %[[C96]]
// CHECK-NOT: scf.if
// CHECK: %[[R:.*]] = scf.for %[[K:.*]] = %{{.*}} to %[[C128]] step %{{.*}} iter_args(%[[B:.*]] = %[[A]]) -> (f64)
// CHECK-NEXT: %[[X:.*]] = memref.load %[[W]][%[[I]], %[[J]], %[[K]]]
// CHECK-NEXT: %[[SQ:.*]] = arith.mulf %[[X]], %[[X]] : f32
// CHECK-NEXT: %[[E:.*]] = arith.extf %[[SQ]] : f32 to f64
// CHECK-NEXT: %[[T:.*]] = arith.addf %[[B]], %[[E]] fastmath<reassoc> : f64
// CHECK-NEXT: scf.yield %[[T]] : f64
// CHECK: scf.yield %[[R]] : f64
// CHECK: memref.store %[[S]], %[[PART]][%[[C]]] : memref<64xf64>
// The partials in chunk order, after the buffer's value; no reassoc here.
// CHECK: %[[INIT:.*]] = memref.load %[[ACC]][] : memref<f64>
// CHECK: %[[TOTAL:.*]] = scf.for %[[CC:.*]] = %{{.*}} to %[[C64]] step %{{.*}} iter_args(%[[Y:.*]] = %[[INIT]]) -> (f64)
// CHECK-NEXT: %[[P:.*]] = memref.load %[[PART]][%[[CC]]] : memref<64xf64>
// CHECK-NEXT: %[[Z:.*]] = arith.addf %[[Y]], %[[P]] : f64
// CHECK-NEXT: scf.yield %[[Z]] : f64
// CHECK: memref.store %[[TOTAL]], %[[ACC]][] : memref<f64>
// CHECK-NOT: scf.for
// CHECK: return %[[ACC]]

// chunks=16: 384 rows in 16 chunks of 24.
// C16-LABEL: func.func @sum_squares(
// C16: memref.alloca() : memref<16xf64>
// C16: scf.parallel
// C16: scf.for %{{.*}} = %{{.*}} to %c24 step
// C16-LABEL: func.func @sum_abs_guarded(
func.func @sum_squares(%w: memref<4x96x128xf32>) -> memref<f64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c96 = arith.constant 96 : index
  %c128 = arith.constant 128 : index
  %zero = arith.constant 0.0 : f64
  %acc = memref.alloc() : memref<f64>
  memref.store %zero, %acc[] : memref<f64>
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c96 step %c1 {
      scf.for %k = %c0 to %c128 step %c1 {
        %x = memref.load %w[%i, %j, %k] : memref<4x96x128xf32>
        %a = memref.load %acc[] : memref<f64>
        %sq = arith.mulf %x, %x : f32
        %e = arith.extf %sq : f32 to f64
        %s = arith.addf %a, %e : f64
        memref.store %s, %acc[] : memref<f64>
      }
    }
  }
  return %acc : memref<f64>
}

// 1000 rows of 40 (a dense kernel's shape): 16 rows per chunk, 1024 > 1000,
// so each row is guarded; the term is added on the left here.
// CHECK-LABEL: func.func @sum_abs_guarded(
// CHECK-DAG: %[[C16R:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[C1000:.*]] = arith.constant 1000 : index
// CHECK: memref.alloca() : memref<64xf32>
// CHECK: scf.parallel
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[C16R]] step %{{.*}} iter_args(%[[GA:.*]] = %{{.*}}) -> (f32)
// CHECK: %[[GROW:.*]] = arith.addi
// CHECK: %[[IN:.*]] = arith.cmpi ult, %[[GROW]], %[[C1000]]
// CHECK: scf.if %[[IN]] -> (f32)
// CHECK: scf.for %{{.*}} iter_args(%[[GB:.*]] = %[[GA]]) -> (f32)
// CHECK: math.absf
// CHECK: arith.addf %{{.*}}, %[[GB]] fastmath<reassoc> : f32
// CHECK: } else {
// CHECK-NEXT: scf.yield %[[GA]] : f32
func.func @sum_abs_guarded(%w: memref<1000x40xf32>, %acc: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c40 = arith.constant 40 : index
  %c1000 = arith.constant 1000 : index
  %buf = memref.alloca() : memref<f32>
  scf.for %i = %c0 to %c1000 step %c1 {
    scf.for %j = %c0 to %c40 step %c1 {
      %x = memref.load %w[%i, %j] : memref<1000x40xf32>
      %a = memref.load %buf[] : memref<f32>
      %y = math.absf %x : f32
      %s = arith.addf %y, %a : f32
      memref.store %s, %buf[] : memref<f32>
    }
  }
  %v = memref.load %buf[] : memref<f32>
  memref.store %v, %acc[] : memref<f32>
  return
}

// Left alone: too few terms (16 x 128 = 2048 < 32768).
// CHECK-LABEL: func.func @small(
// CHECK-NOT: scf.parallel
// CHECK-NOT: memref.alloca
// CHECK: scf.for
// CHECK: memref.load %{{.*}}[] : memref<f32>
// CHECK: arith.addf %{{.*}}, %{{.*}} : f32
// CHECK: memref.store %{{.*}}[] : memref<f32>
func.func @small(%w: memref<16x128xf32>, %acc: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c128 = arith.constant 128 : index
  %buf = memref.alloc() : memref<f32>
  scf.for %i = %c0 to %c16 step %c1 {
    scf.for %j = %c0 to %c128 step %c1 {
      %x = memref.load %w[%i, %j] : memref<16x128xf32>
      %a = memref.load %buf[] : memref<f32>
      %s = arith.addf %a, %x : f32
      memref.store %s, %buf[] : memref<f32>
    }
  }
  memref.copy %buf, %acc : memref<f32> to memref<f32>
  return
}

// Left alone: a partial reduction (a bias gradient: the sum over rows into
// one value per column), the accumulator indexed by the inner loop.
// CHECK-LABEL: func.func @partial(
// CHECK-NOT: scf.parallel
// CHECK-NOT: memref.alloca
// CHECK: scf.for
// CHECK: scf.for
// CHECK: memref.store %{{.*}}[%{{.*}}] : memref<128xf32>
func.func @partial(%w: memref<4096x128xf32>, %acc: memref<128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %c4096 = arith.constant 4096 : index
  scf.for %i = %c0 to %c4096 step %c1 {
    scf.for %j = %c0 to %c128 step %c1 {
      %x = memref.load %w[%i, %j] : memref<4096x128xf32>
      %a = memref.load %acc[%j] : memref<128xf32>
      %s = arith.addf %a, %x : f32
      memref.store %s, %acc[%j] : memref<128xf32>
    }
  }
  return
}

// Left alone: the sum goes to a function argument (it may alias %w), and
// a nest with a second store (not a pure reduction).
// CHECK-LABEL: func.func @not_fresh(
// CHECK-NOT: scf.parallel
// CHECK-LABEL: func.func @second_store(
// CHECK-NOT: scf.parallel
// CHECK: return
func.func @not_fresh(%w: memref<4096x128xf32>, %acc: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %c4096 = arith.constant 4096 : index
  scf.for %i = %c0 to %c4096 step %c1 {
    scf.for %j = %c0 to %c128 step %c1 {
      %x = memref.load %w[%i, %j] : memref<4096x128xf32>
      %a = memref.load %acc[] : memref<f32>
      %s = arith.addf %a, %x : f32
      memref.store %s, %acc[] : memref<f32>
    }
  }
  return
}

func.func @second_store(%w: memref<4096x128xf32>, %acc: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %c4096 = arith.constant 4096 : index
  %buf = memref.alloc() : memref<f32>
  scf.for %i = %c0 to %c4096 step %c1 {
    scf.for %j = %c0 to %c128 step %c1 {
      %x = memref.load %w[%i, %j] : memref<4096x128xf32>
      %a = memref.load %buf[] : memref<f32>
      %s = arith.addf %a, %x : f32
      memref.store %s, %w[%i, %j] : memref<4096x128xf32>
      memref.store %s, %buf[] : memref<f32>
    }
  }
  memref.copy %buf, %acc : memref<f32> to memref<f32>
  return
}

// After netc-parallelize-loops: the chunks' body is outlined and called
// over the 64 chunks (not a thread count); the combining loop stays in the
// function, serial, after the call.
// PAR-LABEL: func.func private @sum_squares_par0(
// PAR: scf.parallel
// PAR: memref.store %{{.*}} : memref<64xf64>
// PAR-LABEL: func.func @sum_squares(
// PAR: %[[PARTS:.*]] = memref.alloca() : memref<64xf64>
// PAR: call @netc_parallel_for(%{{.*}}, %{{.*}}, %c0{{(_[0-9]+)?}}, %c64{{(_[0-9]+)?}}, %{{.*}})
// PAR-NEXT: memref.load
// PAR-NEXT: scf.for %{{.*}} = %{{.*}} to %c64{{(_[0-9]+)?}}
// PAR-NEXT: memref.load %[[PARTS]]
