//===- NetOps.cpp - Verifiers and builders of the net ops -----------------===//
//
// What ODS cannot say: how the shapes of an op's operands and result relate
// (a conv's output size, a bias's length, concat's sizes along its axis) and
// the ranges of float attributes. Ranks, element types, attribute counts and
// signs are checked by the constraints in NetOps.td before these run. A
// dynamic dimension (the batch) agrees with any size.
//
//===----------------------------------------------------------------------===//
#include "netc/Dialect/NetDialect.h"
#include "netc/OptimizerTable.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"

#include "llvm/Support/Format.h"

#include <optional>

using namespace mlir;
using namespace netc::net;

namespace {

/// A float attribute's value as written in the IR (1.5, 0.001).
std::string num(double v) {
  std::string s;
  llvm::raw_string_ostream(s) << llvm::format("%g", v);
  return s;
}

std::string dimText(int64_t d) {
  return ShapedType::isDynamic(d) ? "?" : std::to_string(d);
}

/// Error unless sizes `a` and `b` can be equal (a dynamic size agrees with
/// any); the message calls them `aName` and `bName`.
LogicalResult agree(Operation *op, int64_t a, int64_t b, StringRef aName,
                    StringRef bName) {
  if (ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b)
    return success();
  return op->emitOpError("expects ")
         << aName << " (" << a << ") to equal " << bName << " (" << b << ")";
}

int64_t lastDim(Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  return t.getDimSize(t.getRank() - 1);
}

LogicalResult inRange(Operation *op, StringRef name, double v, double lo,
                      double hi, bool hiOpen = false) {
  if (v >= lo && (hiOpen ? v < hi : v <= hi))
    return success();
  return op->emitOpError() << name << " must be in [" << num(lo) << ", "
                           << num(hi) << (hiOpen ? ")" : "]") << ", got "
                           << num(v);
}

LogicalResult positive(Operation *op, StringRef name, double v) {
  if (v > 0)
    return success();
  return op->emitOpError() << name << " must be positive, got " << num(v);
}

/// The size of a sliding window's output along one dimension; nullopt when
/// the window does not fit in the padded input.
std::optional<int64_t> windowOutput(int64_t in, int64_t k, int64_t s,
                                    int64_t lo, int64_t hi) {
  if (ShapedType::isDynamic(in))
    return ShapedType::kDynamic;
  if (in + lo + hi < k)
    return std::nullopt;
  return (in + lo + hi - k) / s + 1;
}

/// Checks that NHWC `out` has the batch of NHWC `in` and the height and width
/// that a `window` with `strides` and `pads` sliding over `in` produces.
LogicalResult verifyWindow(Operation *op, RankedTensorType in,
                           RankedTensorType out, int64_t kh, int64_t kw,
                           ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                           StringRef outName) {
  if (failed(agree(op, out.getDimSize(0), in.getDimSize(0),
                   (outName + "'s batch").str(), "the input's batch")))
    return failure();
  int64_t window[2] = {kh, kw};
  for (int d = 0; d < 2; ++d) {
    int64_t inSize = in.getDimSize(1 + d);
    std::optional<int64_t> expected = windowOutput(
        inSize, window[d], strides[d], pads[2 * d], pads[2 * d + 1]);
    StringRef dim = d == 0 ? "height" : "width";
    if (!expected)
      return op->emitOpError("window ")
             << kh << "x" << kw << " does not fit in the input's " << dim << " "
             << inSize << " padded by " << pads[2 * d] << " + "
             << pads[2 * d + 1];
    int64_t outSize = out.getDimSize(1 + d);
    if (failed(agree(op, outSize, *expected, (outName + "'s " + dim).str(),
                     "the window's output size")))
      return failure();
  }
  return success();
}

/// The filter of a conv: static [KH, KW, C, O] with C the input's channels
/// and O the channels of `out` (its result or dy).
LogicalResult verifyFilter(Operation *op, RankedTensorType filter,
                           RankedTensorType in, RankedTensorType out,
                           StringRef outName) {
  if (!filter.hasStaticShape())
    return op->emitOpError("expects a static filter shape, got ") << filter;
  if (failed(agree(op, filter.getDimSize(2), in.getDimSize(3),
                   "the filter's input channels", "the input's channels")))
    return failure();
  return agree(op, filter.getDimSize(3), out.getDimSize(3),
               "the filter's output channels", (outName + "'s channels").str());
}

/// `big` is `small` with H and W padded by pads = [top, bottom, left, right].
LogicalResult verifyPadded(Operation *op, RankedTensorType small,
                           RankedTensorType big, ArrayRef<int64_t> pads) {
  auto plus = [](int64_t d, int64_t p) {
    return ShapedType::isDynamic(d) ? d : d + p;
  };
  if (failed(agree(op, big.getDimSize(0), small.getDimSize(0),
                   "the padded batch", "the unpadded batch")) ||
      failed(agree(op, big.getDimSize(1),
                   plus(small.getDimSize(1), pads[0] + pads[1]),
                   "the padded height", "the height plus top and bottom")) ||
      failed(agree(op, big.getDimSize(2),
                   plus(small.getDimSize(2), pads[2] + pads[3]),
                   "the padded width", "the width plus left and right")))
    return failure();
  return agree(op, big.getDimSize(3), small.getDimSize(3),
               "the padded channels", "the unpadded channels");
}

/// Whether a 2-D `t` is [N, 1] (one column, or a dynamic number).
bool isColumn(RankedTensorType t) {
  return t.isDynamicDim(1) || t.getDimSize(1) == 1;
}

/// [N, C] scores and [N, 1] class-index labels.
LogicalResult verifyClassLabels(Operation *op, Value scores, Value labels) {
  auto s = cast<RankedTensorType>(scores.getType());
  auto l = cast<RankedTensorType>(labels.getType());
  if (!isColumn(l))
    return op->emitOpError("expects [N, 1] labels (one class index per row), "
                           "got ")
           << l;
  return agree(op, l.getDimSize(0), s.getDimSize(0), "the labels' batch",
               "the scores' batch");
}

LogicalResult verifySmoothing(Operation *op, std::optional<APFloat> s) {
  return s ? inRange(op, "label_smoothing", s->convertToDouble(), 0, 1)
           : success();
}

LogicalResult verifyRegularizer(Operation *op, APFloat l1, APFloat l2,
                                bool batchMean, Value input) {
  if (l1.convertToDouble() < 0 || l2.convertToDouble() < 0)
    return op->emitOpError("expects non-negative l1 and l2, got ")
           << num(l1.convertToDouble()) << " and " << num(l2.convertToDouble());
  if (batchMean && cast<RankedTensorType>(input.getType()).getRank() == 0)
    return op->emitOpError("batch_mean needs an input with a batch "
                           "dimension, got ")
           << input.getType();
  return success();
}

/// A non-batch axis of a tensor of rank `rank`.
LogicalResult verifyAxis(Operation *op, int64_t axis, int64_t rank) {
  if (axis >= 1 && axis < rank)
    return success();
  return op->emitOpError("axis ")
         << axis << " is not a non-batch dimension of a rank-" << rank
         << " tensor (1.." << rank - 1 << ")";
}

/// Every dimension but `axis` of `a` agrees with `b`'s.
LogicalResult agreeBesideAxis(Operation *op, RankedTensorType a,
                              RankedTensorType b, int64_t axis, StringRef aName,
                              StringRef bName) {
  if (a.getRank() != b.getRank())
    return op->emitOpError("expects ")
           << aName << " (" << a << ") to have the rank of " << bName << " ("
           << b << ")";
  for (int64_t d = 0; d < a.getRank(); ++d)
    if (d != axis && failed(agree(op, a.getDimSize(d), b.getDimSize(d),
                                  (aName + "'s dimension " + Twine(d)).str(),
                                  (bName + "'s").str())))
      return failure();
  return success();
}

double configValue(DictionaryAttr config, StringRef name) {
  auto f = config ? dyn_cast_or_null<FloatAttr>(config.get(name)) : nullptr;
  return f ? f.getValueAsDouble() : 0.0;
}

} // namespace

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::verify() {
  RankedTensorType f = getFilter().getType();
  if (failed(verifyFilter(*this, f, getInput().getType(), getType(),
                          "the result")))
    return failure();
  return verifyWindow(*this, getInput().getType(), getType(), f.getDimSize(0),
                      f.getDimSize(1), getStrides(), getPads(), "the result");
}

