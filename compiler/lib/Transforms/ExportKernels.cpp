//===- ExportKernels.cpp - C-ABI entry points for train/eval steps --------===//
//
// Turns the tensor-level <k>_train_step / <k>_eval_step functions into the
// entry points of runtime/include/netc/Abi.h. Parameters and optimizer slots
// live in two flat float arrays; each weight is a static-offset view of one of
// them, read as a tensor and written back in place after the update (the
// trainable ones, and the non-trainable ones the step replaces: batchnorm's
// moving statistics, listed by `net.updated_params`). Trainable weights and
// slots are read `writable`: the optimizer update, the last reader of each,
// writes into their views directly and the write-back folds away. hyper[0..2]
// become the step's learning rate, iteration and dropout seed. The layout is
// recorded on the entry as attributes for the plan:
//   net.param_offsets, net.state_floats, net.state_init ([off, size, value]*).
// The arrays have the step's float type: f32, or f64 for the train step
// `<k>_f64_train_step` of `--gradcheck-f64`, exported as `<k>_train_f64`
// (net.entry "train_f64") with the same layout in elements.
//
//===----------------------------------------------------------------------===//
#include "netc/Dialect/NetDialect.h"
#include "netc/Transforms/Passes.h"
#include "netc/Transforms/StepSignature.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace netc;
/// The declared net.* attributes (NetDialect.td, discardableAttrs).
using Attrs = netc::net::NetDialect;

namespace {

class Exporter {
public:
  Exporter(func::FuncOp step) : step(step), b(step.getContext()) {}
  void exportTrain();
  /// Views of every trainable param's optimizer slots in the flat `state`,
  /// read into `args`; their [offset, size, initial value] into `stateInit`.
  /// Returns the state's size in elements.
  int64_t viewSlots(Value state, const StepSignature &sig,
                    SmallVectorImpl<Value> &slotViews,
                    SmallVectorImpl<Value> &args,
                    SmallVectorImpl<Attribute> &stateInit);
  /// hyper[0..2]: the learning rate, the iteration and the dropout seed,
  /// appended to `args` in the step's types.
  void loadHyper(Value hyper, const StepSignature &sig,
                 SmallVectorImpl<Value> &args);
  void exportEval();

private:
  /// A view of `flat` at a static offset with the (static) shape of `type`.
  Value view(Value flat, int64_t offset, RankedTensorType type);
  /// A view of `flat` as [n, type.shape[1:]...].
  Value batchView(Value flat, Value n, RankedTensorType type);
  Value read(Value memref) {
    return b.create<bufferization::ToTensorOp>(step.getLoc(), memref,
                                               /*restrict=*/true);
  }
  /// Marks `input` (a read of a weight or slot) writable when `updated`, its
  /// new value, comes from the last op that uses it: bufferization may then
  /// write the update in place into the input's memory. Kernel calls read
  /// weights through raw pointers that bufferization does not see, so every
  /// other use must come first in the block.
  static void allowInPlace(Value input, Value updated);
  void write(Value tensor, Value memref) {
    auto op = b.create<bufferization::MaterializeInDestinationOp>(
        step.getLoc(), TypeRange{}, tensor, memref);
    op.setRestrict(true);
    op.setWritable(true);
  }
  void storeScalar(Value tensor, Value memref, int64_t index);
  /// The metric sums from index 1 on: a scalar (one metric) or a vector
  /// (`metrics: [a, b, ...]`, MLIRGen's packMetrics).
  void storeMetrics(Value tensor, Value memref);
  /// Clones the step's body; returns the values its terminator returns.
  SmallVector<Value> inlineStep(ArrayRef<Value> args);
  func::FuncOp createEntry(StringRef entry, ArrayRef<Type> types);
  /// The step's float type (that of its input batch).
  Type elementType() {
    return getElementTypeOrSelf(step.getFunctionType().getInput(0));
  }
  MemRefType flatType() {
    return MemRefType::get({ShapedType::kDynamic}, elementType());
  }

