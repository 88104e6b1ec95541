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
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

#include <set>

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace netc;

std::string netc::metricForLoss(const std::string &loss) {
  if (loss == "categorical_crossentropy" ||
      loss == "sparse_categorical_crossentropy" ||
      loss == "binary_crossentropy")
    return "accuracy";
  return loss == "mae" ? "mae" : "mse";
}

std::vector<int64_t> netc::labelShape(const std::string &loss,
                                      const std::vector<int64_t> &outputShape) {
  // Class indices, except for binary cross-entropy's per-output 0/1 targets.
  if (metricForLoss(loss) == "accuracy" && loss != "binary_crossentropy")
    return {1};
  return outputShape;
}

namespace {

class Generator {
public:
  Generator(ModuleOp module, const KernelUnit &kernel, const std::string &file,
            Precision precision)
      : module(module), kernel(kernel), net(*kernel.network),
        b(module.getContext()), file(file), precision(precision),
        elem(precision == Precision::F64 ? Type(b.getF64Type())
                                         : Type(b.getF32Type())) {}

  LogicalResult run();
  LogicalResult checkLinearInWeights();

private:
  Location loc(const SourceLoc &l) {
    return FileLineColLoc::get(b.getContext(), file, l.line, l.col);
  }
  RankedTensorType batched(const std::vector<int64_t> &shape) {
    SmallVector<int64_t> dims{ShapedType::kDynamic};
    dims.append(shape.begin(), shape.end());
    return RankedTensorType::get(dims, elem);
  }
  RankedTensorType plain(const std::vector<int64_t> &shape) {
    return RankedTensorType::get(
        SmallVector<int64_t>(shape.begin(), shape.end()), elem);
  }
  RankedTensorType scalar() { return RankedTensorType::get({}, elem); }

  Value activation(Location l, const std::string &kind, Value v);
  FailureOr<Value> emitLayer(const Layer &layer, int index);
  Value emitBatchNorm(const Layer &layer, Value x);
  Value emitPolyFeatures(const Layer &layer, Value x);
  /// Attributes of the loss function: its kind, network, loss, metric,
  /// optimizer (and its config and slots) and the params' names.
  LogicalResult annotate(func::FuncOp fn);
  /// The forward pass from the entry block's arguments: every layer in
  /// order, with activity and weight regularizer terms.
  LogicalResult emitForward(func::FuncOp fn);
  /// The loss sum, metric and outputs (and replaced params) returned.
  LogicalResult emitReturn(func::FuncOp fn, ArrayRef<Type> argTypes);
  LogicalResult emitLoss(Value out, Value labels, Value &dataLoss,
                         Value &metricSum);
  LogicalResult emitCrossEntropy(Value out, Value labels, FloatAttr smoothing,
                                 bool fromLogits, Value &dataLoss,
                                 Value &metricSum);
  LogicalResult emitBinaryCrossEntropy(Value out, Value labels,
                                       FloatAttr smoothing, bool fromLogits,
                                       Value &dataLoss, Value &metricSum);
  /// With `metrics: [a, b, ...]`: `metricSum` becomes the vector of every
  /// metric's sum over the batch, the first metric's first (one metric:
  /// unchanged, a scalar).
  LogicalResult packMetrics(Value out, Value labels, Value &metricSum);
  /// The batch sum of a further metric, from the scores the loss reads.
  Value emitMetric(const Call &metric, Value out, Value labels);
  Value param(const Layer &layer, size_t i) { return params[layer.params[i]]; }

