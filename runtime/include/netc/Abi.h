/*===- Abi.h - The contract between compiled code and the runtime -*- C -*-===//
 *
 * Two directions:
 *  1. Compiled code calls the runtime's kernels (the table netc/Kernels.def:
 *     netc_conv2d_*, netc_pool_*, netc_matmul): heavy ops run in oneDNN.
 *     The compiler passes every pointer as a 64-bit integer address (same
 *     register class as a pointer on x86-64 and AArch64) and every size as
 *     int64_t. Layouts are plain
 *     row-major: activations NHWC, conv kernels HWIO, dense kernels (in, out).
 *  2. The runtime calls compiled code through the table `netc_kernels`, and
 *     reads the program's plan (networks, parameters, experiments) from the
 *     JSON text `netc_plan_json` that the compiler embeds. Its schema, writer
 *     and reader: netc/Plan.h. docs/design.md, "The compiler-runtime
 *     contract", shows how the pieces fit.
 *
 *===----------------------------------------------------------------------===*/
#ifndef NETC_ABI_H
#define NETC_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Kernels the compiled code calls (implemented by the runtime) ------ */

/* Declared from the table netc/Kernels.def (their semantics are there):
 * netc_<Id> over float, and netc_<Id>_f64 over double for the float64 train
 * step that `netc build --gradcheck-f64` adds (runtime/lib/kernels/
 * Reference64.cpp: plain reference loops used only to check gradients). */
#define NETC_REAL float
#define NETC_KERNEL(Id, Params) void netc_##Id Params;
#include "netc/Kernels.def"
#undef NETC_REAL
#define NETC_REAL double
#define NETC_KERNEL(Id, Params) void netc_##Id##_f64 Params;
#include "netc/Kernels.def"
#undef NETC_REAL

/* ---- Compiled code the runtime calls ---------------------------------- */

/* Compiled entry points use MLIR's C interface for rank-1 memrefs: every
 * buffer is passed as a pointer to this descriptor (offset 0, stride 1). */
typedef struct {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t size;
  int64_t stride;
} netc_buf;

/* One training step of one kernel (a network variant with its loss,
 * regularizers and optimizer) on a batch of n <= cap samples:
 *   params  trainable and non-trainable weights, flat, offsets in the plan
 *           (updated in place)
 *   state   optimizer slots, flat, offsets in the plan (updated in place)
 *   x       [n, input...] floats; y [n, label...] floats (a class index as a
 *           float for classification)
 *   ws      workspace of ws_per_sample * cap + ws_fixed floats (plan)
 *   hyper   [learning_rate, iteration (1-based), dropout seed]
 *   metrics out: [loss (batch mean, including regularization), metric sum
 *           over the batch (correct predictions, or squared error), the
 *           sums of the plan's further metrics, in order] */
typedef void (*netc_train_fn)(netc_buf *params, netc_buf *state, netc_buf *x,
                              netc_buf *y, int64_t n, netc_buf *ws, int64_t cap,
                              netc_buf *hyper, netc_buf *metrics);
/* Evaluation (inference mode) of the same kernel: metrics as above;
 * the network's outputs [n, output...] are written to out. */
typedef void (*netc_eval_fn)(netc_buf *params, netc_buf *x, netc_buf *y,
                             int64_t n, netc_buf *ws, int64_t cap,
                             netc_buf *metrics, netc_buf *out);

/* The float64 variant of the train function (every buffer double, the
 * same layout and sizes in elements; its workspace size is the plan's
 * train_f64_ws_*), made only by `netc build --gradcheck-f64`. */
typedef struct {
  double *allocated;
  double *aligned;
  int64_t offset;
  int64_t size;
  int64_t stride;
} netc_buf_f64;
typedef void (*netc_train_f64_fn)(netc_buf_f64 *params, netc_buf_f64 *state,
                                  netc_buf_f64 *x, netc_buf_f64 *y, int64_t n,
                                  netc_buf_f64 *ws, int64_t cap,
                                  netc_buf_f64 *hyper, netc_buf_f64 *metrics);

typedef struct {
  const char *name;
  netc_train_fn train;
  netc_eval_fn eval;
  netc_train_f64_fn train_f64; /* NULL unless built with --gradcheck-f64 */
} netc_kernel_entry;

/* Emitted by the compiler into every program. */
extern const netc_kernel_entry netc_kernels[];
extern const int64_t netc_num_kernels;
extern const char netc_plan_json[];
/* The CPU the kernels were compiled for (`netc build --cpu`): its LLVM name
 * and its x86 features, comma-separated LLVM names ("avx2,fma,..."). main()
 * checks them against the running CPU before anything else (netc/Cpu.h). */
extern const char netc_target_cpu[];
extern const char netc_target_features[];
/* The device the steps were compiled for: "cpu" or "cuda" (`netc build
 * --target`). For "cuda", main() initializes the cuda backend (netc/Device.h)
 * before anything else, or exits with one clear line. */
extern const char netc_target_device[];

#ifdef __cplusplus
}
#endif

#endif /* NETC_ABI_H */
