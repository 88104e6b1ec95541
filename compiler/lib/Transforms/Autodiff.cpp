//===- Autodiff.cpp - Reverse-mode differentiation of net functions -------===//
//
// For each loss function made by MLIRGen, builds
//   <name>_train_step(x, y, params..., slots..., lr, t, seed)
//       -> (loss, metric, updated trainable params..., updated slots...,
//           updated non-trainable params...)
// by cloning the forward computation and walking it backwards, asking each
// forward op for its gradient rule (DifferentiableOpInterface; the loss
// terms: LossTermOpInterface), then one net.optimizer_update per trainable
// weight; and
//   <name>_eval_step(x, y, params..., seed) -> (loss, metric, output)
// (StepSignature.h owns these layouts). The non-trainable params a training
// step replaces (batchnorm's moving statistics) are the loss function's
// results after the output, listed by `net.updated_params`; the train step
// attribute keeps that list. The eval step drops them and clears every op's
// `training` attribute.
// Only values that depend on a trainable weight and reach the loss get
// adjoints, so, e.g., no gradient is computed for the input images. An op
// through which an adjoint flows but which has no rule is an error at the
// op. The rules are in Autodiff/, one file per op family.
//
// Test hook: with NETC_TEST_PERTURB_GRAD=<rule> in the compiler's
// environment, the rule of the forward op named <rule> (without `net.`:
// conv2d, matmul, bias_add, relu, pool, batchnorm, softmax_cross_entropy,
// regularizer, ...) is made wrong by 1% (AdjointBuilder::perturbation).
//
//===----------------------------------------------------------------------===//
#include "netc/Transforms/Autodiff.h"
#include "netc/Dialect/NetDialect.h"
#include "netc/Dialect/NetInterfaces.h"
#include "netc/Transforms/Passes.h"
#include "netc/Transforms/StepSignature.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace netc;
/// The declared net.* attributes (NetDialect.td, discardableAttrs).
using Attrs = netc::net::NetDialect;

namespace {

class ReverseMode {
public:
  ReverseMode(func::FuncOp lossFn)
      : lossFn(lossFn), sig(StepSignature::ofLossFunction(lossFn)),
        ab(lossFn.getContext()), b(ab.getBuilder()) {}
  LogicalResult buildTrainStep();
  void buildEvalStep();

private:
  /// The train step's function, attributes and entry block, empty.
  func::FuncOp createTrainStep();
  /// Clones the loss function's body (not its return) into `fn`.
  SmallVector<Operation *> cloneForward(func::FuncOp fn, IRMapping &map);
  /// Marks the values that depend on a trainable weight.
  void markActive(func::FuncOp fn, ArrayRef<Operation *> forward);
  /// Seeds the adjoints from the terms of the loss sum.
  LogicalResult seedLoss(Value loss);
  /// Runs the rule of `op` if an adjoint flows back through it.
  LogicalResult differentiate(Operation *op);
  /// One optimizer update per trainable param; appends the new params and
  /// then the new slots to `outs`.
  void emitUpdates(func::FuncOp fn, SmallVectorImpl<Value> &outs);

