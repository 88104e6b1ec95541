// Tests that --netc-merge-identical-functions merges private functions
// whose bodies are equal up to names and locations into the first one
// (module order), redirecting func.call and func.constant uses; keeps
// functions that differ in a constant, an attribute, a callee, a type or a
// function attribute; repeats until nothing changes (equal callees merged
// make their callers equal); and turns a public function equal to an
// earlier public one into a call of it, keeping its name and attributes.
// RUN: netc-opt %s --netc-merge-identical-functions | FileCheck %s
// A second run (the cpu pipeline runs it before bufferization and after
// netc-parallelize-loops) leaves the calls as they are: @step_d still calls
// @step_a, not the equal @step_b.
// RUN: netc-opt %s --netc-merge-identical-functions \
// RUN:   --netc-merge-identical-functions | FileCheck %s

// Two equal leaves (different locations): the second is erased.
// CHECK-LABEL: func.func private @leaf_a(
// CHECK-NOT: func.func private @leaf_b(
func.func private @leaf_a(%m: memref<4xf32>) attributes {passthrough = ["noinline"]} {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c1 = arith.constant 1 : index
  %one = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %m[%i] : memref<4xf32>
    %w = arith.addf %v, %one : f32
    memref.store %w, %m[%i] : memref<4xf32>
  }
  return
}
func.func private @leaf_b(%m: memref<4xf32>) attributes {passthrough = ["noinline"]} {
  %c0 = arith.constant 0 : index loc("elsewhere":3:4)
  %c4 = arith.constant 4 : index
  %c1 = arith.constant 1 : index
  %one = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %m[%i] : memref<4xf32> loc("elsewhere":5:6)
    %w = arith.addf %v, %one : f32
    memref.store %w, %m[%i] : memref<4xf32>
  }
  return
}
// A differing constant: kept.
// CHECK-LABEL: func.func private @leaf_constant(
func.func private @leaf_constant(%m: memref<4xf32>) attributes {passthrough = ["noinline"]} {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c1 = arith.constant 1 : index
  %one = arith.constant 2.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %m[%i] : memref<4xf32>
    %w = arith.addf %v, %one : f32
    memref.store %w, %m[%i] : memref<4xf32>
  }
  return
}
// A differing operation attribute (fastmath): kept.
// CHECK-LABEL: func.func private @leaf_fastmath(
func.func private @leaf_fastmath(%m: memref<4xf32>) attributes {passthrough = ["noinline"]} {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c1 = arith.constant 1 : index
  %one = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %m[%i] : memref<4xf32>
    %w = arith.addf %v, %one fastmath<reassoc> : f32
    memref.store %w, %m[%i] : memref<4xf32>
  }
  return
}
// A differing function attribute: kept.
// CHECK-LABEL: func.func private @leaf_inlinable(
func.func private @leaf_inlinable(%m: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c1 = arith.constant 1 : index
  %one = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %m[%i] : memref<4xf32>
    %w = arith.addf %v, %one : f32
    memref.store %w, %m[%i] : memref<4xf32>
  }
  return
}
// Operands in another order (sub is not commutative): kept.
// CHECK-LABEL: func.func private @sub_ab(
// CHECK-LABEL: func.func private @sub_ba(
func.func private @sub_ab(%a: f32, %b: f32) -> f32 {
  %d = arith.subf %a, %b : f32
  return %d : f32
}
func.func private @sub_ba(%a: f32, %b: f32) -> f32 {
  %d = arith.subf %b, %a : f32
  return %d : f32
}
// A differing type: kept.
// CHECK-LABEL: func.func private @sub_f64(
func.func private @sub_f64(%a: f64, %b: f64) -> f64 {
  %d = arith.subf %a, %b : f64
  return %d : f64
}

// Callers of the equal leaves become equal once the leaves are merged
// (second round): @mid_b goes, its caller calls @mid_a.
// CHECK-LABEL: func.func private @mid_a(
// CHECK: call @leaf_a(
// CHECK-NOT: func.func private @mid_b(
func.func private @mid_a(%m: memref<4xf32>) {
  call @leaf_a(%m) : (memref<4xf32>) -> ()
  return
}
func.func private @mid_b(%m: memref<4xf32>) {
  call @leaf_b(%m) : (memref<4xf32>) -> ()
  return
}
// A differing callee: kept.
// CHECK-LABEL: func.func private @mid_constant(
// CHECK: call @leaf_constant(
func.func private @mid_constant(%m: memref<4xf32>) {
  call @leaf_constant(%m) : (memref<4xf32>) -> ()
  return
}
// Equal bodies passed as values (func.constant, as netc-parallelize-loops
// passes them to netc_parallel_for).
// CHECK-LABEL: func.func private @body_a(
// CHECK-NOT: func.func private @body_b(
func.func private @body_a(%x: index) {
  return
}
func.func private @body_b(%x: index) {
  return
}
func.func private @netc_parallel_for((index) -> (), index)

