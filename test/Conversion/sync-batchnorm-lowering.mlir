// Tests netc-lower-sync-moments on its own (docs/design.md, "Data-parallel
// steps"): it continues the workspace where convert-net-to-linalg left it
// (net.ws_per_sample, net.ws_fixed) and grows net.ws_fixed; its errors.
// RUN: netc-opt %s --netc-lower-sync-moments -split-input-file -verify-diagnostics | FileCheck %s

// The region starts after the 2 per-sample floats (times the capacity) and
// the 5 fixed ones; the tail grows by the 4 floats.
// CHECK-LABEL: func.func @resume
// CHECK-SAME: net.ws_fixed = 9 : i64
// CHECK-SAME: net.ws_per_sample = 2 : i64
// CHECK: %[[TAIL:.*]] = arith.muli %arg2, %c2
// CHECK: %[[AT:.*]] = arith.addi %[[TAIL]], %c5
// CHECK: %[[R:.*]] = memref.reinterpret_cast %arg1 to offset: [%[[AT]]], sizes: [4], strides: [1]
// CHECK: bufferization.materialize_in_destination %arg0 in restrict writable %[[R]]
// CHECK: call @netc_sync_moments(%{{.*}}, %c4_i64)
// CHECK-NEXT: %[[T:.*]] = bufferization.to_tensor %[[R]] restrict
// CHECK: return %[[T]]
func.func @resume(%v: tensor<4xf32>, %ws: memref<?xf32> {net.workspace}, %cap: index {net.capacity}) -> tensor<4xf32> attributes {net.ws_per_sample = 2 : i64, net.ws_fixed = 5 : i64} {
  %s = net.sync_moments %v : tensor<4xf32>
  return %s : tensor<4xf32>
}

// -----

// The float64 step of --gradcheck-f64 calls the _f64 twin.
// CHECK-LABEL: func.func @double
// CHECK: call @netc_sync_moments_f64(
func.func @double(%v: tensor<4xf64>, %ws: memref<?xf64> {net.workspace}, %cap: index {net.capacity}) -> tensor<4xf64> attributes {net.ws_per_sample = 0 : i64, net.ws_fixed = 0 : i64} {
  %s = net.sync_moments %v : tensor<4xf64>
  return %s : tensor<4xf64>
}

// -----

// expected-error @below {{has net.sync_moments but no workspace size: lower its kernel ops first}}
func.func @unsized(%v: tensor<4xf32>, %ws: memref<?xf32> {net.workspace}, %cap: index {net.capacity}) -> tensor<4xf32> {
  %s = net.sync_moments %v : tensor<4xf32>
  return %s : tensor<4xf32>
}

// -----

func.func @dynamic(%v: tensor<?xf32>, %ws: memref<?xf32> {net.workspace}, %cap: index {net.capacity}) -> tensor<?xf32> attributes {net.ws_per_sample = 0 : i64, net.ws_fixed = 0 : i64} {
  // expected-error @below {{operand 'tensor<?xf32>' is no static tensor of the workspace's element type}}
  %s = net.sync_moments %v : tensor<?xf32>
  return %s : tensor<?xf32>
}

// -----

func.func @mixed(%v: tensor<4xf64>, %ws: memref<?xf32> {net.workspace}, %cap: index {net.capacity}) -> tensor<4xf64> attributes {net.ws_per_sample = 0 : i64, net.ws_fixed = 0 : i64} {
  // expected-error @below {{operand 'tensor<4xf64>' is no static tensor of the workspace's element type}}
  %s = net.sync_moments %v : tensor<4xf64>
  return %s : tensor<4xf64>
}

// -----

// expected-error @below {{expects net.workspace: memref<?xf32> (or memref<?xf64>) and net.capacity: index}}
func.func @badworkspace(%v: tensor<4xf32>, %ws: memref<?xi32> {net.workspace}, %cap: index {net.capacity}) -> tensor<4xf32> attributes {net.ws_per_sample = 0 : i64, net.ws_fixed = 0 : i64} {
  %s = net.sync_moments %v : tensor<4xf32>
  return %s : tensor<4xf32>
}
