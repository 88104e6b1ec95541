//===- ProbabilityLoss.cpp - Binary and clipped categorical cross-entropy -===//
//
// binary_crossentropy after a sigmoid is computed from the logits z, as
// tf.nn.sigmoid_cross_entropy_with_logits does:
//   max(z, 0) - z * y + log(1 + exp(-|z|)),
// finite for every z, where log(sigmoid(z)) underflows. Categorical
// cross-entropy of a network that does not end in softmax follows Keras:
// renormalize each row to sum 1, clip to [1e-7, 1 - 1e-7], -log p[label].
//
//===----------------------------------------------------------------------===//
#include "Common.h"

using namespace mlir;
using namespace netc::conversion;
namespace net = netc::net;

namespace {

constexpr double kEpsilon = 1e-7; // keras.backend.epsilon()

double smoothingOf(std::optional<APFloat> s) {
  return s ? s->convertToDouble() : 0.0;
}

/// Keras' binary label smoothing: y (1 - s) + s / 2.
Value smoothTarget(OpBuilder &b, Location l, Value y, double s) {
  if (s == 0)
    return y;
  return b.create<arith::AddFOp>(
      l, b.create<arith::MulFOp>(l, y, constLike(b, l, y, 1.0 - s)),
      constLike(b, l, y, s / 2));
}

struct SigmoidCrossEntropyLowering
    : OpRewritePattern<net::SigmoidCrossEntropyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::SigmoidCrossEntropyOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value z = op.getLogits();
    const double s = smoothingOf(op.getLabelSmoothing());
    Value total = buildSumAll(
        rewriter, loc, ValueRange{z, op.getLabels()},
        [s](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value zi = a[0], yi = smoothTarget(b, l, a[1], s);
          Value zero = constLike(b, l, zi, 0.0), one = constLike(b, l, zi, 1.0);
          Value relu = b.create<arith::MaximumFOp>(l, zi, zero);
          Value zy = b.create<arith::MulFOp>(l, zi, yi);
          Value e = b.create<math::ExpOp>(
              l, b.create<arith::NegFOp>(l, b.create<math::AbsFOp>(l, zi)));
          Value sp =
              b.create<math::LogOp>(l, b.create<arith::AddFOp>(l, one, e));
          return b.create<arith::AddFOp>(
              l, b.create<arith::SubFOp>(l, relu, zy), sp);
        });
    Value count = rewriter.create<arith::MulFOp>(
        loc, dimAsFloat(rewriter, loc, z, 0), featureCount(rewriter, loc, z));
    rewriter.replaceOp(
        op, buildScalarMap(rewriter, loc, total,
                           [&](OpBuilder &b, Location l, ValueRange a) {
                             return SmallVector<Value>{
                                 b.create<arith::DivFOp>(l, a[0], count)};
                           }));
    return success();
  }
};

/// (sigmoid(z) - y) / (N * outputs).
struct SigmoidCrossEntropyGradLowering
    : OpRewritePattern<net::SigmoidCrossEntropyGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::SigmoidCrossEntropyGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value z = op.getLogits();
    Value count = rewriter.create<arith::MulFOp>(
        loc, dimAsFloat(rewriter, loc, z, 0), featureCount(rewriter, loc, z));
    const double smoothing = smoothingOf(op.getLabelSmoothing());
    Value r = buildMap(
        rewriter, loc, ValueRange{z, op.getLabels()},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value one = constLike(b, l, a[0], 1.0);
          Value e = b.create<math::ExpOp>(l, b.create<arith::NegFOp>(l, a[0]));
          Value s = b.create<arith::DivFOp>(l, one,
                                            b.create<arith::AddFOp>(l, one, e));
          Value d = b.create<arith::SubFOp>(
              l, s, smoothTarget(b, l, a[1], smoothing));
          return SmallVector<Value>{b.create<arith::DivFOp>(l, d, count)};
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// Keras' binary_accuracy summed over rows: per row, the fraction of outputs
/// with (sigmoid(z) > 0.5) == (y > 0.5); sigmoid(z) > 0.5 iff z > 0.
struct BinaryAccuracyCountLowering
    : OpRewritePattern<net::BinaryAccuracyCountOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::BinaryAccuracyCountOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value z = op.getLogits();
    Value hits = buildSumAll(
        rewriter, loc, ValueRange{z, op.getLabels()},
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value p = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, a[0],
                                            constLike(b, l, a[0], 0.0));
          Value t = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, a[1],
                                            constLike(b, l, a[1], 0.5));
          Value eq = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::eq, p, t);
          return b.create<arith::SelectOp>(l, eq, constLike(b, l, a[0], 1.0),
                                           constLike(b, l, a[0], 0.0));
        });
    Value f = featureCount(rewriter, loc, z);
    rewriter.replaceOp(
        op, buildScalarMap(rewriter, loc, hits,
                           [&](OpBuilder &b, Location l, ValueRange a) {
                             return SmallVector<Value>{
                                 b.create<arith::DivFOp>(l, a[0], f)};
                           }));
    return success();
  }
};