// Public and equal: @step_b keeps its name and its own attribute, and calls
// @step_a.
// CHECK-LABEL: func.func @step_a(
// CHECK: call @mid_a(
// CHECK: call @mid_a(
// CHECK: %[[F:.*]] = constant @body_a
// CHECK: call @netc_parallel_for(%[[F]],
// CHECK: call @sub_ab(
// CHECK: call @mid_constant(
func.func @step_a(%m: memref<4xf32>, %x: f32) -> f32 attributes {llvm.emit_c_interface} {
  call @mid_a(%m) : (memref<4xf32>) -> ()
  call @mid_b(%m) : (memref<4xf32>) -> ()
  %f = constant @body_b : (index) -> ()
  %c1 = arith.constant 1 : index
  call @netc_parallel_for(%f, %c1) : ((index) -> (), index) -> ()
  %s = call @sub_ab(%x, %x) : (f32, f32) -> f32
  call @mid_constant(%m) : (memref<4xf32>) -> ()
  return %s : f32
}
// CHECK-LABEL: func.func @step_b(
// CHECK-SAME: %[[M:.*]]: memref<4xf32>, %[[X:.*]]: f32) -> f32
// CHECK-SAME: attributes {llvm.emit_c_interface, other}
// CHECK-NEXT: %[[R:.*]] = call @step_a(%[[M]], %[[X]])
// CHECK-NEXT: return %[[R]] : f32
func.func @step_b(%m: memref<4xf32>, %x: f32) -> f32 attributes {llvm.emit_c_interface, other} {
  call @mid_b(%m) : (memref<4xf32>) -> ()
  call @mid_a(%m) : (memref<4xf32>) -> ()
  %f = constant @body_a : (index) -> ()
  %c1 = arith.constant 1 : index
  call @netc_parallel_for(%f, %c1) : ((index) -> (), index) -> ()
  %s = call @sub_ab(%x, %x) : (f32, f32) -> f32
  call @mid_constant(%m) : (memref<4xf32>) -> ()
  return %s : f32
}
// A public function that differs (calls @sub_ba): kept whole.
// CHECK-LABEL: func.func @step_c(
// CHECK: call @sub_ba(
func.func @step_c(%m: memref<4xf32>, %x: f32) -> f32 {
  call @mid_a(%m) : (memref<4xf32>) -> ()
  call @mid_b(%m) : (memref<4xf32>) -> ()
  %f = constant @body_b : (index) -> ()
  %c1 = arith.constant 1 : index
  call @netc_parallel_for(%f, %c1) : ((index) -> (), index) -> ()
  %s = call @sub_ba(%x, %x) : (f32, f32) -> f32
  call @mid_constant(%m) : (memref<4xf32>) -> ()
  return %s : f32
}
// CHECK-LABEL: func.func @step_d(
// CHECK-NEXT: call @step_a(
// CHECK-NEXT: return
func.func @step_d(%m: memref<4xf32>, %x: f32) -> f32 {
  call @mid_b(%m) : (memref<4xf32>) -> ()
  call @mid_b(%m) : (memref<4xf32>) -> ()
  %f = constant @body_a : (index) -> ()
  %c1 = arith.constant 1 : index
  call @netc_parallel_for(%f, %c1) : ((index) -> (), index) -> ()
  %s = call @sub_ab(%x, %x) : (f32, f32) -> f32
  call @mid_constant(%m) : (memref<4xf32>) -> ()
  return %s : f32
}
// A private function equal to a public one is not merged into it.
// CHECK-LABEL: func.func private @private_step(
func.func private @private_step(%m: memref<4xf32>, %x: f32) -> f32 {
  call @mid_a(%m) : (memref<4xf32>) -> ()
  call @mid_a(%m) : (memref<4xf32>) -> ()
  %f = constant @body_a : (index) -> ()
  %c1 = arith.constant 1 : index
  call @netc_parallel_for(%f, %c1) : ((index) -> (), index) -> ()
  %s = call @sub_ab(%x, %x) : (f32, f32) -> f32
  call @mid_constant(%m) : (memref<4xf32>) -> ()
  return %s : f32
}
