// Tests that netc-map-loops-to-gpu refuses a launch that would read a host
// global (a memref.get_global of a constant in the program's .rodata, which
// the device cannot address; netc-cuda-prepare-linalg turns the constants
// that linalg makes into fills first), in a parallel nest and in a serial
// one-thread launch.
// RUN: netc-opt %s --split-input-file --verify-diagnostics --netc-map-loops-to-gpu

memref.global "private" constant @__constant_4xf32 : memref<4xf32> = dense<0.0>
func.func @parallel(%y: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  // expected-note @below {{read here}}
  %g = memref.get_global @__constant_4xf32 : memref<4xf32>
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    // expected-error @below {{a GPU kernel would read the host global @__constant_4xf32, which the device cannot address}}
    %v = memref.load %g[%i] : memref<4xf32>
    memref.store %v, %y[%i] : memref<4xf32>
    scf.reduce
  }
  return
}

// -----

memref.global "private" constant @__constant_f64 : memref<f64> = dense<0.0>
func.func @serial(%x: memref<8xf64>, %s: memref<f64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  // expected-note @below {{read here}}
  %g = memref.get_global @__constant_f64 : memref<f64>
  // expected-error @below {{a GPU kernel would read the host global @__constant_f64}}
  memref.copy %g, %s : memref<f64> to memref<f64>
  scf.for %i = %c0 to %c8 step %c1 {
    %a = memref.load %x[%i] : memref<8xf64>
    %b = memref.load %s[] : memref<f64>
    %c = arith.addf %a, %b : f64
    memref.store %c, %s[] : memref<f64>
  }
  return
}
