//===- MLIRGen.cpp - Program -> net dialect -------------------------------===//
//
// Emits, for one kernel, the forward computation of its network followed by
// the loss, the regularization terms and the metric, as one function in the
// net dialect. Everything the reverse-mode pass needs is explicit here: the
// regularizers are ordinary ops on the loss path.
//
//===----------------------------------------------------------------------===//
#include "netc/Transforms/MLIRGen.h"
#include "netc/Dialect/NetDialect.h"
#include "netc/Transforms/Optimizers.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using namespace netc;

std::string netc::metricForLoss(const std::string &loss) {
  if (loss == "categorical_crossentropy" ||
      loss == "sparse_categorical_crossentropy" ||
      loss == "binary_crossentropy")
    return "accuracy";
  return loss == "mae" ? "mae" : "mse";
}

namespace {

class Generator {
public:
  Generator(ModuleOp module, const KernelSpec &kernel, const std::string &file)
      : module(module), kernel(kernel), net(*kernel.network),
        b(module.getContext()), file(file) {}

  LogicalResult run();

private:
  Location loc(const SourceLoc &l) {
    return FileLineColLoc::get(b.getContext(), file, l.line, l.col);
  }
  RankedTensorType batched(const std::vector<int64_t> &shape) {
    SmallVector<int64_t> dims{ShapedType::kDynamic};
    dims.append(shape.begin(), shape.end());
    return RankedTensorType::get(dims, b.getF32Type());
  }
  RankedTensorType plain(const std::vector<int64_t> &shape) {
    return RankedTensorType::get(SmallVector<int64_t>(shape.begin(), shape.end()),
                                 b.getF32Type());
  }
  RankedTensorType scalar() { return RankedTensorType::get({}, b.getF32Type()); }

  Value activation(Location l, const std::string &kind, Value v);
  FailureOr<Value> emitLayer(const Layer &layer);
  Value param(const Layer &layer, size_t i) { return params[layer.params[i]]; }

