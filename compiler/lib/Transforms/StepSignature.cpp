//===- StepSignature.cpp - Argument layout of the step functions ----------===//
#include "netc/Transforms/StepSignature.h"
#include "netc/Dialect/NetDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;
using namespace netc;
/// The declared net.* attributes (NetDialect.td, discardableAttrs).
using Attrs = netc::net::NetDialect;

static unsigned numSlotsOf(func::FuncOp fn) {
  auto slotInit = fn->getAttrOfType<DenseF64ArrayAttr>(
      Attrs::SlotInitAttrHelper::getNameStr());
  return slotInit ? slotInit.size() : 0;
}

StepSignature StepSignature::ofLossFunction(func::FuncOp fn) {
  unsigned numParams = fn.getNumArguments() - 3;
  SmallVector<int64_t> trainable;
  for (unsigned p = 0; p < numParams; ++p)
    if (auto t = fn.getArgAttrOfType<BoolAttr>(
            kFirstParam + p, Attrs::TrainableAttrHelper::getNameStr());
        !t || t.getValue())
      trainable.push_back(p);
  return StepSignature(numParams, trainable, numSlotsOf(fn));
}

StepSignature StepSignature::ofTrainStep(func::FuncOp fn) {
  ArrayRef<int64_t> trainable;
  if (auto attr = fn->getAttrOfType<DenseI64ArrayAttr>(
          Attrs::TrainableParamsAttrHelper::getNameStr()))
    trainable = attr.asArrayRef();
  unsigned numSlots = numSlotsOf(fn);
  unsigned numParams = fn.getNumArguments() - 5 - trainable.size() * numSlots;
  return StepSignature(numParams, trainable, numSlots);
}

StepSignature StepSignature::ofEvalStep(func::FuncOp fn) {
  return StepSignature(fn.getNumArguments() - 3, {}, 0);
}

FunctionType StepSignature::trainStepType(FunctionType lossType) const {
  SmallVector<Type> args(lossType.getInputs().take_front(param(numParams)));
  SmallVector<Type> results{lossType.getResult(kLoss),
                            lossType.getResult(kMetric)};
  for (int64_t p : trainable)
    results.push_back(lossType.getInput(param(p)));
  for (int64_t p : trainable)
    for (unsigned s = 0; s < numSlots; ++s) {
      args.push_back(lossType.getInput(param(p)));
      results.push_back(lossType.getInput(param(p)));
    }
  Type elem = getElementTypeOrSelf(lossType.getResult(kLoss));
  args.append({elem, elem, lossType.getInput(evalSeed())});
  llvm::append_range(results,
                     lossType.getResults().drop_front(kNumEvalResults));
  return FunctionType::get(lossType.getContext(), args, results);
}