/// Dimension `d` of `a` and `b` agree for every d < count; with count 1 the
/// sizes are called `one` (a 2-D operand's rows), else "... dimension d".
static LogicalResult agreeLeading(Operation *op, RankedTensorType a,
                                  RankedTensorType b, int64_t count,
                                  StringRef aName, StringRef bName,
                                  StringRef one) {
  for (int64_t d = 0; d < count; ++d) {
    std::string what = count == 1 ? (aName + "'s " + one).str()
                                  : (aName + "'s dimension " + Twine(d)).str();
    if (failed(agree(op, a.getDimSize(d), b.getDimSize(d), what,
                     (bName + "'s").str())))
      return failure();
  }
  return success();
}

/// The ranks of a matmul: the rhs is 2-D except when transpose_lhs alone
/// contracts the folded rows of both operands; the result keeps the lhs's
/// rank unless transpose_lhs makes it 2-D.
static LogicalResult verifyMatmulRanks(MatmulOp op) {
  RankedTensorType a = op.getLhs().getType(), b = op.getRhs().getType();
  bool ta = op.getTransposeLhs(), tb = op.getTransposeRhs();
  int64_t ra = a.getRank(), rb = b.getRank();
  bool contractedRows = ta && !tb;
  if (contractedRows ? rb != ra : rb != 2)
    return op.emitOpError("expects a 2-D rhs, or with transpose_lhs alone "
                          "one of the lhs's rank, got ")
           << b;
  if (ra != 2 && ta && tb)
    return op.emitOpError("expects a 2-D lhs when both operands are "
                          "transposed, got ")
           << a;
  int64_t rank = ta ? 2 : ra;
  if (op.getType().getRank() != rank)
    return op.emitOpError("expects a result of rank ")
           << rank << ", got " << op.getType();
  return success();
}