  ModuleOp module;
  const KernelUnit &kernel;
  const Network &net;
  OpBuilder b;
  std::string file;
  Precision precision;
  Type elem; // the one place that decides the kernel's float type
  std::vector<Value> values; // per layer
  std::vector<Value> params; // per Network::params
  std::vector<Value> regTerms;
  Value seed; // per-step dropout seed (f32 argument)
  /// Non-trainable params the training step replaces (batchnorm moving
  /// statistics): param index and new value, in emission order.
  std::vector<std::pair<int64_t, Value>> updates;
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

Value Generator::emitBatchNorm(const Layer &layer, Value x) {
  Location l = loc(layer.loc);
  // params: gamma, beta, moving_mean, moving_variance (Layers.cpp).
  Value y = b.create<net::BatchNormOp>(
      l, x, param(layer, 0), param(layer, 1), param(layer, 2), param(layer, 3),
      b.getF64FloatAttr(layer.epsilon), b.getUnitAttr());
  auto moments =
      b.create<net::MovingMomentsOp>(l, x, param(layer, 2), param(layer, 3),
                                     b.getF64FloatAttr(layer.momentum));
  updates.emplace_back(layer.params[2], moments.getNewMean());
  updates.emplace_back(layer.params[3], moments.getNewVariance());
  return y;
}

/// The standardization of x^k assumes x uniform on the training data's
/// declared input range (a `polynomial` data set's x_range), [-1, 1]
/// otherwise: the constants are fixed at compile time, identical in training
/// and evaluation, and need no pass over the data.
Value Generator::emitPolyFeatures(const Layer &layer, Value x) {
  double lo = -1, hi = 1;
  if (kernel.dataset && kernel.dataset->kind == "polynomial") {
    auto it = kernel.dataset->listArgs.find("x_range");
    if (it != kernel.dataset->listArgs.end() && it->second.size() == 2 &&
        it->second[0] < it->second[1])
      lo = it->second[0], hi = it->second[1];
  }
  // E[x^j] for x ~ U(lo, hi).
  auto moment = [&](int64_t j) {
    return (std::pow(hi, j + 1) - std::pow(lo, j + 1)) / ((j + 1) * (hi - lo));
  };
  SmallVector<double> mean, stddev;
  for (int64_t k = 1; k <= layer.units; ++k) {
    double m = moment(k);
    mean.push_back(m);
    stddev.push_back(std::sqrt(std::max(moment(2 * k) - m * m, 1e-12)));
  }
  return b.create<net::PolyFeaturesOp>(loc(layer.loc), batched(layer.outShape),
                                       x, b.getDenseF64ArrayAttr(mean),
                                       b.getDenseF64ArrayAttr(stddev));
}

FailureOr<Value> Generator::emitLayer(const Layer &layer, int index) {
  Location l = loc(layer.loc);
  auto in = [&](size_t i) { return values[layer.inputs[i]]; };
  RankedTensorType outType = batched(layer.outShape);
  const std::string &k = layer.kind;
  ArrayRef<int64_t> strides(layer.strides), pads(layer.pads);
  Value pre; // value before the fused activation
  if (k == "conv2d") {
    pre = b.create<net::Conv2DOp>(l, outType, in(0), param(layer, 0), strides,
                                  pads);
    if (layer.useBias)
      pre = b.create<net::BiasAddOp>(l, outType, pre, param(layer, 1));
  } else if (k == "dense") {
    pre = b.create<net::MatmulOp>(l, outType, in(0), param(layer, 0));
    if (layer.useBias)
      pre = b.create<net::BiasAddOp>(l, outType, pre, param(layer, 1));
  } else if (k == "maxpool" || k == "avgpool") {
    return Value(b.create<net::PoolOp>(
        l, outType, in(0),
        k == "maxpool" ? net::PoolKind::Max : net::PoolKind::Avg,
        ArrayRef<int64_t>(layer.kernel), strides, pads));
  } else if (k == "globalavgpool") {
    // An average pool with the whole image as its window, then [N, C].
    auto inType = cast<RankedTensorType>(in(0).getType());
    int64_t h = inType.getDimSize(1), w = inType.getDimSize(2);
    Value pooled = b.create<net::PoolOp>(
        l, batched({1, 1, inType.getDimSize(3)}), in(0), net::PoolKind::Avg,
        ArrayRef<int64_t>{h, w}, ArrayRef<int64_t>{h, w},
        ArrayRef<int64_t>{0, 0, 0, 0});
    return Value(b.create<net::ReshapeOp>(l, outType, pooled));
  } else if (k == "batchnorm") {
    return emitBatchNorm(layer, in(0));
  } else if (k == "dropout") {
    return Value(
        b.create<net::DropoutOp>(l, in(0), seed, b.getF64FloatAttr(layer.rate),
                                 b.getI64IntegerAttr(index), b.getUnitAttr()));
  } else if (k == "zeropad") {
    return Value(b.create<net::ZeroPadOp>(l, outType, in(0), pads));
  } else if (k == "concat") {
    SmallVector<Value> inputs;
    for (size_t i = 0; i < layer.inputs.size(); ++i)
      inputs.push_back(in(i));
    return Value(b.create<net::ConcatOp>(l, outType, inputs,
                                         b.getI64IntegerAttr(layer.axis)));
  } else if (k == "polyfeatures") {
    return emitPolyFeatures(layer, in(0));
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

/// least_squares needs a loss that is quadratic in the weights: mse, and an
/// output affine in the weights jointly — no weighted layer may see another's
/// output, and nothing after a weighted layer may be nonlinear.
LogicalResult Generator::checkLinearInWeights() {
  if (kernel.train.loss.name != "mse")
    return emitError(loc(net.loc))
               << "optimizer least_squares needs the mse loss, not '"
               << kernel.train.loss.name << "'",
           failure();
  std::vector<int> weightedAncestor(net.layers.size(), -1);
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer &l = net.layers[i];
    int ancestor = -1;
    for (int in : l.inputs)
      if (weightedAncestor[in] >= 0)
        ancestor = weightedAncestor[in];
    bool weighted = !l.params.empty();
    if (weighted && ancestor >= 0)
      return emitError(loc(l.loc))
                 << "optimizer least_squares needs a network linear in its "
                    "weights, but '"
                 << l.name << "' multiplies the output of weighted layer '"
                 << net.layers[ancestor].name << "'",
             failure();
    static const std::set<std::string> linear = {
        "dense",  "conv2d",  "flatten", "zeropad",      "add",
        "concat", "avgpool", "linear",  "globalavgpool"};
    bool nonlinear = !linear.count(l.kind) || l.activation != "linear";
    if ((ancestor >= 0 || weighted) && nonlinear)
      return emitError(loc(l.loc))
                 << "optimizer least_squares needs a network linear in its "
                    "weights, but '"
                 << l.name << "' is not linear",
             failure();
    weightedAncestor[i] = weighted ? int(i) : ancestor;
  }
  return success();
}

LogicalResult Generator::run() {
  SmallVector<Type> argTypes{
      batched(net.inputShape()),
      batched(netc::labelShape(kernel.train.loss.name, net.outputShape()))};
  for (const Param &p : net.params)
    argTypes.push_back(plain(p.shape));
  argTypes.push_back(b.getF32Type()); // dropout seed
  SmallVector<Type> resultTypes{scalar(), scalar(), batched(net.outputShape())};

  b.setInsertionPointToEnd(module.getBody());
  const bool f64 = precision == Precision::F64;
  auto fn =
      b.create<func::FuncOp>(loc(net.loc), kernel.name + (f64 ? "_f64" : ""),
                             b.getFunctionType(argTypes, resultTypes));
  if (failed(annotate(fn)))
    return failure();
  b.setInsertionPointToStart(fn.addEntryBlock());
  if (failed(emitForward(fn)))
    return failure();
  return emitReturn(fn, argTypes);
}

LogicalResult Generator::annotate(func::FuncOp fn) {
  auto *dialect = b.getContext()->getOrLoadDialect<net::NetDialect>();
  dialect->getLossFunctionAttrHelper().setAttr(fn, b.getUnitAttr());
  if (precision == Precision::F64)
    dialect->getTrainOnlyAttrHelper().setAttr(fn, b.getUnitAttr());
  dialect->getNetworkAttrHelper().setAttr(fn, b.getStringAttr(net.instance));
  dialect->getLossAttrHelper().setAttr(fn,
                                       b.getStringAttr(kernel.train.loss.name));
  dialect->getMetricAttrHelper().setAttr(
      fn, b.getStringAttr(kernel.train.metricName()));
  // least_squares is solved in closed form by the runtime (which only calls
  // the eval function); the train step is generated as plain sgd.
  bool closedForm = kernel.train.optimizer.name == "least_squares";
  if (closedForm && failed(checkLinearInWeights()))
    return failure();
  OptimizerInfo opt = closedForm ? optimizerInfo("sgd", {})
                                 : optimizerInfo(kernel.train.optimizer.name,
                                                 kernel.train.optimizer.args);
  if (!opt.known)
    return emitError(fn.getLoc())
               << "optimizer '" << kernel.train.optimizer.name
               << "' is not supported by code generation yet",
           failure();
  SmallVector<NamedAttribute> config;
  for (auto &[key, v] : opt.config)
    config.push_back(b.getNamedAttr(key, b.getF64FloatAttr(v)));
  dialect->getOptimizerAttrHelper().setAttr(
      fn, b.getStringAttr(closedForm ? "sgd" : kernel.train.optimizer.name));
  dialect->getOptimizerConfigAttrHelper().setAttr(fn,
                                                  b.getDictionaryAttr(config));
  SmallVector<double> slotInit(opt.slotInit.begin(), opt.slotInit.end());
  dialect->getSlotInitAttrHelper().setAttr(fn,
                                           b.getDenseF64ArrayAttr(slotInit));
  for (size_t i = 0; i < net.params.size(); ++i) {
    fn.setArgAttr(2 + i, dialect->getParamAttrHelper().getName(),
                  b.getStringAttr(net.params[i].name));
    fn.setArgAttr(2 + i, dialect->getTrainableAttrHelper().getName(),
                  b.getBoolAttr(net.params[i].trainable));
  }
  fn.setArgAttr(fn.getNumArguments() - 1,
                dialect->getSeedAttrHelper().getName(), b.getUnitAttr());
  return success();
}

LogicalResult Generator::emitForward(func::FuncOp fn) {
  Block *body = &fn.front();
  for (size_t i = 0; i < net.params.size(); ++i)
    params.push_back(body->getArgument(2 + i));
  seed = body->getArguments().back();
  values.resize(net.layers.size());
  values[0] = body->getArgument(0);
  for (size_t i = 1; i < net.layers.size(); ++i) {
    const Layer &layer = net.layers[i];
    FailureOr<Value> v = emitLayer(layer, i);
    if (failed(v))
      return failure();
    values[i] = *v;
    // Keras 3 divides an activity regularizer by the output's batch size.
    if (layer.activityReg.any())
      regTerms.push_back(b.create<net::RegularizerOp>(
          loc(layer.loc), values[i], b.getF64FloatAttr(layer.activityReg.l1),
          b.getF64FloatAttr(layer.activityReg.l2), b.getUnitAttr()));
  }
  for (size_t i = 0; i < net.params.size(); ++i) {
    const Param &p = net.params[i];
    if (p.reg.any() && p.trainable)
      regTerms.push_back(b.create<net::RegularizerOp>(
          loc(net.layers[p.layer].loc), params[i], b.getF64FloatAttr(p.reg.l1),
          b.getF64FloatAttr(p.reg.l2), UnitAttr()));
  }
  return success();
}

LogicalResult Generator::emitReturn(func::FuncOp fn, ArrayRef<Type> argTypes) {
  Value out = values[net.output];
  Location lossLoc = fn.getLoc();
  Value dataLoss, metricSum;
  if (failed(emitLoss(out, fn.getArgument(1), dataLoss, metricSum)) ||
      failed(packMetrics(out, fn.getArgument(1), metricSum)))
    return failure();
  SmallVector<Value> terms{dataLoss};
  terms.append(regTerms.begin(), regTerms.end());
  Value loss = b.create<net::ScalarAddOp>(lossLoc, scalar(), terms);
  // The training step also returns the non-trainable params it replaces.
  SmallVector<Value> results{loss, metricSum, out};
  SmallVector<int64_t> updated;
  for (auto &[index, value] : updates) {
    updated.push_back(index);
    results.push_back(value);
  }
  auto *dialect = b.getContext()->getOrLoadDialect<net::NetDialect>();
  dialect->getUpdatedParamsAttrHelper().setAttr(
      fn, b.getDenseI64ArrayAttr(updated));
  fn.setType(b.getFunctionType(argTypes, ValueRange(results).getTypes()));
  b.create<func::ReturnOp>(lossLoc, results);
  return success();
}

LogicalResult Generator::emitLoss(Value out, Value labels, Value &dataLoss,
                                  Value &metricSum) {
  const std::string &lossName = kernel.train.loss.name;
  Location lossLoc = loc(net.loc);
  const auto &lossArgs = kernel.train.loss.args;
  auto lossArg = [&](const char *key) {
    auto it = lossArgs.find(key);
    return it == lossArgs.end() ? 0.0 : it->second;
  };
  const bool fromLogits = lossArg("from_logits") != 0;
  FloatAttr smoothing;
  if (double s = lossArg("label_smoothing"); s != 0)
    smoothing = b.getF64FloatAttr(s);
  if (lossName == "categorical_crossentropy" ||
      lossName == "sparse_categorical_crossentropy")
    return emitCrossEntropy(out, labels, smoothing, fromLogits, dataLoss,
                            metricSum);
  if (lossName == "binary_crossentropy")
    return emitBinaryCrossEntropy(out, labels, smoothing, fromLogits, dataLoss,
                                  metricSum);
  if (lossName == "mse" || lossName == "mae") {
    dataLoss = lossName == "mse"
                   ? b.create<net::MseOp>(lossLoc, out, labels).getResult()
                   : b.create<net::MaeOp>(lossLoc, out, labels).getResult();
    if (kernel.train.metricName() == "mae")
      metricSum = b.create<net::AbsErrorSumOp>(lossLoc, out, labels);
    else
      metricSum = b.create<net::SquaredErrorSumOp>(lossLoc, out, labels);
    return success();
  }
  return emitError(lossLoc) << "loss '" << lossName
                            << "' is not supported by code generation yet",
         failure();
}

LogicalResult Generator::emitCrossEntropy(Value out, Value labels,
                                          FloatAttr smoothing, bool fromLogits,
                                          Value &dataLoss, Value &metricSum) {
  Location lossLoc = loc(net.loc);
  // Labels are class indices for both. Keras computes the cross-entropy of
  // probabilities; from the logits before a final softmax it is the same
  // number, computed stably. Scores for the metric: the logits rank classes
  // as the probabilities. from_logits: the outputs are the logits (as in
  // Keras, even after a softmax). Otherwise a final softmax's input is, and
  // the cross-entropy is computed stably from it.
  Value scores = out;
  auto softmax = out.getDefiningOp<net::SoftmaxOp>();
  if (!fromLogits && softmax)
    scores = softmax.getInput();
  if (fromLogits || softmax) {
    dataLoss = b.create<net::SoftmaxCrossEntropyOp>(lossLoc, scores, labels,
                                                    smoothing);
  } else {
    if (smoothing)
      return emitError(loc(net.layers[net.output].loc))
                 << "label_smoothing needs a network that ends in softmax "
                    "(or from_logits: true)",
             failure();
    dataLoss = b.create<net::ProbCrossEntropyOp>(lossLoc, out, labels);
  }
  const Call &metric = kernel.train.metric;
  if (metric.name == "top_k") {
    auto k = metric.args.find("k");
    metricSum = b.create<net::TopKCountOp>(
        lossLoc, scores, labels,
        b.getI64IntegerAttr(
            k == metric.args.end() ? 5 : static_cast<int64_t>(k->second)));
  } else {
    metricSum = b.create<net::AccuracyCountOp>(lossLoc, scores, labels);
  }
  return success();
}

LogicalResult Generator::emitBinaryCrossEntropy(Value out, Value labels,
                                                FloatAttr smoothing,
                                                bool fromLogits,
                                                Value &dataLoss,
                                                Value &metricSum) {
  Location lossLoc = loc(net.loc);
  Value z = out;
  if (!fromLogits) {
    auto sigmoid = out.getDefiningOp<net::SigmoidOp>();
    if (!sigmoid)
      return emitError(loc(net.layers[net.output].loc))
                 << "loss 'binary_crossentropy' needs a network that ends "
                    "in sigmoid (or from_logits: true)",
             failure();
    z = sigmoid.getInput();
  }
  dataLoss =
      b.create<net::SigmoidCrossEntropyOp>(lossLoc, z, labels, smoothing);
  metricSum = b.create<net::BinaryAccuracyCountOp>(lossLoc, z, labels);
  return success();
}

LogicalResult Generator::packMetrics(Value out, Value labels,
                                     Value &metricSum) {
  if (kernel.train.moreMetrics.empty())
    return success();
  Location l = loc(net.loc);
  SmallVector<Value> sums{
      b.create<tensor::ExtractOp>(l, metricSum, ValueRange{})};
  for (const Call &metric : kernel.train.moreMetrics)
    sums.push_back(b.create<tensor::ExtractOp>(
        l, emitMetric(metric, out, labels), ValueRange{}));
  metricSum = b.create<tensor::FromElementsOp>(
      l, RankedTensorType::get({static_cast<int64_t>(sums.size())}, elem),
      sums);
  return success();
}

Value Generator::emitMetric(const Call &metric, Value out, Value labels) {
  Location l = loc(net.loc);
  const std::string &lossName = kernel.train.loss.name;
  if (lossName == "mse" || lossName == "mae")
    return metric.name == "mae"
               ? b.create<net::AbsErrorSumOp>(l, out, labels).getResult()
               : b.create<net::SquaredErrorSumOp>(l, out, labels).getResult();
  auto fl = kernel.train.loss.args.find("from_logits");
  const bool fromLogits = fl != kernel.train.loss.args.end() && fl->second;
  // The scores the loss's own metric reads (emitCrossEntropy,
  // emitBinaryCrossEntropy): the logits before a final softmax or sigmoid.
  Value scores = out;
  if (lossName == "binary_crossentropy") {
    if (auto sigmoid = out.getDefiningOp<net::SigmoidOp>(); !fromLogits)
      scores = sigmoid ? sigmoid.getInput() : out;
    return b.create<net::BinaryAccuracyCountOp>(l, scores, labels);
  }
  if (auto softmax = out.getDefiningOp<net::SoftmaxOp>();
      softmax && !fromLogits)
    scores = softmax.getInput();
  if (metric.name == "top_k") {
    auto k = metric.args.find("k");
    return b.create<net::TopKCountOp>(
        l, scores, labels,
        b.getI64IntegerAttr(
            k == metric.args.end() ? 5 : static_cast<int64_t>(k->second)));
  }
  return b.create<net::AccuracyCountOp>(l, scores, labels);
}

} // namespace

LogicalResult netc::buildLossFunction(ModuleOp module, const KernelUnit &kernel,
                                      const std::string &file,
                                      Precision precision) {
  module.getContext()
      ->loadDialect<net::NetDialect, func::FuncDialect,
                    tensor::TensorDialect>();
  return Generator(module, kernel, file, precision).run();
}