  func::FuncOp lossFn;
  StepSignature sig;
  AdjointBuilder ab;
  OpBuilder &b;
};

func::FuncOp ReverseMode::createTrainStep() {
  b.setInsertionPointAfter(lossFn);
  auto fn = b.create<func::FuncOp>(lossFn.getLoc(),
                                   (lossFn.getSymName() + "_train_step").str(),
                                   sig.trainStepType(lossFn.getFunctionType()));
  fn->setAttr(Attrs::TrainStepAttrHelper::getNameStr(), b.getUnitAttr());
  for (StringRef a : {Attrs::NetworkAttrHelper::getNameStr(),
                      Attrs::LossAttrHelper::getNameStr(),
                      Attrs::MetricAttrHelper::getNameStr(),
                      Attrs::OptimizerAttrHelper::getNameStr(),
                      Attrs::OptimizerConfigAttrHelper::getNameStr(),
                      Attrs::SlotInitAttrHelper::getNameStr(),
                      Attrs::UpdatedParamsAttrHelper::getNameStr()})
    if (Attribute attr = lossFn->getAttr(a))
      fn->setAttr(a, attr);
  fn->setAttr(Attrs::TrainableParamsAttrHelper::getNameStr(),
              b.getDenseI64ArrayAttr(sig.getTrainable()));
  for (unsigned p = 0; p < sig.getNumParams(); ++p)
    fn.setArgAttrs(sig.param(p), lossFn.getArgAttrDict(sig.param(p)));
  fn.addEntryBlock();
  return fn;
}

SmallVector<Operation *> ReverseMode::cloneForward(func::FuncOp fn,
                                                   IRMapping &map) {
  Block *body = &fn.getBody().front();
  for (unsigned i = 0; i < sig.param(sig.getNumParams()); ++i)
    map.map(lossFn.getArgument(i), body->getArgument(i));
  map.map(lossFn.getArgument(sig.evalSeed()),
          body->getArgument(sig.trainSeed()));
  b.setInsertionPointToStart(body);
  SmallVector<Operation *> forward;
  for (Operation &op : lossFn.getBody().front().without_terminator())
    forward.push_back(b.clone(op, map));
  return forward;
}

void ReverseMode::markActive(func::FuncOp fn, ArrayRef<Operation *> forward) {
  for (int64_t p : sig.getTrainable())
    ab.markActive(fn.getArgument(sig.param(p)));
  for (Operation *op : forward)
    if (llvm::any_of(op->getOperands(),
                     [&](Value v) { return ab.isActive(v); }))
      for (Value r : op->getResults())
        ab.markActive(r);
}

LogicalResult ReverseMode::seedLoss(Value loss) {
  // The loss is a sum of terms, each with d(loss)/d(term) = 1.
  auto sum = loss.getDefiningOp<net::ScalarAddOp>();
  if (!sum)
    return lossFn.emitError("loss is not a sum of loss terms");
  for (auto [i, term] : llvm::enumerate(sum.getTerms())) {
    Operation *def = term.getDefiningOp();
    if (!def)
      return lossFn.emitError("loss term #")
             << i << " is not the result of an op";
    auto rule = dyn_cast<net::LossTermOpInterface>(def);
    if (!rule)
      return def->emitOpError("is not a loss term with a gradient rule "
                              "(LossTermOpInterface)");
    ab.setRuleOp(def);
    if (failed(rule.seedAdjoints(ab)))
      return failure();
  }
  ab.setRuleOp(nullptr);
  return success();
}

LogicalResult ReverseMode::differentiate(Operation *op) {
  SmallVector<Value> dys;
  for (Value r : op->getResults())
    dys.push_back(ab.takeAdjoint(r));
  if (llvm::all_of(dys, [](Value dy) { return !dy; }))
    return success();
  auto rule = dyn_cast<net::DifferentiableOpInterface>(op);
  if (!rule)
    return op->emitOpError("is on the path from a trainable weight to the "
                           "loss but has no gradient rule "
                           "(DifferentiableOpInterface)");
  ab.setRuleOp(op);
  LogicalResult result = rule.emitAdjoints(ab, dys);
  ab.setRuleOp(nullptr);
  return result;
}

void ReverseMode::emitUpdates(func::FuncOp fn, SmallVectorImpl<Value> &outs) {
  auto name = lossFn->getAttrOfType<StringAttr>(
      Attrs::OptimizerAttrHelper::getNameStr());
  net::OptimizerKind kind = *net::symbolizeOptimizerKind(name.getValue());
  auto config = lossFn->getAttrOfType<DictionaryAttr>(
      Attrs::OptimizerConfigAttrHelper::getNameStr());
  Value lr = fn.getArgument(sig.learningRate());
  Value iter = fn.getArgument(sig.iteration());
  unsigned numSlots = sig.getNumSlots();
  SmallVector<Value> newSlots;
  for (auto [i, p] : llvm::enumerate(sig.getTrainable())) {
    Value w = fn.getArgument(sig.param(p));
    Value g = ab.takeAdjoint(w);
    if (!g)
      g = ab.zeros(fn.getLoc(), w.getType());
    SmallVector<Value> slots;
    for (unsigned s = 0; s < numSlots; ++s)
      slots.push_back(fn.getArgument(sig.slot(i, s)));
    SmallVector<Type> types(1 + numSlots, w.getType());
    auto update = b.create<net::OptimizerUpdateOp>(
        w.getLoc(), types, w, g, slots, lr, iter, kind, config);
    outs.push_back(update.getResult(0));
    llvm::append_range(newSlots, update.getResults().drop_front());
  }
  outs.append(newSlots);
}

LogicalResult ReverseMode::buildTrainStep() {
  if (!lossFn->getAttrOfType<StringAttr>(
          Attrs::OptimizerAttrHelper::getNameStr()) ||
      !lossFn->getAttrOfType<DictionaryAttr>(
          Attrs::OptimizerConfigAttrHelper::getNameStr()))
    return lossFn.emitError("loss function without net.optimizer and "
                            "net.optimizer_config");
  StringRef optimizer =
      lossFn
          ->getAttrOfType<StringAttr>(Attrs::OptimizerAttrHelper::getNameStr())
          .getValue();
  if (!net::symbolizeOptimizerKind(optimizer))
    return lossFn.emitError("no optimizer update for '") << optimizer << "'";
  func::FuncOp fn = createTrainStep();
  IRMapping map;
  SmallVector<Operation *> forward = cloneForward(fn, map);
  markActive(fn, forward);
  auto ret = cast<func::ReturnOp>(lossFn.getBody().front().getTerminator());
  Value loss = map.lookup(ret.getOperand(StepSignature::kLoss));
  if (failed(seedLoss(loss)))
    return failure();
  for (Operation *op : llvm::reverse(forward))
    if (failed(differentiate(op)))
      return failure();

  SmallVector<Value> outs{loss,
                          map.lookup(ret.getOperand(StepSignature::kMetric))};
  emitUpdates(fn, outs);
  for (Value v : ret.getOperands().drop_front(StepSignature::kNumEvalResults))
    outs.push_back(map.lookup(v));
  b.create<func::ReturnOp>(fn.getLoc(), outs);
  return success();
}

void ReverseMode::buildEvalStep() {
  b.setInsertionPointAfter(lossFn);
  auto eval = cast<func::FuncOp>(b.clone(*lossFn));
  eval.setSymName((lossFn.getSymName() + "_eval_step").str());
  eval->removeAttr(Attrs::LossFunctionAttrHelper::getNameStr());
  eval->removeAttr(Attrs::UpdatedParamsAttrHelper::getNameStr());
  eval->setAttr(Attrs::EvalStepAttrHelper::getNameStr(), b.getUnitAttr());
  // Inference: no statistics updates, batchnorm on moving statistics,
  // dropout off.
  Block &body = eval.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  ret->eraseOperands(StepSignature::kNumEvalResults,
                     ret.getNumOperands() - StepSignature::kNumEvalResults);
  eval.setType(
      b.getFunctionType(eval.getArgumentTypes(), ret.getOperandTypes()));
  eval.walk([](Operation *op) { op->removeAttr("training"); });
  SmallVector<Operation *> ops;
  for (Operation &op : body.without_terminator())
    ops.push_back(&op);
  for (Operation *op : llvm::reverse(ops))
    if (op->use_empty() && isPure(op))
      op->erase();
}

} // namespace

namespace netc {
#define GEN_PASS_DEF_AUTODIFFPASS
#include "netc/Transforms/Passes.h.inc"
} // namespace netc

namespace {

struct AutodiffPass : netc::impl::AutodiffPassBase<AutodiffPass> {
  void runOnOperation() override {
    auto *dialect = getContext().getLoadedDialect<net::NetDialect>();
    SmallVector<func::FuncOp> lossFns;
    getOperation().walk([&](func::FuncOp fn) {
      if (dialect->getLossFunctionAttrHelper().isAttrPresent(fn))
        lossFns.push_back(fn);
    });
    for (func::FuncOp fn : lossFns) {
      ReverseMode rm(fn);
      if (failed(rm.buildTrainStep()))
        return signalPassFailure();
      if (!dialect->getTrainOnlyAttrHelper().isAttrPresent(fn))
        rm.buildEvalStep();
      fn.erase();
    }
  }
};

} // namespace
