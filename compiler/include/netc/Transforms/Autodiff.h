//===- Autodiff.h - What gradient rules see of reverse mode -----*- C++ -*-===//
//
// The gradient rules (external models of DifferentiableOpInterface and
// LossTermOpInterface, compiler/lib/Transforms/Autodiff/) emit their ops
// through an AdjointBuilder: the state of one reverse sweep (which values
// vary with a trainable weight, the adjoints accumulated so far) and the
// OpBuilder placed where gradient ops go. registerGradientRules attaches
// every rule; call it wherever the net dialect is registered.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_TRANSFORMS_AUTODIFF_H
#define NETC_TRANSFORMS_AUTODIFF_H

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#include <functional>
#include <string>

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace netc {

/// Attaches the gradient rule of every differentiable net op and of every
/// loss term to the net dialect's ops when the dialect is loaded.
void registerGradientRules(mlir::DialectRegistry &registry);

class AdjointBuilder {
public:
  /// Completes the adjoint of a value: gets the sum of its other
  /// contributions (null when there are none) and returns the whole adjoint.
  using DeferredTerm = std::function<mlir::Value(mlir::Value)>;

  explicit AdjointBuilder(mlir::MLIRContext *ctx);

  /// Placed where the gradient ops go (after what is already emitted).
  mlir::OpBuilder &getBuilder() { return b; }

  /// Whether `v` varies with a trainable weight: only such values get
  /// adjoints (so no gradient is computed for the input batch).
  bool isActive(mlir::Value v) const { return active.contains(v); }
  void markActive(mlir::Value v) { active.insert(v); }

  /// Adds `g` to the adjoint of `v` (a net.add when it has one already);
  /// nothing when `v` is not active.
  void addAdjoint(mlir::Value v, mlir::Value g);
  /// Registers a term folded into the adjoint of the active value `v` once
  /// every other contribution is known (a regularizer's net.regularizer_grad
  /// takes the adjoint as an operand).
  void addDeferred(mlir::Value v, DeferredTerm term);
  /// The complete adjoint of `v`, deferred terms folded in (null when
  /// nothing reaches the loss through `v`). Call it once per value, after
  /// every user of `v` has been differentiated.
  mlir::Value takeAdjoint(mlir::Value v);

  /// A constant zero tensor of `type`.
  mlir::Value zeros(mlir::Location loc, mlir::Type type);

  /// Names the forward op whose rule runs next (null: none), for the test
  /// hook below.
  void setRuleOp(mlir::Operation *op) { ruleOp = op; }
  /// Test hook: NETC_TEST_PERTURB_GRAD=<op name without `net.`> makes that
  /// op's rule 1% wrong, so that a test can show that --gradcheck catches
  /// it. Returns 1.01 (and warns once, at the op) while that op's rule runs,
  /// else 1. addAdjoint applies it to every adjoint; a rule that returns its
  /// result otherwise (a deferred term) applies it itself.
  double perturbation();

private:
  mlir::OpBuilder b;
  llvm::DenseSet<mlir::Value> active;
  llvm::DenseMap<mlir::Value, mlir::Value> adjoints;
  llvm::DenseMap<mlir::Value, llvm::SmallVector<DeferredTerm, 1>> deferred;
  mlir::Operation *ruleOp = nullptr;
  std::string perturbRule;
  bool warned = false;
};

} // namespace netc

#endif