LogicalResult MatmulOp::verify() {
  if (failed(verifyMatmulRanks(*this)))
    return failure();
  RankedTensorType a = getLhs().getType(), b = getRhs().getType(),
                   r = getType();
  bool ta = getTransposeLhs(), tb = getTransposeRhs();
  int64_t ra = a.getRank(), lastA = a.getDimSize(ra - 1);
  // The contraction: the lhs's columns, or with transpose_lhs its rows.
  LogicalResult contraction =
      !ta  ? agree(*this, lastA, b.getDimSize(tb ? 1 : 0),
                   "the lhs's contraction size", "the rhs's")
      : tb ? agree(*this, a.getDimSize(0), b.getDimSize(1),
                   "the lhs's contraction size", "the rhs's")
           : agreeLeading(*this, a, b, ra - 1, "the lhs", "the rhs",
                          "contraction size");
  if (failed(contraction))
    return failure();
  LogicalResult rows =
      ta ? agree(*this, r.getDimSize(0), lastA, "the result's rows",
                 "the lhs's")
         : agreeLeading(*this, r, a, ra - 1, "the result", "the lhs", "rows");
  if (failed(rows))
    return failure();
  int64_t cols = tb ? b.getDimSize(0) : b.getDimSize(b.getRank() - 1);
  return agree(*this, r.getDimSize(r.getRank() - 1), cols,
               "the result's columns", "the rhs's");
}

LogicalResult BiasAddOp::verify() {
  return agree(*this, getBias().getType().getDimSize(0), lastDim(getInput()),
               "the bias's length", "the input's last dimension");
}

LogicalResult PoolOp::verify() {
  if (failed(agree(*this, getType().getDimSize(3),
                   getInput().getType().getDimSize(3), "the result's channels",
                   "the input's")))
    return failure();
  ArrayRef<int64_t> w = getWindow();
  return verifyWindow(*this, getInput().getType(), getType(), w[0], w[1],
                      getStrides(), getPads(), "the result");
}

LogicalResult ReshapeOp::verify() {
  RankedTensorType in = getInput().getType(), out = getType();
  if (ShapedType::isDynamicShape(in.getShape().drop_front()) ||
      ShapedType::isDynamicShape(out.getShape().drop_front()))
    return emitOpError("expects static sizes but the batch, got ")
           << in << " and " << out;
  auto perSample = [](RankedTensorType t) {
    int64_t n = 1;
    for (int64_t d : t.getShape().drop_front())
      n *= d;
    return n;
  };
  if (failed(agree(*this, out.getDimSize(0), in.getDimSize(0),
                   "the result's batch", "the input's")))
    return failure();
  return agree(*this, perSample(out), perSample(in),
               "the result's elements per sample", "the input's");
}

/// A normalization op's per-channel tensor (`what`, of length `length`)
/// must match the input's channels.
static LogicalResult channelsAgree(Operation *op, int64_t length, Value input,
                                   StringRef what) {
  return agree(op, length, lastDim(input), what, "the input's channels");
}

LogicalResult BatchNormOp::verify() {
  if (failed(channelsAgree(*this, getGamma().getType().getDimSize(0),
                           getInput(), "the statistics' length")))
    return failure();
  return positive(*this, "epsilon", getEpsilon().convertToDouble());
}

LogicalResult MovingMomentsOp::verify() {
  if (failed(channelsAgree(*this, getMovingMean().getType().getDimSize(0),
                           getInput(), "the statistics' length")))
    return failure();
  return inRange(*this, "momentum", getMomentum().convertToDouble(), 0, 1);
}