  func::FuncOp step;
  OpBuilder b;
  Location loc() { return step.getLoc(); }
};

Value Exporter::view(Value flat, int64_t offset, RankedTensorType type) {
  SmallVector<int64_t> strides(type.getRank(), 1);
  for (int64_t i = type.getRank() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * type.getDimSize(i + 1);
  auto layout = StridedLayoutAttr::get(b.getContext(), offset, strides);
  auto memrefType =
      MemRefType::get(type.getShape(), type.getElementType(), layout);
  return b.create<memref::ReinterpretCastOp>(loc(), memrefType, flat, offset,
                                             type.getShape(), strides);
}

Value Exporter::batchView(Value flat, Value n, RankedTensorType type) {
  SmallVector<OpFoldResult> sizes{n}, strides;
  SmallVector<int64_t> staticStrides(type.getRank(), 1);
  for (int64_t i = type.getRank() - 2; i >= 0; --i)
    staticStrides[i] = staticStrides[i + 1] * type.getDimSize(i + 1);
  for (int64_t i = 1; i < type.getRank(); ++i)
    sizes.push_back(b.getIndexAttr(type.getDimSize(i)));
  for (int64_t s : staticStrides)
    strides.push_back(b.getIndexAttr(s));
  auto memrefType = MemRefType::get(type.getShape(), type.getElementType());
  return b.create<memref::ReinterpretCastOp>(loc(), memrefType, flat,
                                             b.getIndexAttr(0), sizes, strides);
}

void Exporter::allowInPlace(Value input, Value updated) {
  auto toTensor = input.getDefiningOp<bufferization::ToTensorOp>();
  Operation *update = updated.getDefiningOp();
  if (!toTensor || !update || update->getBlock() != toTensor->getBlock())
    return;
  for (Operation *user : input.getUsers()) {
    Operation *top = update->getBlock()->findAncestorOpInBlock(*user);
    if (!top || (top != update && !top->isBeforeInBlock(update)))
      return;
  }
  toTensor.setWritable(true);
}

void Exporter::storeScalar(Value tensor, Value memref, int64_t index) {
  Value v = b.create<tensor::ExtractOp>(loc(), tensor, ValueRange{});
  Value i = b.create<arith::ConstantIndexOp>(loc(), index);
  b.create<memref::StoreOp>(loc(), v, memref, i);
}

void Exporter::storeMetrics(Value tensor, Value memref) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (type.getRank() == 0)
    return storeScalar(tensor, memref, 1);
  for (int64_t i = 0; i < type.getDimSize(0); ++i) {
    Value at = b.create<arith::ConstantIndexOp>(loc(), i);
    Value v = b.create<tensor::ExtractOp>(loc(), tensor, ValueRange{at});
    Value to = b.create<arith::ConstantIndexOp>(loc(), 1 + i);
    b.create<memref::StoreOp>(loc(), v, memref, to);
  }
}

SmallVector<Value> Exporter::inlineStep(ArrayRef<Value> args) {
  IRMapping map;
  Block &body = step.getBody().front();
  for (auto [arg, v] : llvm::zip(body.getArguments(), args))
    map.map(arg, v);
  for (Operation &op : body.without_terminator())
    b.clone(op, map);
  SmallVector<Value> results;
  for (Value v : body.getTerminator()->getOperands())
    results.push_back(map.lookup(v));
  return results;
}

func::FuncOp Exporter::createEntry(StringRef entry, ArrayRef<Type> types) {
  StringRef base = step.getSymName();
  base.consume_back(entry.starts_with("train") ? "_train_step" : "_eval_step");
  base.consume_back("_f64");
  b.setInsertionPointAfter(step);
  auto fn = b.create<func::FuncOp>(loc(), (base + "_" + entry).str(),
                                   b.getFunctionType(types, {}));
  fn->setAttr("llvm.emit_c_interface", b.getUnitAttr());
  fn->setAttr(Attrs::EntryAttrHelper::getNameStr(), b.getStringAttr(entry));
  fn->setAttr(Attrs::KernelAttrHelper::getNameStr(), b.getStringAttr(base));
  for (StringRef a : {Attrs::NetworkAttrHelper::getNameStr(),
                      Attrs::LossAttrHelper::getNameStr(),
                      Attrs::MetricAttrHelper::getNameStr(),
                      Attrs::OptimizerAttrHelper::getNameStr(),
                      Attrs::OptimizerConfigAttrHelper::getNameStr()})
    if (Attribute attr = step->getAttr(a))
      fn->setAttr(a, attr);
  b.setInsertionPointToStart(fn.addEntryBlock());
  return fn;
}

int64_t Exporter::viewSlots(Value state, const StepSignature &sig,
                            SmallVectorImpl<Value> &slotViews,
                            SmallVectorImpl<Value> &args,
                            SmallVectorImpl<Attribute> &stateInit) {
  FunctionType type = step.getFunctionType();
  auto slotInit = step->getAttrOfType<DenseF64ArrayAttr>(
      Attrs::SlotInitAttrHelper::getNameStr());
  int64_t stateOffset = 0;
  for (int64_t p : sig.getTrainable()) {
    auto t = cast<RankedTensorType>(type.getInput(sig.param(p)));
    for (unsigned s = 0; s < sig.getNumSlots(); ++s) {
      slotViews.push_back(view(state, stateOffset, t));
      args.push_back(read(slotViews.back()));
      stateInit.push_back(
          b.getArrayAttr({b.getI64IntegerAttr(stateOffset),
                          b.getI64IntegerAttr(t.getNumElements()),
                          b.getF64FloatAttr(slotInit[s])}));
      stateOffset += t.getNumElements();
    }
  }
  return stateOffset;
}

void Exporter::loadHyper(Value hyper, const StepSignature &sig,
                         SmallVectorImpl<Value> &args) {
  FunctionType type = step.getFunctionType();
  for (int64_t h = 0; h < 3; ++h) {
    Value v = b.create<memref::LoadOp>(
        loc(), hyper, ValueRange{b.create<arith::ConstantIndexOp>(loc(), h)});
    // The dropout seed (an integer) keeps the type the step gives it.
    Type want = type.getInput(sig.learningRate() + h);
    if (v.getType() != want)
      v = b.create<arith::TruncFOp>(loc(), want, v);
    args.push_back(v);
  }
}

void Exporter::exportTrain() {
  MLIRContext *ctx = step.getContext();
  MemRefType flat = flatType();
  Type index = b.getIndexType();
  // params, state, x, y, n, ws, cap, hyper, metrics
  func::FuncOp fn =
      createEntry(elementType().isF64() ? "train_f64" : "train",
                  {flat, flat, flat, flat, index, flat, index, flat, flat});
  fn.setArgAttr(5, Attrs::WorkspaceAttrHelper::getNameStr(), b.getUnitAttr());
  fn.setArgAttr(6, Attrs::CapacityAttrHelper::getNameStr(), b.getUnitAttr());
  Value params = fn.getArgument(0), state = fn.getArgument(1),
        n = fn.getArgument(4), hyper = fn.getArgument(7),
        metrics = fn.getArgument(8);

  FunctionType type = step.getFunctionType();
  StepSignature sig = StepSignature::ofTrainStep(step);
  auto updated = step->getAttrOfType<DenseI64ArrayAttr>(
      Attrs::UpdatedParamsAttrHelper::getNameStr());

  SmallVector<Value> args{
      read(batchView(fn.getArgument(2), n,
                     cast<RankedTensorType>(type.getInput(sig.kInput)))),
      read(batchView(fn.getArgument(3), n,
                     cast<RankedTensorType>(type.getInput(sig.kLabels))))};
  SmallVector<Value> paramViews;
  SmallVector<int64_t> paramOffsets;
  int64_t offset = 0;
  for (unsigned i = 0; i < sig.getNumParams(); ++i) {
    auto t = cast<RankedTensorType>(type.getInput(sig.param(i)));
    paramOffsets.push_back(offset);
    paramViews.push_back(view(params, offset, t));
    args.push_back(read(paramViews.back()));
    offset += t.getNumElements();
  }
  SmallVector<Value> slotViews;
  SmallVector<Attribute> stateInit;
  int64_t stateOffset = viewSlots(state, sig, slotViews, args, stateInit);
  loadHyper(hyper, sig, args);
  SmallVector<Value> results = inlineStep(args);
  storeScalar(results[sig.kLoss], metrics, 0);
  storeMetrics(results[sig.kMetric], metrics);
  for (auto [i, p] : llvm::enumerate(sig.getTrainable())) {
    allowInPlace(args[sig.param(p)], results[sig.newParam(i)]);
    write(results[sig.newParam(i)], paramViews[p]);
  }
  for (auto [i, v] : llvm::enumerate(slotViews)) {
    allowInPlace(args[sig.slot(0, 0) + i], results[sig.newSlot(0, 0) + i]);
    write(results[sig.newSlot(0, 0) + i], v);
  }
  // Non-trainable params the step replaces (batchnorm moving statistics).
  if (updated)
    for (auto [u, p] : llvm::enumerate(updated.asArrayRef()))
      write(results[sig.newUpdatedParam(u)], paramViews[p]);
  b.create<func::ReturnOp>(loc());

  // The driver checks these against the plan's (layOutParams).
  fn->setAttr(Attrs::ParamOffsetsAttrHelper::getNameStr(),
              b.getDenseI64ArrayAttr(paramOffsets));
  fn->setAttr(Attrs::StateFloatsAttrHelper::getNameStr(),
              b.getI64IntegerAttr(stateOffset));
  fn->setAttr(Attrs::StateInitAttrHelper::getNameStr(),
              ArrayAttr::get(ctx, stateInit));
}

void Exporter::exportEval() {
  MemRefType flat = flatType();
  Type index = b.getIndexType();
  // params, x, y, n, ws, cap, metrics, out
  func::FuncOp fn =
      createEntry("eval", {flat, flat, flat, index, flat, index, flat, flat});
  fn.setArgAttr(4, Attrs::WorkspaceAttrHelper::getNameStr(), b.getUnitAttr());
  fn.setArgAttr(5, Attrs::CapacityAttrHelper::getNameStr(), b.getUnitAttr());
  Value params = fn.getArgument(0), n = fn.getArgument(3),
        metrics = fn.getArgument(6);
  FunctionType type = step.getFunctionType();
  StepSignature sig = StepSignature::ofEvalStep(step);
  SmallVector<Value> args{
      read(batchView(fn.getArgument(1), n,
                     cast<RankedTensorType>(type.getInput(sig.kInput)))),
      read(batchView(fn.getArgument(2), n,
                     cast<RankedTensorType>(type.getInput(sig.kLabels))))};
  int64_t offset = 0;
  for (unsigned i = 0; i < sig.getNumParams(); ++i) {
    auto t = cast<RankedTensorType>(type.getInput(sig.param(i)));
    args.push_back(read(view(params, offset, t)));
    offset += t.getNumElements();
  }
  // The dropout seed: unused in evaluation, where dropout is the identity.
  args.push_back(b.create<arith::ConstantOp>(
                      loc(), b.getFloatAttr(type.getInput(sig.evalSeed()), 0))
                     .getResult());
  SmallVector<Value> results = inlineStep(args);
  storeScalar(results[sig.kLoss], metrics, 0);
  storeMetrics(results[sig.kMetric], metrics);
  write(results[sig.kOutput],
        batchView(fn.getArgument(7), n,
                  cast<RankedTensorType>(type.getResult(sig.kOutput))));
  b.create<func::ReturnOp>(loc());
}

} // namespace

namespace netc {
#define GEN_PASS_DEF_EXPORTKERNELSPASS
#include "netc/Transforms/Passes.h.inc"
} // namespace netc

namespace {

struct ExportKernelsPass
    : netc::impl::ExportKernelsPassBase<ExportKernelsPass> {
  void runOnOperation() override {
    auto *dialect = getContext().getLoadedDialect<net::NetDialect>();
    auto isTrainStep = [&](func::FuncOp fn) {
      return dialect->getTrainStepAttrHelper().isAttrPresent(fn);
    };
    SmallVector<func::FuncOp> steps;
    getOperation().walk([&](func::FuncOp fn) {
      if (isTrainStep(fn) || dialect->getEvalStepAttrHelper().isAttrPresent(fn))
        steps.push_back(fn);
    });
    for (func::FuncOp fn : steps) {
      Exporter e(fn);
      if (isTrainStep(fn))
        e.exportTrain();
      else
        e.exportEval();
      fn.erase();
    }
  }
};

} // namespace
