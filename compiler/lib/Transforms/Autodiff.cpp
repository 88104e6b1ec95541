//===- Autodiff.cpp - Reverse-mode differentiation of net functions -------===//
//
// For each loss function made by MLIRGen, builds
//   <name>_train_step(x, y, params..., slots..., lr, t, seed)
//       -> (loss, metric, updated trainable params..., updated slots...,
//           updated non-trainable params...)
// by cloning the forward computation and walking it backwards, emitting one
// gradient op (or a few) per forward op, then one net.optimizer_update per
// trainable weight; and
//   <name>_eval_step(x, y, params..., seed) -> (loss, metric, output)
// The non-trainable params a training step replaces (batchnorm's moving
// statistics) are the loss function's results after the output, listed by
// `net.updated_params`; the train step attribute keeps that list. The eval
// step drops them and clears every op's `training` attribute.
// Only values that depend on a trainable weight and reach the loss get
// adjoints, so, e.g., no gradient is computed for the input images.
//
// Test hook: with NETC_TEST_PERTURB_GRAD=<rule> in the compiler's
// environment, the rule of the forward op named <rule> (without `net.`:
// conv2d, matmul, bias_add, relu, pool, batchnorm, softmax_cross_entropy,
// regularizer, ...) is made wrong by 1%: every adjoint it contributes is
// multiplied by 1.01 (net.scale), with a warning at the op. It exists only
// so that a test can show that --gradcheck catches a 1% error in one rule.
//
//===----------------------------------------------------------------------===//
#include "netc/Dialect/NetDialect.h"
#include "netc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseSet.h"

#include <cstdlib>

using namespace mlir;
using namespace netc;

namespace {

class ReverseMode {
public:
  ReverseMode(func::FuncOp lossFn) : lossFn(lossFn), b(lossFn.getContext()) {
    if (const char *rule = std::getenv("NETC_TEST_PERTURB_GRAD"))
      perturbRule = rule;
  }
  LogicalResult buildTrainStep();
  void buildEvalStep();

private:
  void addAdjoint(Value v, Value g);
  /// Whether the test hook makes the rule of `op` wrong (and warns once).
  bool perturbed(Operation *op);
  /// The adjoint of `v` with pending regularizer terms folded in (null when
  /// nothing reaches the loss through `v`).
  Value takeAdjoint(Value v);
  LogicalResult differentiate(Operation *op);