LogicalResult BatchNormGradOp::verify() {
  if (failed(channelsAgree(*this, getGamma().getType().getDimSize(0),
                           getInput(), "gamma's length")))
    return failure();
  return positive(*this, "epsilon", getEpsilon().convertToDouble());
}

LogicalResult DropoutOp::verify() {
  return inRange(*this, "rate", getRate().convertToDouble(), 0, 1,
                 /*hiOpen=*/true);
}

LogicalResult ZeroPadOp::verify() {
  return verifyPadded(*this, getInput().getType(), getType(), getPads());
}

LogicalResult CropOp::verify() {
  return verifyPadded(*this, getType(), getInput().getType(), getPads());
}

LogicalResult ConcatOp::verify() {
  RankedTensorType out = getType();
  int64_t axis = getAxis();
  if (getInputs().empty())
    return emitOpError("expects at least one input");
  if (failed(verifyAxis(*this, axis, out.getRank())))
    return failure();
  int64_t total = 0;
  for (auto [i, in] : llvm::enumerate(getInputs())) {
    auto t = cast<RankedTensorType>(in.getType());
    std::string name = "input " + std::to_string(i);
    if (t.getElementType() != out.getElementType())
      return emitOpError("expects ")
             << name << " to have the result's element type, got " << t;
    if (failed(agreeBesideAxis(*this, t, out, axis, name, "the result")))
      return failure();
    total = ShapedType::isDynamic(t.getDimSize(axis)) ||
                    ShapedType::isDynamic(total)
                ? ShapedType::kDynamic
                : total + t.getDimSize(axis);
  }
  return agree(*this, out.getDimSize(axis), total,
               "the result's size along the axis", "the inputs' sum");
}

LogicalResult SliceOp::verify() {
  RankedTensorType in = getInput().getType(), out = getType();
  int64_t axis = getAxis(), offset = getOffset();
  if (failed(verifyAxis(*this, axis, in.getRank())) ||
      failed(agreeBesideAxis(*this, out, in, axis, "the result", "the input")))
    return failure();
  int64_t size = out.getDimSize(axis), available = in.getDimSize(axis);
  if (offset < 0 ||
      (!ShapedType::isDynamic(size) && !ShapedType::isDynamic(available) &&
       offset + size > available))
    return emitOpError("slice [")
           << offset << ", " << offset << " + " << dimText(size)
           << ") along axis " << axis << " is outside the input's size "
           << dimText(available);
  return success();
}

LogicalResult PolyFeaturesOp::verify() {
  ArrayRef<double> mean = getMean(), stddev = getStd();
  if (mean.empty() || mean.size() != stddev.size())
    return emitOpError("expects as many means as stds, at least one, got ")
           << mean.size() << " and " << stddev.size();
  for (double s : stddev)
    if (failed(positive(*this, "every std", s)))
      return failure();
  RankedTensorType in = getInput().getType(), out = getType();
  if (!isColumn(in))
    return emitOpError("expects an [N, 1] input (one x per row), got ") << in;
  if (failed(agree(*this, out.getDimSize(0), in.getDimSize(0),
                   "the result's batch", "the input's")))
    return failure();
  return agree(*this, out.getDimSize(1), static_cast<int64_t>(mean.size()),
               "the result's columns", "the degree");
}

//===----------------------------------------------------------------------===//
// Losses and metrics
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxCrossEntropyOp::verify() {
  if (failed(verifyClassLabels(*this, getLogits(), getLabels())))
    return failure();
  return verifySmoothing(*this, getLabelSmoothing());
}

LogicalResult SoftmaxCrossEntropyGradOp::verify() {
  if (failed(verifyClassLabels(*this, getLogits(), getLabels())))
    return failure();
  return verifySmoothing(*this, getLabelSmoothing());
}

LogicalResult AccuracyCountOp::verify() {
  return verifyClassLabels(*this, getScores(), getLabels());
}

LogicalResult TopKCountOp::verify() {
  return verifyClassLabels(*this, getScores(), getLabels());
}

LogicalResult ProbCrossEntropyOp::verify() {
  return verifyClassLabels(*this, getProbs(), getLabels());
}

LogicalResult ProbCrossEntropyGradOp::verify() {
  return verifyClassLabels(*this, getProbs(), getLabels());
}

LogicalResult SigmoidCrossEntropyOp::verify() {
  return verifySmoothing(*this, getLabelSmoothing());
}

LogicalResult SigmoidCrossEntropyGradOp::verify() {
  return verifySmoothing(*this, getLabelSmoothing());
}

LogicalResult RegularizerOp::verify() {
  return verifyRegularizer(*this, getL1(), getL2(), getBatchMean(), getInput());
}

