//===- Rules.h - Gradient rules, one registration per op family -*- C++ -*-===//
//
// Each file of this folder attaches the external models of one op family;
// Rules.cpp's registerGradientRules calls them all.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_TRANSFORMS_AUTODIFF_RULES_H
#define NETC_TRANSFORMS_AUTODIFF_RULES_H

#include "netc/Dialect/NetDialect.h"
#include "netc/Dialect/NetInterfaces.h"
#include "netc/Transforms/Autodiff.h"

#include "mlir/IR/DialectRegistry.h"

namespace netc::rules {

/// conv2d, matmul, bias_add, pool.
void registerLayerRules(mlir::DialectRegistry &registry);
/// relu, sigmoid, tanh, softmax, add, dropout.
void registerElementwiseRules(mlir::DialectRegistry &registry);
/// batchnorm.
void registerNormalizationRules(mlir::DialectRegistry &registry);
/// reshape, zeropad, concat.
void registerShapeRules(mlir::DialectRegistry &registry);
/// The loss terms: softmax_cross_entropy, sigmoid_cross_entropy,
/// prob_cross_entropy, mse, mae, regularizer.
void registerLossRules(mlir::DialectRegistry &registry);

/// The rule of a differentiable op: the adjoints of its operands given
/// those of its results (`dys`, one per result, null where none flows back).
template <typename Op>
using AdjointFn = llvm::LogicalResult (*)(Op op, AdjointBuilder &ab,
                                          llvm::ArrayRef<mlir::Value> dys);
/// The rule of a loss term: the adjoints of its operands for d(loss)/d(term)
/// = 1.
template <typename Op>
using SeedFn = llvm::LogicalResult (*)(Op op, AdjointBuilder &ab);

/// The external model of DifferentiableOpInterface that runs `Fn`.
template <typename Op, AdjointFn<Op> Fn>
struct OpRule
    : net::DifferentiableOpInterface::ExternalModel<OpRule<Op, Fn>, Op> {
  llvm::LogicalResult emitAdjoints(mlir::Operation *op, AdjointBuilder &ab,
                                   llvm::ArrayRef<mlir::Value> dys) const {
    return Fn(llvm::cast<Op>(op), ab, dys);
  }
};

/// The external model of LossTermOpInterface that runs `Fn`.
template <typename Op, SeedFn<Op> Fn>
struct LossRule
    : net::LossTermOpInterface::ExternalModel<LossRule<Op, Fn>, Op> {
  llvm::LogicalResult seedAdjoints(mlir::Operation *op,
                                   AdjointBuilder &ab) const {
    return Fn(llvm::cast<Op>(op), ab);
  }
};

} // namespace netc::rules

#endif