  func::FuncOp lossFn;
  OpBuilder b;
  DenseSet<Value> varied;
  DenseMap<Value, Value> adjoint;
  DenseMap<Value, SmallVector<net::RegularizerOp>> pendingReg;
  /// The forward op whose rule is being emitted (for the test hook).
  Operation *current = nullptr;
  std::string perturbRule;
  bool warned = false;
};

constexpr double kPerturbation = 1.01; // keep the warning's text in step

bool ReverseMode::perturbed(Operation *op) {
  if (!op || perturbRule.empty() || op->getName().stripDialect() != perturbRule)
    return false;
  if (!warned)
    emitWarning(op->getLoc())
        << "NETC_TEST_PERTURB_GRAD: the gradient rule of '" << perturbRule
        << "' is made 1% wrong (its adjoints are multiplied by 1.01)";
  warned = true;
  return true;
}

void ReverseMode::addAdjoint(Value v, Value g) {
  if (!varied.contains(v))
    return;
  if (perturbed(current))
    g = b.create<net::ScaleOp>(g.getLoc(), g, b.getF64FloatAttr(kPerturbation));
  auto [it, inserted] = adjoint.try_emplace(v, g);
  if (!inserted)
    it->second = b.create<net::AddOp>(g.getLoc(), it->second, g);
}

Value ReverseMode::takeAdjoint(Value v) {
  Value g = adjoint.lookup(v);
  auto regs = pendingReg.find(v);
  if (regs == pendingReg.end())
    return g;
  for (net::RegularizerOp reg : regs->second) {
    if (!g) {
      // Only a regularizer reaches the loss through v: start from zero.
      auto type = cast<RankedTensorType>(v.getType());
      g = b.create<arith::ConstantOp>(
          reg.getLoc(), DenseElementsAttr::get(
                            type, b.getFloatAttr(type.getElementType(), 0)));
    }
    double scale = perturbed(reg) ? kPerturbation : 1.0;
    g = b.create<net::RegularizerGradOp>(
        reg.getLoc(), v.getType(), g, v,
        b.getF64FloatAttr(reg.getL1().convertToDouble() * scale),
        b.getF64FloatAttr(reg.getL2().convertToDouble() * scale));
  }
  pendingReg.erase(regs);
  return g;
}

/// Whether every use of `v` is as the input of a training batchnorm (or of
/// its moving-statistics update, or of its gradient): then the loss is
/// invariant to adding a per-channel constant to `v`.
static bool feedsOnlyBatchNorm(Value v) {
  if (v.use_empty())
    return false;
  for (OpOperand &use : v.getUses()) {
    Operation *user = use.getOwner();
    if (auto bn = dyn_cast<net::BatchNormOp>(user)) {
      if (!bn.getTraining() || use.getOperandNumber() != 0)
        return false;
    } else if (isa<net::MovingMomentsOp>(user)) {
      if (use.getOperandNumber() != 0)
        return false;
    } else if (auto grad = dyn_cast<net::BatchNormGradOp>(user)) {
      if (use.get() != grad.getInput() || use.get() == grad.getDy())
        return false;
    } else {
      return false;
    }
  }
  return true;
}

LogicalResult ReverseMode::differentiate(Operation *op) {
  Location loc = op->getLoc();
  if (op->getNumResults() != 1)
    return success();
  Value dy = takeAdjoint(op->getResult(0));
  if (!dy)
    return success();
  current = op;
  auto needs = [&](Value v) { return varied.contains(v); };

  if (auto conv = dyn_cast<net::Conv2DOp>(op)) {
    if (needs(conv.getInput()))
      addAdjoint(conv.getInput(),
                 b.create<net::Conv2DGradInputOp>(
                     loc, conv.getInput().getType(), dy, conv.getFilter(),
                     conv.getInput(), conv.getStridesAttr(),
                     conv.getPadsAttr()));
    if (needs(conv.getFilter()))
      addAdjoint(conv.getFilter(),
                 b.create<net::Conv2DGradFilterOp>(
                     loc, conv.getFilter().getType(), conv.getInput(), dy,
                     conv.getStridesAttr(), conv.getPadsAttr()));
    return success();
  }
  if (auto mm = dyn_cast<net::MatmulOp>(op)) {
    if (mm.getTransposeLhs() || mm.getTransposeRhs())
      return op->emitError("cannot differentiate a transposed matmul");
    // y = a b:  da = dy b^T,  db = a^T dy.
    if (needs(mm.getLhs()))
      addAdjoint(mm.getLhs(), b.create<net::MatmulOp>(
                                  loc, mm.getLhs().getType(), dy, mm.getRhs(),
                                  /*transpose_lhs=*/false,
                                  /*transpose_rhs=*/true));
    if (needs(mm.getRhs()))
      addAdjoint(mm.getRhs(), b.create<net::MatmulOp>(
                                  loc, mm.getRhs().getType(), mm.getLhs(), dy,
                                  /*transpose_lhs=*/true,
                                  /*transpose_rhs=*/false));
    return success();
  }
  if (auto bias = dyn_cast<net::BiasAddOp>(op)) {
    addAdjoint(bias.getInput(), dy);
    // A bias whose sum only feeds training batchnorms has no data gradient:
    // batchnorm subtracts the batch mean per channel, so the loss does not
    // depend on it, and sum(dx) over a channel is zero in exact arithmetic.
    // Computed in float32 it is rounding noise (~1e-9) that would stand in
    // for the true gradient (only the bias's regularizer term, if any).
    if (needs(bias.getBias()) && !feedsOnlyBatchNorm(bias.getResult()))
      addAdjoint(bias.getBias(), b.create<net::BiasAddGradOp>(
                                     loc, bias.getBias().getType(), dy));
    return success();
  }
  auto activationGrad = [&](Value input, net::ActivationKind kind) {
    addAdjoint(input, b.create<net::ActivationGradOp>(loc, input.getType(), dy,
                                                      op->getResult(0), kind));
    return success();
  };
  if (auto a = dyn_cast<net::ReluOp>(op))
    return activationGrad(a.getInput(), net::ActivationKind::Relu);
  if (auto a = dyn_cast<net::SigmoidOp>(op))
    return activationGrad(a.getInput(), net::ActivationKind::Sigmoid);
  if (auto a = dyn_cast<net::TanhOp>(op))
    return activationGrad(a.getInput(), net::ActivationKind::Tanh);
  if (auto a = dyn_cast<net::SoftmaxOp>(op))
    return activationGrad(a.getInput(), net::ActivationKind::Softmax);
  if (auto pool = dyn_cast<net::PoolOp>(op)) {
    addAdjoint(pool.getInput(),
               b.create<net::PoolGradOp>(
                   loc, pool.getInput().getType(), pool.getInput(), dy,
                   pool.getKindAttr(), pool.getWindowAttr(),
                   pool.getStridesAttr(), pool.getPadsAttr()));
    return success();
  }
  if (auto reshape = dyn_cast<net::ReshapeOp>(op)) {
    addAdjoint(reshape.getInput(),
               b.create<net::ReshapeOp>(loc, reshape.getInput().getType(), dy));
    return success();
  }
  if (auto add = dyn_cast<net::AddOp>(op)) {
    addAdjoint(add.getLhs(), dy);
    addAdjoint(add.getRhs(), dy);
    return success();
  }
  if (auto bn = dyn_cast<net::BatchNormOp>(op)) {
    if (!bn.getTraining())
      return op->emitError("cannot differentiate an inference batchnorm");
    Value x = bn.getInput(), gamma = bn.getGamma();
    auto grad = b.create<net::BatchNormGradOp>(
        loc, TypeRange{x.getType(), gamma.getType(), bn.getBeta().getType()},
        dy, x, gamma, bn.getEpsilonAttr());
    addAdjoint(x, grad.getDx());
    addAdjoint(gamma, grad.getDgamma());
    addAdjoint(bn.getBeta(), grad.getDbeta());
    return success();
  }
  if (auto drop = dyn_cast<net::DropoutOp>(op)) {
    // The mask is a function of (seed, salt, index) only: the same op on dy
    // multiplies by the same mask / (1 - rate).
    addAdjoint(drop.getInput(),
               b.create<net::DropoutOp>(loc, dy, drop.getSeed(),
                                        drop.getRateAttr(), drop.getSaltAttr(),
                                        drop.getTrainingAttr()));
    return success();
  }
  if (auto pad = dyn_cast<net::ZeroPadOp>(op)) {
    addAdjoint(pad.getInput(),
               b.create<net::CropOp>(loc, pad.getInput().getType(), dy,
                                     pad.getPadsAttr()));
    return success();
  }
  if (auto concat = dyn_cast<net::ConcatOp>(op)) {
    int64_t axis = concat.getAxis(), offset = 0;
    for (Value in : concat.getInputs()) {
      auto type = cast<RankedTensorType>(in.getType());
      if (needs(in))
        addAdjoint(in, b.create<net::SliceOp>(loc, type, dy,
                                              b.getI64IntegerAttr(axis),
                                              b.getI64IntegerAttr(offset)));
      offset += type.getDimSize(axis);
    }
    return success();
  }
  return op->emitError("no gradient rule for '") << op->getName() << "'";
}

LogicalResult ReverseMode::buildTrainStep() {
  MLIRContext *ctx = lossFn.getContext();
  FunctionType lossType = lossFn.getFunctionType();
  // Inputs: x, labels, params..., seed.
  unsigned numParams = lossType.getNumInputs() - 3;
  auto slotInit = lossFn->getAttrOfType<DenseF64ArrayAttr>("net.slot_init");
  unsigned numSlots = slotInit ? slotInit.size() : 0;
  SmallVector<unsigned> trainable;
  for (unsigned i = 0; i < numParams; ++i)
    if (auto t = lossFn.getArgAttrOfType<BoolAttr>(2 + i, "net.trainable");
        !t || t.getValue())
      trainable.push_back(i);

  // Signature: x, y, params..., slots (per trainable param)..., lr, t, seed.
  SmallVector<Type> args(lossType.getInputs().begin(),
                         lossType.getInputs().end() - 1);
  SmallVector<Type> results{lossType.getResult(0), lossType.getResult(1)};
  for (unsigned p : trainable)
    results.push_back(lossType.getInput(2 + p));
  for (unsigned p : trainable)
    for (unsigned s = 0; s < numSlots; ++s) {
      args.push_back(lossType.getInput(2 + p));
      results.push_back(lossType.getInput(2 + p));
    }
  // The learning rate and iteration in the network's float type; the dropout
  // seed as the loss function has it.
  Type elem = getElementTypeOrSelf(lossType.getResult(0));
  args.append({elem, elem, lossType.getInputs().back()});
  for (Type t : lossType.getResults().drop_front(3))
    results.push_back(t);

  b.setInsertionPointAfter(lossFn);
  auto fn = b.create<func::FuncOp>(lossFn.getLoc(),
                                   (lossFn.getSymName() + "_train_step").str(),
                                   b.getFunctionType(args, results));
  fn->setAttr("net.train_step", b.getUnitAttr());
  for (StringRef a :
       {"net.network", "net.loss", "net.metric", "net.optimizer",
        "net.optimizer_config", "net.slot_init", "net.updated_params"})
    if (Attribute attr = lossFn->getAttr(a))
      fn->setAttr(a, attr);
  SmallVector<int64_t> trainableAttr(trainable.begin(), trainable.end());
  fn->setAttr("net.trainable_params", b.getDenseI64ArrayAttr(trainableAttr));
  for (unsigned i = 0; i < numParams; ++i)
    fn.setArgAttrs(2 + i, lossFn.getArgAttrDict(2 + i));

  Block *body = fn.addEntryBlock();
  IRMapping map;
  for (unsigned i = 0; i < 2 + numParams; ++i)
    map.map(lossFn.getArgument(i), body->getArgument(i));
  map.map(lossFn.getArguments().back(), body->getArguments().back());
  b.setInsertionPointToStart(body);
  auto ret = cast<func::ReturnOp>(lossFn.getBody().front().getTerminator());
  SmallVector<Operation *> forward;
  for (Operation &op : lossFn.getBody().front().without_terminator())
    forward.push_back(b.clone(op, map));
  Value loss = map.lookup(ret.getOperand(0));
  Value metric = map.lookup(ret.getOperand(1));

  // Activity: values that depend on a trainable weight.
  for (unsigned p : trainable)
    varied.insert(body->getArgument(2 + p));
  for (Operation *op : forward)
    if (llvm::any_of(op->getOperands(),
                     [&](Value v) { return varied.contains(v); }))
      for (Value r : op->getResults())
        varied.insert(r);

  // Seed: the loss is a sum of terms, each with d(loss)/d(term) = 1.
  auto sum = loss.getDefiningOp<net::ScalarAddOp>();
  if (!sum)
    return lossFn.emitError("loss is not a sum of loss terms");
  for (Value term : sum.getTerms()) {
    Operation *def = term.getDefiningOp();
    current = def;
    if (auto ce = dyn_cast<net::SoftmaxCrossEntropyOp>(def)) {
      addAdjoint(ce.getLogits(),
                 b.create<net::SoftmaxCrossEntropyGradOp>(
                     ce.getLoc(), ce.getLogits().getType(), ce.getLogits(),
                     ce.getLabels(), ce.getLabelSmoothingAttr()));
    } else if (auto mse = dyn_cast<net::MseOp>(def)) {
      addAdjoint(mse.getPred(),
                 b.create<net::MseGradOp>(mse.getLoc(), mse.getPred().getType(),
                                          mse.getPred(), mse.getTarget()));
    } else if (auto ce = dyn_cast<net::SigmoidCrossEntropyOp>(def)) {
      addAdjoint(ce.getLogits(),
                 b.create<net::SigmoidCrossEntropyGradOp>(
                     ce.getLoc(), ce.getLogits().getType(), ce.getLogits(),
                     ce.getLabels(), ce.getLabelSmoothingAttr()));
    } else if (auto ce = dyn_cast<net::ProbCrossEntropyOp>(def)) {
      addAdjoint(ce.getProbs(), b.create<net::ProbCrossEntropyGradOp>(
                                    ce.getLoc(), ce.getProbs().getType(),
                                    ce.getProbs(), ce.getLabels()));
    } else if (auto mae = dyn_cast<net::MaeOp>(def)) {
      addAdjoint(mae.getPred(),
                 b.create<net::MaeGradOp>(mae.getLoc(), mae.getPred().getType(),
                                          mae.getPred(), mae.getTarget()));
    } else if (auto reg = dyn_cast<net::RegularizerOp>(def)) {
      if (varied.contains(reg.getInput()))
        pendingReg[reg.getInput()].push_back(reg);
    } else {
      return def->emitError("no gradient rule for loss term '")
             << def->getName() << "'";
    }
  }
  current = nullptr;
  for (Operation *op : llvm::reverse(forward))
    if (!isa<net::ScalarAddOp, net::SoftmaxCrossEntropyOp, net::MseOp,
             net::SigmoidCrossEntropyOp, net::ProbCrossEntropyOp, net::MaeOp,
             net::RegularizerOp>(op))
      if (failed(differentiate(op)))
        return failure();

  // Optimizer updates.
  current = nullptr;
  auto kindName = lossFn->getAttrOfType<StringAttr>("net.optimizer");
  std::optional<net::OptimizerKind> kind =
      net::symbolizeOptimizerKind(kindName ? kindName.getValue() : "");
  if (!kind)
    return lossFn.emitError("no optimizer update for '") << kindName << "'";
  auto config = lossFn->getAttrOfType<DictionaryAttr>("net.optimizer_config");
  Value lr = body->getArgument(args.size() - 3);
  Value iter = body->getArgument(args.size() - 2);
  SmallVector<Value> newParams, newSlots;
  unsigned slotArg = 2 + numParams;
  for (unsigned p : trainable) {
    Value w = body->getArgument(2 + p);
    Value g = takeAdjoint(w);
    if (!g)
      g = b.create<arith::ConstantOp>(
          fn.getLoc(),
          DenseElementsAttr::get(cast<RankedTensorType>(w.getType()),
                                 b.getFloatAttr(elem, 0)));
    SmallVector<Value> slots;
    for (unsigned s = 0; s < numSlots; ++s)
      slots.push_back(body->getArgument(slotArg++));
    auto update = b.create<net::OptimizerUpdateOp>(w.getLoc(), w, g, slots, lr,
                                                   iter, *kind, config);
    newParams.push_back(update.getResult(0));
    for (unsigned s = 0; s < numSlots; ++s)
      newSlots.push_back(update.getResult(1 + s));
  }
  SmallVector<Value> outs{loss, metric};
  outs.append(newParams);
  outs.append(newSlots);
  for (Value v : ret.getOperands().drop_front(3))
    outs.push_back(map.lookup(v));
  b.create<func::ReturnOp>(fn.getLoc(), outs);
  (void)ctx;
  return success();
}

void ReverseMode::buildEvalStep() {
  b.setInsertionPointAfter(lossFn);
  auto eval = cast<func::FuncOp>(b.clone(*lossFn));
  eval.setSymName((lossFn.getSymName() + "_eval_step").str());
  eval->removeAttr("net.loss_function");
  eval->removeAttr("net.updated_params");
  eval->setAttr("net.eval_step", b.getUnitAttr());
  // Inference: no statistics updates, batchnorm on moving statistics,
  // dropout off.
  Block &body = eval.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  ret->eraseOperands(3, ret.getNumOperands() - 3);
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

struct AutodiffPass
    : public PassWrapper<AutodiffPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(AutodiffPass)
  StringRef getArgument() const final { return "netc-autodiff"; }
  StringRef getDescription() const final {
    return "Build train-step and eval functions by reverse-mode "
           "differentiation of net loss functions";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect>();
  }
  void runOnOperation() override {
    SmallVector<func::FuncOp> lossFns;
    getOperation().walk([&](func::FuncOp fn) {
      if (fn->hasAttr("net.loss_function"))
        lossFns.push_back(fn);
    });
    for (func::FuncOp fn : lossFns) {
      ReverseMode rm(fn);
      if (failed(rm.buildTrainStep()))
        return signalPassFailure();
      if (!fn->hasAttr("net.train_only"))
        rm.buildEvalStep();
      fn.erase();
    }
  }
};

} // namespace

std::unique_ptr<Pass> netc::createAutodiffPass() {
  return std::make_unique<AutodiffPass>();
}