LogicalResult ScalarAddOp::verify() {
  if (getTerms().empty())
    return emitOpError("expects at least one term");
  for (Value t : getTerms())
    if (t.getType() != getType())
      return emitOpError("expects every term to have the result's type ")
             << getType() << ", got " << t.getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Gradients
//===----------------------------------------------------------------------===//

/// Both convolution gradients: the filter `f` must fit the input and dy,
/// and dy must be the window's output over the input.
template <typename ConvGradOp>
static LogicalResult verifyConvGrad(ConvGradOp op, RankedTensorType f) {
  auto input = op.getInput().getType(), dy = op.getDy().getType();
  if (failed(verifyFilter(op, f, input, dy, "dy")))
    return failure();
  return verifyWindow(op, input, dy, f.getDimSize(0), f.getDimSize(1),
                      op.getStrides(), op.getPads(), "dy");
}

LogicalResult Conv2DGradInputOp::verify() {
  return verifyConvGrad(*this, getFilter().getType());
}

LogicalResult Conv2DGradFilterOp::verify() {
  return verifyConvGrad(*this, getType());
}

LogicalResult BiasAddGradOp::verify() {
  return agree(*this, getType().getDimSize(0), lastDim(getDy()),
               "the result's length", "dy's last dimension");
}

LogicalResult PoolGradOp::verify() {
  if (failed(agree(*this, getDy().getType().getDimSize(3),
                   getInput().getType().getDimSize(3), "dy's channels",
                   "the input's")))
    return failure();
  ArrayRef<int64_t> w = getWindow();
  return verifyWindow(*this, getInput().getType(), getDy().getType(), w[0],
                      w[1], getStrides(), getPads(), "dy");
}

LogicalResult RegularizerGradOp::verify() {
  return verifyRegularizer(*this, getL1(), getL2(), getBatchMean(), getInput());
}

//===----------------------------------------------------------------------===//
// Optimizer update
//===----------------------------------------------------------------------===//

unsigned netc::net::optimizerSlotCount(OptimizerKind kind,
                                       DictionaryAttr config) {
  // The slots and when each exists come from the one optimizer table.
  const optimizers::Optimizer *o =
      optimizers::findOptimizer(stringifyOptimizerKind(kind).str());
  if (!o)
    return 0;
  auto lookup = [&](std::string_view name) {
    return configValue(config, StringRef(name.data(), name.size()));
  };
  unsigned n = 0;
  for (const optimizers::Slot &s : o->slots)
    n += optimizers::slotPresent(s, lookup);
  return n;
}

void OptimizerUpdateOp::build(OpBuilder &b, OperationState &state, Value weight,
                              Value grad, ValueRange slots, Value learningRate,
                              Value iteration, OptimizerKind kind,
                              DictionaryAttr config) {
  SmallVector<Type> types(1 + slots.size(), weight.getType());
  build(b, state, types, weight, grad, slots, learningRate, iteration, kind,
        config);
}

LogicalResult OptimizerUpdateOp::verify() {
  Type w = getWeight().getType();
  Type elem = getElementTypeOrSelf(w);
  if (getGrad().getType() != w)
    return emitOpError("expects the gradient to have the weight's type ") << w;
  for (Value s : getSlots())
    if (s.getType() != w)
      return emitOpError("expects every slot to have the weight's type ") << w;
  if (getLearningRate().getType() != elem || getIteration().getType() != elem)
    return emitOpError("expects the learning rate and iteration to be ")
           << elem << ", the weight's element type";
  for (NamedAttribute a : getConfig())
    if (!isa<FloatAttr>(a.getValue()))
      return emitOpError("expects config value '")
             << a.getName().getValue() << "' to be a float";
  if (!optimizers::findOptimizer(stringifyOptimizerKind(getKind()).str()))
    return emitOpError("optimizer '")
           << stringifyOptimizerKind(getKind())
           << "' is missing from netc/Optimizers.def";
  unsigned slots = optimizerSlotCount(getKind(), getConfig());
  if (getSlots().size() != slots)
    return emitOpError("optimizer '")
           << stringifyOptimizerKind(getKind()) << "' with this config expects "
           << slots << " slots, got " << getSlots().size();
  if (getNumResults() != 1 + slots)
    return emitOpError("expects ")
           << 1 + slots << " results (the weight and its slots), got "
           << getNumResults();
  for (Type t : getResultTypes())
    if (t != w)
      return emitOpError("expects every result to have the weight's type ")
             << w;
  return success();
}

#define GET_OP_CLASSES
#include "netc/Dialect/NetOps.cpp.inc"
