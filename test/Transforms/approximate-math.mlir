// Tests that --netc-approximate-math replaces math.exp, math.tanh and
// math.log by polynomial approximations in plain arith (scalars and
// vectors), and leaves what it does not approximate (math.sqrt, math.powf)
// to the later math-to-llvm and math-to-libm conversions.
// RUN: netc-opt %s --netc-approximate-math | FileCheck %s

// CHECK-LABEL: func.func @approximated(
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK-NOT: math.log
// CHECK: arith.mulf
// CHECK: return
func.func @approximated(%x: f32, %v: vector<8xf32>) -> (f32, f32, vector<8xf32>) {
  %e = math.exp %x : f32
  %t = math.tanh %e : f32
  %l = math.log %v : vector<8xf32>
  return %e, %t, %l : f32, f32, vector<8xf32>
}

// CHECK-LABEL: func.func @kept(
// CHECK: math.sqrt
// CHECK: math.powf
func.func @kept(%x: f32, %y: f32) -> (f32, f32) {
  %s = math.sqrt %x : f32
  %p = math.powf %x, %y : f32
  return %s, %p : f32, f32
}
