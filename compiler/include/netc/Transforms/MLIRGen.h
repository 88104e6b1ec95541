//===- MLIRGen.h - Program -> net dialect -----------------------*- C++ -*-===//
#ifndef NETC_TRANSFORMS_MLIRGEN_H
#define NETC_TRANSFORMS_MLIRGEN_H

#include "netc/Frontend/Program.h"

#include "mlir/IR/BuiltinOps.h"
#include <string>
#include <vector>

namespace netc {

/// One unit of compiled code: a network structure trained with one loss and
/// one optimizer configuration (see docs/design.md).
struct KernelUnit {
  std::string name; // symbol prefix, e.g. "k0"
  const Network *network = nullptr;
  TrainSpec train;
  /// The data set it trains on (null for evaluation-only kernels); only
  /// polyfeatures' standardization depends on it.
  const DatasetDecl *dataset = nullptr;
};

/// Which float type a kernel is generated in: f32 (training), or f64 for the
/// extra train step of `netc build --gradcheck-f64` (`<name>_f64`, a train
/// step only, tagged `net.train_only`).
enum class Precision { F32, F64 };

/// Emits `func.func @<name>` computing (loss, metric sum, network output) from
/// (x, labels, params...) in the net dialect, tagged `net.loss_function`.
/// Reports unsupported constructs at their source location through the
/// context's diagnostic handler and fails.
mlir::LogicalResult buildLossFunction(mlir::ModuleOp module,
                                      const KernelUnit &kernel,
                                      const std::string &file,
                                      Precision precision = Precision::F32);

/// The metric a loss implies ("accuracy" for cross-entropies, else "mse").
std::string metricForLoss(const std::string &loss);

/// The per-sample label shape a loss reads: [1] (a class index) for the
/// categorical cross-entropies, the output shape otherwise.
std::vector<int64_t> labelShape(const std::string &loss,
                                const std::vector<int64_t> &outputShape);

} // namespace netc

#endif
