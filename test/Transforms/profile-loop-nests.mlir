// Tests that --netc-profile-loop-nests brackets every top-level scf.for and
// scf.parallel nest of an entry point (net.entry, or llvm.emit_c_interface
// after the driver stripped net.*) and of the functions it
// calls with netc_profile_begin/end(family), the family being a position in
// runtime/include/netc/Profile.def read from the nest's locations: the
// family of most float arith/math ops (batchnorm 6 over elementwise 7 in a
// fused nest), ties to the first (elementwise 7), a copy nest without
// arithmetic by its locations (shape/copy 11), an unmarked nest `compiled`
// (12); that it declares the two functions as touching only memory the
// module cannot see and not unwinding; and that it leaves functions that no
// entry point calls, and inner loops, alone.
// RUN: netc-opt %s --netc-profile-loop-nests | FileCheck %s

// CHECK-LABEL: func.func private @netc_profile_begin(i32)
// CHECK-SAME: memory = #llvm.memory_effects<other = none, argMem = none, inaccessibleMem = readwrite>
// CHECK-SAME: passthrough = ["nounwind", "willreturn"]
// CHECK-LABEL: func.func private @netc_profile_end(i32)

// CHECK-LABEL: func.func @k0_train(
// CHECK: %[[BN:.*]] = arith.constant 6 : i32
// CHECK-NEXT: call @netc_profile_begin(%[[BN]]) : (i32) -> ()
// CHECK-NEXT: scf.for
// CHECK-NOT: netc_profile
// CHECK: scf.for
// CHECK-NOT: netc_profile
// CHECK: call @netc_profile_end(%[[BN]]) : (i32) -> ()
// CHECK: %[[EW:.*]] = arith.constant 7 : i32
// CHECK-NEXT: call @netc_profile_begin(%[[EW]])
// CHECK-NEXT: scf.for
// CHECK: call @netc_profile_end(%[[EW]])
// CHECK: %[[CP:.*]] = arith.constant 11 : i32
// CHECK-NEXT: call @netc_profile_begin(%[[CP]])
// CHECK-NEXT: scf.for
// CHECK: call @netc_profile_end(%[[CP]])
// CHECK: %[[OPT:.*]] = arith.constant 9 : i32
// CHECK-NEXT: call @netc_profile_begin(%[[OPT]])
// CHECK-NEXT: scf.parallel
// CHECK: call @netc_profile_end(%[[OPT]])
// CHECK-NEXT: call @helper(
// CHECK-NEXT: return

// CHECK-LABEL: func.func private @helper(
// CHECK: %[[UN:.*]] = arith.constant 12 : i32
// CHECK-NEXT: call @netc_profile_begin(%[[UN]])
// CHECK-NEXT: scf.for
// CHECK: call @netc_profile_end(%[[UN]])

// CHECK-LABEL: func.func @k0_eval(
// CHECK: %[[EW2:.*]] = arith.constant 7 : i32
// CHECK-NEXT: call @netc_profile_begin(%[[EW2]])

// CHECK-LABEL: func.func @not_a_step(
// CHECK-NOT: netc_profile
// CHECK: return

#bn = loc("netc.family.batchnorm"("model.net":3:5))
#ew = loc("netc.family.elementwise"("model.net":4:5))
#cp = loc("netc.family.copy"("model.net":5:5))
#opt = loc("netc.family.optimizer"("model.net":6:5))

func.func @k0_train(%a: memref<4x8xf32>, %b: memref<8xf32>) attributes {net.entry = "train"} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  // Fused batchnorm (two ops) and relu (one op): batchnorm.
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c8 step %c1 {
      %v = memref.load %a[%i, %j] : memref<4x8xf32> loc(#ew)
      %s = arith.subf %v, %v : f32 loc(#bn)
      %m = arith.mulf %s, %v : f32 loc(#bn)
      %r = arith.maximumf %m, %v : f32 loc(#ew)
      memref.store %r, %a[%i, %j] : memref<4x8xf32> loc(#ew)
    } loc(#ew)
  } loc(#ew)
  // One elementwise op, then one batchnorm op: the first.
  scf.for %j = %c0 to %c8 step %c1 {
    %v = memref.load %b[%j] : memref<8xf32>
    %s = arith.addf %v, %v : f32 loc(#ew)
    %m = arith.mulf %s, %v : f32 loc(#bn)
    memref.store %m, %b[%j] : memref<8xf32>
  }
  // A copy: no arithmetic, the family of its loads and stores.
  scf.for %j = %c0 to %c8 step %c1 {
    %v = memref.load %b[%j] : memref<8xf32> loc(#cp)
    memref.store %v, %a[%c0, %j] : memref<4x8xf32> loc(#cp)
  }
  scf.parallel (%j) = (%c0) to (%c8) step (%c1) {
    %v = memref.load %b[%j] : memref<8xf32>
    %s = arith.mulf %v, %v : f32 loc(#opt)
    memref.store %s, %b[%j] : memref<8xf32>
    scf.reduce
  }
  func.call @helper(%b) : (memref<8xf32>) -> ()
  return
}

func.func private @helper(%b: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %j = %c0 to %c8 step %c1 {
    %v = memref.load %b[%j] : memref<8xf32>
    %s = arith.addf %v, %v : f32
    memref.store %s, %b[%j] : memref<8xf32>
  }
  return
}

// An entry point after the driver stripped net.entry.
func.func @k0_eval(%b: memref<8xf32>) attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %j = %c0 to %c8 step %c1 {
    %v = memref.load %b[%j] : memref<8xf32>
    %s = arith.addf %v, %v : f32 loc(#ew)
    memref.store %s, %b[%j] : memref<8xf32>
  }
  return
}

func.func @not_a_step(%b: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %j = %c0 to %c8 step %c1 {
    %v = memref.load %b[%j] : memref<8xf32>
    %s = arith.addf %v, %v : f32 loc(#ew)
    memref.store %s, %b[%j] : memref<8xf32>
  }
  return
}
