// Tests that a step's temporaries come from the runtime's caching allocator
// (runtime/lib/StepMemory.cpp): the lowered LLVM dialect calls MLIR's generic
// aligned allocation and free functions, which the runtime defines, and
// never malloc, aligned_alloc or free.
// RUN: netc-opt %s --netc-linalg-to-llvm | FileCheck %s --implicit-check-not=@malloc --implicit-check-not=@aligned_alloc --implicit-check-not=@free
// RUN: netc-opt %s --netc-linalg-to-llvm | %mlir_translate --mlir-to-llvmir | %llc -O2 -filetype=null

// CHECK-DAG: llvm.func @_mlir_memref_to_llvm_aligned_alloc(i64, i64) -> !llvm.ptr
// CHECK-DAG: llvm.func @_mlir_memref_to_llvm_free(!llvm.ptr)

// A temporary that bufferization allocates (the filled tensor feeds a
// reduction) and deallocates at the end of the function.
// CHECK-LABEL: llvm.func @sum_of_squares(
// CHECK: llvm.call @_mlir_memref_to_llvm_aligned_alloc(
// CHECK: llvm.call @_mlir_memref_to_llvm_free(
func.func @sum_of_squares(%x: memref<?xf32>, %n: index, %out: memref<f32>) {
  %xt = bufferization.to_tensor %x restrict : memref<?xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %sq = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
                        iterator_types = ["parallel"]}
      ins(%xt : tensor<?xf32>) outs(%e : tensor<?xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.mulf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<?xf32>
  %rev = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
                        iterator_types = ["parallel"]}
      ins(%sq : tensor<?xf32>) outs(%e : tensor<?xf32>) {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<f32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<f32>) -> tensor<f32>
  %sum = linalg.reduce ins(%rev : tensor<?xf32>) outs(%acc : tensor<f32>) dimensions = [0]
    (%in: f32, %a: f32) {
      %s = arith.addf %in, %a : f32
      linalg.yield %s : f32
    }
  bufferization.materialize_in_destination %sum in restrict writable %out : (tensor<f32>, memref<f32>) -> ()
  return
}

// memref.alloc written directly, with and without an alignment; the
// deallocation pipeline frees both.
// CHECK-LABEL: llvm.func @direct(
// CHECK: llvm.call @_mlir_memref_to_llvm_aligned_alloc(
// CHECK: llvm.call @_mlir_memref_to_llvm_aligned_alloc(
// CHECK: llvm.call @_mlir_memref_to_llvm_free(
// CHECK: llvm.call @_mlir_memref_to_llvm_free(
func.func @direct(%n: index, %out: memref<f32>) {
  %c0 = arith.constant 0 : index
  %a = memref.alloc(%n) {alignment = 128 : i64} : memref<?xf32>
  %b = memref.alloc(%n) : memref<?xf32>
  %one = arith.constant 1.0 : f32
  memref.store %one, %a[%c0] : memref<?xf32>
  memref.store %one, %b[%c0] : memref<?xf32>
  %va = memref.load %a[%c0] : memref<?xf32>
  %vb = memref.load %b[%c0] : memref<?xf32>
  %s = arith.addf %va, %vb : f32
  memref.store %s, %out[] : memref<f32>
  return
}