  ModuleOp module;
  const KernelSpec &kernel;
  const Network &net;
  OpBuilder b;
  std::string file;
  std::vector<Value> values; // per layer
  std::vector<Value> params; // per Network::params
  std::vector<Value> regTerms;
};

Value Generator::activation(Location l, const std::string &kind, Value v) {
  if (kind == "relu")
    return b.create<net::ReluOp>(l, v);
  if (kind == "sigmoid")
    return b.create<net::SigmoidOp>(l, v);
  if (kind == "tanh")
    return b.create<net::TanhOp>(l, v);
  if (kind == "softmax")
    return b.create<net::SoftmaxOp>(l, v);
  return v; // linear
}

FailureOr<Value> Generator::emitLayer(const Layer &layer) {
  Location l = loc(layer.loc);
  auto in = [&](size_t i) { return values[layer.inputs[i]]; };
  RankedTensorType outType = batched(layer.outShape);
  const std::string &k = layer.kind;
  Value pre; // value before the fused activation
  if (k == "conv2d") {
    pre = b.create<net::Conv2DOp>(
        l, outType, in(0), param(layer, 0),
        b.getDenseI64ArrayAttr({layer.strides[0], layer.strides[1]}),
        b.getDenseI64ArrayAttr(
            {layer.pads[0], layer.pads[1], layer.pads[2], layer.pads[3]}));
    if (layer.useBias)
      pre = b.create<net::BiasAddOp>(l, outType, pre, param(layer, 1));
  } else if (k == "dense") {
    pre = b.create<net::MatmulOp>(l, outType, in(0), param(layer, 0));
    if (layer.useBias)
      pre = b.create<net::BiasAddOp>(l, outType, pre, param(layer, 1));
  } else if (k == "maxpool" || k == "avgpool") {
    return Value(b.create<net::PoolOp>(
        l, outType, in(0), b.getStringAttr(k == "maxpool" ? "max" : "avg"),
        b.getDenseI64ArrayAttr({layer.kernel[0], layer.kernel[1]}),
        b.getDenseI64ArrayAttr({layer.strides[0], layer.strides[1]}),
        b.getDenseI64ArrayAttr(
            {layer.pads[0], layer.pads[1], layer.pads[2], layer.pads[3]})));
  } else if (k == "flatten") {
    return Value(b.create<net::ReshapeOp>(l, outType, in(0)));
  } else if (k == "relu" || k == "sigmoid" || k == "tanh" || k == "softmax" ||
             k == "linear") {
    return activation(l, k, in(0));
  } else if (k == "add") {
    Value sum = in(0);
    for (size_t i = 1; i < layer.inputs.size(); ++i)
      sum = b.create<net::AddOp>(l, sum, in(i));
    return sum;
  } else {
    return emitError(l) << "layer '" << k
                        << "' is not supported by code generation yet",
           failure();
  }
  return activation(l, layer.activation, pre);
}

LogicalResult Generator::run() {
  const std::string &lossName = kernel.train.loss.name;
  const std::string metric = metricForLoss(lossName);
  std::vector<int64_t> labelShape{1};
  bool classification = metric == "accuracy";
  if (!classification)
    labelShape = net.outputShape();

  SmallVector<Type> argTypes{batched(net.inputShape()), batched(labelShape)};
  for (const Param &p : net.params)
    argTypes.push_back(plain(p.shape));
  SmallVector<Type> resultTypes{scalar(), scalar(), batched(net.outputShape())};

  b.setInsertionPointToEnd(module.getBody());
  Location fnLoc = loc(net.loc);
  auto fn = b.create<func::FuncOp>(fnLoc, kernel.name,
                                   b.getFunctionType(argTypes, resultTypes));
  fn->setAttr("net.loss_function", b.getUnitAttr());
  fn->setAttr("net.network", b.getStringAttr(net.instance));
  fn->setAttr("net.loss", b.getStringAttr(lossName));
  fn->setAttr("net.metric", b.getStringAttr(metric));
  OptimizerInfo opt = optimizerInfo(kernel.train.optimizer.name,
                                    kernel.train.optimizer.args);
  if (!opt.known)
    return emitError(fnLoc) << "optimizer '" << kernel.train.optimizer.name
                            << "' is not supported by code generation yet",
           failure();
  SmallVector<NamedAttribute> config;
  for (auto &[key, v] : opt.config)
    config.push_back(b.getNamedAttr(key, b.getF64FloatAttr(v)));
  fn->setAttr("net.optimizer", b.getStringAttr(kernel.train.optimizer.name));
  fn->setAttr("net.optimizer_config", b.getDictionaryAttr(config));
  SmallVector<double> slotInit(opt.slotInit.begin(), opt.slotInit.end());
  fn->setAttr("net.slot_init", b.getDenseF64ArrayAttr(slotInit));
  for (size_t i = 0; i < net.params.size(); ++i) {
    fn.setArgAttr(2 + i, "net.param", b.getStringAttr(net.params[i].name));
    fn.setArgAttr(2 + i, "net.trainable",
                  b.getBoolAttr(net.params[i].trainable));
  }

  Block *body = fn.addEntryBlock();
  b.setInsertionPointToStart(body);
  Value x = body->getArgument(0), labels = body->getArgument(1);
  for (size_t i = 0; i < net.params.size(); ++i)
    params.push_back(body->getArgument(2 + i));

  values.resize(net.layers.size());
  values[0] = x;
  for (size_t i = 1; i < net.layers.size(); ++i) {
    const Layer &layer = net.layers[i];
    FailureOr<Value> v = emitLayer(layer);
    if (failed(v))
      return failure();
    values[i] = *v;
    if (layer.activityReg.any())
      regTerms.push_back(b.create<net::RegularizerOp>(
          loc(layer.loc), scalar(), values[i],
          b.getF64FloatAttr(layer.activityReg.l1),
          b.getF64FloatAttr(layer.activityReg.l2)));
  }
  for (size_t i = 0; i < net.params.size(); ++i) {
    const Param &p = net.params[i];
    if (p.reg.any() && p.trainable)
      regTerms.push_back(b.create<net::RegularizerOp>(
          loc(net.layers[p.layer].loc), scalar(), params[i],
          b.getF64FloatAttr(p.reg.l1), b.getF64FloatAttr(p.reg.l2)));
  }

  Value out = values[net.output];
  Location lossLoc = fnLoc;
  Value dataLoss, metricSum;
  if (classification) {
    // Keras computes the cross-entropy of probabilities; from the logits
    // before the final softmax it is the same number, computed stably.
    bool endsInSoftmax = out.getDefiningOp<net::SoftmaxOp>() != nullptr;
    if (!endsInSoftmax || lossName == "binary_crossentropy")
      return emitError(loc(net.layers[net.output].loc))
                 << "loss '" << lossName
                 << "' needs a network that ends in softmax",
             failure();
    Value z = out.getDefiningOp<net::SoftmaxOp>().getInput();
    dataLoss =
        b.create<net::SoftmaxCrossEntropyOp>(lossLoc, scalar(), z, labels);
    metricSum = b.create<net::AccuracyCountOp>(lossLoc, scalar(), z, labels);
  } else if (lossName == "mse") {
    dataLoss = b.create<net::MseOp>(lossLoc, scalar(), out, labels);
    metricSum = b.create<net::SquaredErrorSumOp>(lossLoc, scalar(), out, labels);
  } else {
    return emitError(lossLoc) << "loss '" << lossName
                              << "' is not supported by code generation yet",
           failure();
  }
  SmallVector<Value> terms{dataLoss};
  terms.append(regTerms.begin(), regTerms.end());
  Value loss = b.create<net::ScalarAddOp>(lossLoc, scalar(), terms);
  b.create<func::ReturnOp>(lossLoc, ValueRange{loss, metricSum, out});
  return success();
}

} // namespace

LogicalResult netc::buildLossFunction(ModuleOp module, const KernelSpec &kernel,
                                      const std::string &file) {
  module.getContext()->loadDialect<net::NetDialect, func::FuncDialect>();
  return Generator(module, kernel, file).run();
}
