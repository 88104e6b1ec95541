// Tests netc-map-loops-to-gpu: a top-level scf.parallel becomes a launch
// of one thread per iteration (block-size threads, the innermost dimension
// fastest, a guard for the last block); a serial nest (a sum) and the 0-d
// update after it become one launch of one thread; the kernel call stays on
// the host between the launches, in order; the loads whose values the host
// uses stay on the host.
// RUN: netc-opt %s --split-input-file --verify-diagnostics --netc-map-loops-to-gpu | FileCheck %s
// RUN: netc-opt %s --split-input-file --verify-diagnostics --netc-map-loops-to-gpu="block-size=128" | FileCheck %s --check-prefix=B128
// RUN: not netc-opt %s --netc-map-loops-to-gpu="block-size=100" --split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: netc-opt %s --split-input-file --netc-map-loops-to-gpu --gpu-kernel-outlining --netc-merge-gpu-modules | FileCheck %s --check-prefix=OUTLINED

// CHECK-LABEL: func.func @step(
// CHECK-SAME: %[[X:[a-z0-9]+]]: memref<?x16xf32>, %[[Y:[a-z0-9]+]]: memref<?x16xf32>, %[[S:[a-z0-9]+]]: memref<f32>, %[[N:[a-z0-9]+]]: index
// CHECK-NOT: scf.parallel
// CHECK: %[[TOTAL:.+]] = arith.muli %{{.+}}, %c16
// CHECK: gpu.launch blocks(%[[BX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %{{.+}}, %{{.+}} = %c1{{.*}}, %{{.+}} = %c1{{.*}}) threads(%[[TX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %c256{{.*}}, %{{.+}} = %c1
// CHECK:   %[[LIN0:.+]] = arith.muli %[[BX]], %c256
// CHECK:   %[[LIN:.+]] = arith.addi %[[LIN0]], %[[TX]]
// CHECK:   %[[IN:.+]] = arith.cmpi ult, %[[LIN]], %[[TOTAL]]
// CHECK:   scf.if %[[IN]] {
// CHECK:     %[[J:.+]] = arith.remui %[[LIN]], %c16
// CHECK:     %[[I:.+]] = arith.divui %[[LIN]], %c16
// CHECK:     memref.load %[[X]][%[[I]], %[[J]]]
// CHECK:     math.exp
// CHECK:     memref.store %{{.+}}, %[[Y]][%[[I]], %[[J]]]
// CHECK:   gpu.terminator
// CHECK: call @netc_cuda_matmul(
// CHECK: gpu.launch blocks({{.+}}) in ({{.+}} = %c1{{.*}}, {{.+}} = %c1{{.*}}, {{.+}} = %c1{{.*}}) threads({{.+}}) in ({{.+}} = %c1{{.*}}, {{.+}} = %c1{{.*}}, {{.+}} = %c1{{.*}})
// CHECK:   scf.for
// CHECK:     scf.for
// CHECK:   memref.load %[[S]][]
// CHECK:   arith.mulf
// CHECK:   memref.store %{{.+}}, %[[S]][]
// CHECK:   gpu.terminator
// CHECK-NOT: gpu.launch
// CHECK: %[[V:.+]] = memref.load %[[S]][]
// CHECK: call @report(%[[V]])
// CHECK: return

// B128: gpu.launch {{.+}} threads({{.+}}) in ({{.+}} = %c128

// OUTLINED: func.func @step(
// OUTLINED: gpu.launch_func @netc_kernels::@step_kernel blocks
// OUTLINED: call @netc_cuda_matmul(
// OUTLINED: gpu.launch_func @netc_kernels::@step_kernel_0 blocks
// OUTLINED-NOT: scf.for
// OUTLINED-NOT: scf.parallel
// OUTLINED: call @report(
// OUTLINED: gpu.module @netc_kernels {
// OUTLINED-NEXT: gpu.func @step_kernel({{.*}}) kernel
// OUTLINED: gpu.func @step_kernel_0({{.*}}) kernel
// OUTLINED-NOT: gpu.module
// OUTLINED: func.func @small(

func.func private @netc_cuda_matmul(i64)
func.func private @report(f32)
func.func @step(%x: memref<?x16xf32>, %y: memref<?x16xf32>, %s: memref<f32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %half = arith.constant 0.5 : f32
  %p = arith.constant 1 : i64
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %c16) step (%c1, %c1) {
    %v = memref.load %x[%i, %j] : memref<?x16xf32>
    %e = math.exp %v : f32
    memref.store %e, %y[%i, %j] : memref<?x16xf32>
    scf.reduce
  }
  call @netc_cuda_matmul(%p) : (i64) -> ()
  scf.for %i = %c0 to %n step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      %a = memref.load %y[%i, %j] : memref<?x16xf32>
      %b = memref.load %s[] : memref<f32>
      %c = arith.addf %a, %b : f32
      memref.store %c, %s[] : memref<f32>
    }
  }
  %t = memref.load %s[] : memref<f32>
  %u = arith.mulf %t, %half : f32
  memref.store %u, %s[] : memref<f32>
  %r = memref.load %s[] : memref<f32>
  call @report(%r) : (f32) -> ()
  return
}

// -----

// A constant nest smaller than a block: 64 threads (a multiple of 32).
// CHECK-LABEL: func.func @small(
// CHECK: gpu.launch {{.+}} threads({{.+}}) in ({{.+}} = %c64
func.func @small(%y: memref<50xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c50 = arith.constant 50 : index
  %z = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c50) step (%c1) {
    memref.store %z, %y[%i] : memref<50xf32>
    scf.reduce
  }
  return
}

// -----

// A stack array that a launch writes (netc-split-reductions' partials)
// becomes a memref.alloc, freed at the end of the block: the device cannot
// address the host's stack.
// CHECK-LABEL: func.func @partials(
// CHECK-NOT: memref.alloca
// CHECK: %[[P:.+]] = memref.alloc() : memref<64xf64>
// CHECK: gpu.launch
// CHECK:   memref.store %{{.+}}, %[[P]][%{{.+}}] : memref<64xf64>
// CHECK: gpu.launch
// CHECK:   memref.load %[[P]][%{{.+}}] : memref<64xf64>
// CHECK: memref.dealloc %[[P]] : memref<64xf64>
// CHECK-NEXT: return
func.func @partials(%s: memref<f64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %one = arith.constant 1.0 : f64
  %p = memref.alloca() : memref<64xf64>
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    memref.store %one, %p[%i] : memref<64xf64>
    scf.reduce
  }
  %init = memref.load %s[] : memref<f64>
  %t = scf.for %i = %c0 to %c64 step %c1 iter_args(%a = %init) -> (f64) {
    %v = memref.load %p[%i] : memref<64xf64>
    %b = arith.addf %a, %v : f64
    scf.yield %b : f64
  }
  memref.store %t, %s[] : memref<f64>
  return
}

// BAD: error: block-size must be a multiple of 32 in [32, 1024], got 100