/// Per row of p [N, C] with labels [N, 1]: the row sum and p[label].
struct RowPick {
  Value sum, picked; // [N]
};
RowPick rowSumAndPick(OpBuilder &b, Location loc, Value p, Value labels) {
  MLIRContext *ctx = b.getContext();
  AffineMap id = identityMap(ctx, 2), row = dropLastMap(ctx, 2);
  AffineMap labMap = firstColumnMap(ctx, 2);
  Value zero = constLike(b, loc, p, 0.0);
  auto g = buildGeneric(
      b, loc, 2, ValueRange{p, labels}, {id, labMap},
      ValueRange{filledRowTensor(b, loc, p, zero),
                 filledRowTensor(b, loc, p, zero)},
      {row, row}, {1}, [](OpBuilder &nb, Location l, ValueRange a) {
        Value c = nb.create<linalg::IndexOp>(l, 1);
        Value hit = labelMatches(nb, l, a[1], c);
        Value v =
            nb.create<arith::SelectOp>(l, hit, a[0], constLike(nb, l, a[0], 0));
        return SmallVector<Value>{nb.create<arith::AddFOp>(l, a[2], a[0]),
                                  nb.create<arith::AddFOp>(l, a[3], v)};
      });
  return {g.getResult(0), g.getResult(1)};
}

struct ProbCrossEntropyLowering : OpRewritePattern<net::ProbCrossEntropyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::ProbCrossEntropyOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value p = op.getProbs();
    MLIRContext *ctx = getContext();
    RowPick rp = rowSumAndPick(rewriter, loc, p, op.getLabels());
    AffineMap r1 = identityMap(ctx, 1),
              s1 = netc::conversion::scalarMap(ctx, 1);
    Value total =
        buildGeneric(
            rewriter, loc, 1, ValueRange{rp.sum, rp.picked}, {r1, r1},
            filledScalarTensor(rewriter, loc, constLike(rewriter, loc, p, 0.0)),
            {s1}, {0},
            [](OpBuilder &b, Location l, ValueRange a) {
              Value q = b.create<arith::DivFOp>(l, a[1], a[0]);
              q = b.create<arith::MaximumFOp>(l, q,
                                              constLike(b, l, q, kEpsilon));
              q = b.create<arith::MinimumFOp>(
                  l, q, constLike(b, l, q, 1.0 - kEpsilon));
              Value nll =
                  b.create<arith::NegFOp>(l, b.create<math::LogOp>(l, q));
              return SmallVector<Value>{b.create<arith::AddFOp>(l, a[2], nll)};
            })
            .getResult(0);
    Value n = dimAsFloat(rewriter, loc, p, 0);
    rewriter.replaceOp(
        op, buildScalarMap(rewriter, loc, total,
                           [&](OpBuilder &b, Location l, ValueRange a) {
                             return SmallVector<Value>{
                                 b.create<arith::DivFOp>(l, a[0], n)};
                           }));
    return success();
  }
};

/// (1 / s - [c == label] / p[label]) / N, zero where the clip is active.
struct ProbCrossEntropyGradLowering
    : OpRewritePattern<net::ProbCrossEntropyGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::ProbCrossEntropyGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value p = op.getProbs(), labels = op.getLabels();
    MLIRContext *ctx = getContext();
    AffineMap id = identityMap(ctx, 2), row = dropLastMap(ctx, 2);
    AffineMap labMap = firstColumnMap(ctx, 2);
    RowPick rp = rowSumAndPick(rewriter, loc, p, labels);
    Value n = dimAsFloat(rewriter, loc, p, 0);
    Value r =
        buildGeneric(
            rewriter, loc, 2, ValueRange{rp.sum, rp.picked, labels},
            {row, row, labMap}, emptyLike(rewriter, loc, p), {id}, {},
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value s = a[0], py = a[1];
              Value q = b.create<arith::DivFOp>(l, py, s);
              Value inside = b.create<arith::AndIOp>(
                  l,
                  b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, q,
                                          constLike(b, l, q, kEpsilon)),
                  b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OLT, q,
                                          constLike(b, l, q, 1.0 - kEpsilon)));
              Value c = b.create<linalg::IndexOp>(l, 1);
              Value hit = labelMatches(b, l, a[2], c);
              Value one = constLike(b, l, q, 1.0),
                    zero = constLike(b, l, q, 0.0);
              Value g = b.create<arith::DivFOp>(l, one, s);
              Value gy = b.create<arith::SubFOp>(
                  l, g, b.create<arith::DivFOp>(l, one, py));
              g = b.create<arith::SelectOp>(l, hit, gy, g);
              g = b.create<arith::DivFOp>(l, g, n);
              return SmallVector<Value>{
                  b.create<arith::SelectOp>(l, inside, g, zero)};
            })
            .getResult(0);
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

void netc::conversion::populateProbabilityLossPatterns(
    RewritePatternSet &patterns) {
  patterns.add<SigmoidCrossEntropyLowering, SigmoidCrossEntropyGradLowering,
               BinaryAccuracyCountLowering, ProbCrossEntropyLowering,
               ProbCrossEntropyGradLowering>(patterns.getContext());
}
