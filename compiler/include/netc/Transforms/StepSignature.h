//===- StepSignature.h - Argument layout of the step functions --*- C++ -*-===//
//
// The one place that knows the order of the arguments and results of the
// functions around differentiation (MLIRGen makes the loss function,
// netc-autodiff the steps, netc-export-kernels consumes the steps):
//
//   loss function (x, y, params..., seed)
//                 -> (loss, metric, output, updated params...)
//   eval step     (x, y, params..., seed) -> (loss, metric, output)
//   train step    (x, y, params..., slots..., lr, t, seed)
//                 -> (loss, metric, new trainable params..., new slots...,
//                     updated params...)
//
// `slots` are the optimizer's state, numSlots per trainable param, grouped by
// param (Adam: m0, v0, m1, v1, ...); `updated params` are the non-trainable
// params a training step replaces (batchnorm's moving statistics, listed by
// `net.updated_params`).
//
//===----------------------------------------------------------------------===//
#ifndef NETC_TRANSFORMS_STEPSIGNATURE_H
#define NETC_TRANSFORMS_STEPSIGNATURE_H

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

namespace mlir::func {
class FuncOp;
} // namespace mlir::func

namespace netc {

class StepSignature {
public:
  /// Inputs and results at fixed positions.
  static constexpr unsigned kInput = 0, kLabels = 1, kFirstParam = 2;
  static constexpr unsigned kLoss = 0, kMetric = 1, kOutput = 2;
  /// Results of the eval step (and the leading ones of the loss function).
  static constexpr unsigned kNumEvalResults = 3;

  StepSignature(unsigned numParams, llvm::ArrayRef<int64_t> trainable,
                unsigned numSlots)
      : numParams(numParams), trainable(trainable), numSlots(numSlots) {}

  /// Of a loss function made by MLIRGen: every param is trainable unless
  /// its `net.trainable` argument attribute is false; numSlots from
  /// `net.slot_init`.
  static StepSignature ofLossFunction(mlir::func::FuncOp fn);
  /// Of a train step (`net.trainable_params`, `net.slot_init`).
  static StepSignature ofTrainStep(mlir::func::FuncOp fn);
  /// Of an eval step (no slots, nothing trained).
  static StepSignature ofEvalStep(mlir::func::FuncOp fn);

  unsigned getNumParams() const { return numParams; }
  unsigned getNumSlots() const { return numSlots; }
  /// The indices of the trainable params, in order.
  llvm::ArrayRef<int64_t> getTrainable() const { return trainable; }

  /// Inputs of every step: param `p` (0-based among the params).
  unsigned param(unsigned p) const { return kFirstParam + p; }
  /// Inputs of the loss function and the eval step: the dropout seed.
  unsigned evalSeed() const { return kFirstParam + numParams; }

  /// Inputs of the train step: slot `s` of the `i`-th trainable param.
  unsigned slot(unsigned i, unsigned s) const {
    return kFirstParam + numParams + i * numSlots + s;
  }
  unsigned learningRate() const { return slot(trainable.size(), 0); }
  unsigned iteration() const { return learningRate() + 1; }
  unsigned trainSeed() const { return learningRate() + 2; }
  unsigned numTrainInputs() const { return learningRate() + 3; }

  /// Results of the train step: the `i`-th trainable param updated, slot
  /// `s` of it updated, and the `u`-th updated non-trainable param.
  unsigned newParam(unsigned i) const { return 2 + i; }
  unsigned newSlot(unsigned i, unsigned s) const {
    return 2 + trainable.size() + i * numSlots + s;
  }
  unsigned newUpdatedParam(unsigned u) const {
    return newSlot(trainable.size(), 0) + u;
  }

  /// The train step's type, from the loss function's: the learning rate and
  /// iteration in the loss's float type, the seed as the loss function has
  /// it.
  mlir::FunctionType trainStepType(mlir::FunctionType lossType) const;

private:
  unsigned numParams;
  llvm::SmallVector<int64_t> trainable;
  unsigned numSlots;
};

} // namespace netc

#endif
