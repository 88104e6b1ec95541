//===- Loss.cpp - Losses, metrics, regularizers and loss gradients --------===//
//
// Scalar results are rank-0 tensors of the inputs' float type. Reductions are
// linalg.generic with reduction iterators; divisions by the batch size read N
// from tensor.dim of the dynamic batch dimension.
//
//===----------------------------------------------------------------------===//
#include "Common.h"

using namespace mlir;
using namespace netc::conversion;
namespace net = netc::net;

namespace {

/// Mean over the batch of logsumexp(logits) - logits[label].
/// The target's value at the label and elsewhere: 1 and 0, or with label
/// smoothing s over C classes 1 - s + s / C and s / C (Keras).
std::pair<double, double> targetWeights(std::optional<APFloat> smoothing,
                                        Value logits) {
  double s = smoothing ? smoothing->convertToDouble() : 0.0;
  double c = static_cast<double>(
      cast<RankedTensorType>(logits.getType()).getDimSize(1));
  return {1.0 - s + s / c, s / c};
}

struct SoftmaxCrossEntropyLowering
    : OpRewritePattern<net::SoftmaxCrossEntropyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::SoftmaxCrossEntropyOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value logits = op.getLogits(), labels = op.getLabels();
    MLIRContext *ctx = getContext();
    AffineMap id = identityMap(ctx, 2), row = dropLastMap(ctx, 2);
    // labels [N, 1] read at (n, 0).
    AffineMap labMap = firstColumnMap(ctx, 2);
    RowSoftmaxStats st = buildRowSoftmaxStats(rewriter, loc, logits);
    // sum_j target_j * z_j: the labelled class's logit, picked by comparing
    // the column index (with smoothing, every logit weighted).
    auto [onW, offW] = targetWeights(op.getLabelSmoothing(), logits);
    Value pickInit = filledRowTensor(rewriter, loc, logits,
                                     constLike(rewriter, loc, logits, 0.0));
    Value picked = buildGeneric(rewriter, loc, 2, ValueRange{logits, labels},
                                {id, labMap}, pickInit, {row}, {1},
                                [&](OpBuilder &b, Location l, ValueRange a) {
                                  Value c = b.create<linalg::IndexOp>(l, 1);
                                  Value hit = labelMatches(b, l, a[1], c);
                                  Value w = b.create<arith::SelectOp>(
                                      l, hit, constLike(b, l, a[0], onW),
                                      constLike(b, l, a[0], offW));
                                  Value v = b.create<arith::MulFOp>(l, w, a[0]);
                                  return SmallVector<Value>{
                                      b.create<arith::AddFOp>(l, a[2], v)};
                                })
                       .getResult(0);
    // sum_n (log(sumexp) + max - picked)
    AffineMap r1 = identityMap(ctx, 1), s1 = scalarMap(ctx, 1);
    Value acc = filledScalarTensor(rewriter, loc,
                                   constLike(rewriter, loc, logits, 0.0));
    Value total =
        buildGeneric(rewriter, loc, 1, ValueRange{st.max, st.sumExp, picked},
                     {r1, r1, r1}, acc, {s1}, {0},
                     [](OpBuilder &b, Location l, ValueRange a) {
                       Value lse = b.create<arith::AddFOp>(
                           l, b.create<math::LogOp>(l, a[1]), a[0]);
                       Value li = b.create<arith::SubFOp>(l, lse, a[2]);
                       return SmallVector<Value>{
                           b.create<arith::AddFOp>(l, a[3], li)};
                     })
            .getResult(0);
    Value n = dimAsFloat(rewriter, loc, logits, 0);
    Value mean = buildScalarMap(
        rewriter, loc, total, [&](OpBuilder &b, Location l, ValueRange a) {
          return SmallVector<Value>{b.create<arith::DivFOp>(l, a[0], n)};
        });
    rewriter.replaceOp(op, mean);
    return success();
  }
};

/// (softmax(logits) - onehot(labels)) / N.
struct SoftmaxCrossEntropyGradLowering
    : OpRewritePattern<net::SoftmaxCrossEntropyGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::SoftmaxCrossEntropyGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value logits = op.getLogits(), labels = op.getLabels();
    MLIRContext *ctx = getContext();
    AffineMap id = identityMap(ctx, 2), row = dropLastMap(ctx, 2);
    AffineMap labMap = firstColumnMap(ctx, 2);
    RowSoftmaxStats st = buildRowSoftmaxStats(rewriter, loc, logits);
    Value n = dimAsFloat(rewriter, loc, logits, 0);
    auto [onW, offW] = targetWeights(op.getLabelSmoothing(), logits);
    Value r =
        buildGeneric(
            rewriter, loc, 2, ValueRange{logits, st.max, st.sumExp, labels},
            {id, row, row, labMap}, emptyLike(rewriter, loc, logits), {id}, {},
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value e = b.create<math::ExpOp>(
                  l, b.create<arith::SubFOp>(l, a[0], a[1]));
              Value p = b.create<arith::DivFOp>(l, e, a[2]);
              Value c = b.create<linalg::IndexOp>(l, 1);
              Value hit = labelMatches(b, l, a[3], c);
              Value oh =
                  b.create<arith::SelectOp>(l, hit, constLike(b, l, a[0], onW),
                                            constLike(b, l, a[0], offW));
              Value d = b.create<arith::SubFOp>(l, p, oh);
              return SmallVector<Value>{b.create<arith::DivFOp>(l, d, n)};
            })
            .getResult(0);
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// Sum of (pred - target)^2 over every element.
Value sumSquaredError(OpBuilder &b, Location loc, Value pred, Value target) {
  return buildSumAll(b, loc, ValueRange{pred, target},
                     [](OpBuilder &nb, Location l, ValueRange a) {
                       Value d = nb.create<arith::SubFOp>(l, a[0], a[1]);
                       return nb.create<arith::MulFOp>(l, d, d).getResult();
                     });
}

/// Mean over batch and features of (pred - target)^2.
struct MseLowering : OpRewritePattern<net::MseOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::MseOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value pred = op.getPred();
    Value sum = sumSquaredError(rewriter, loc, pred, op.getTarget());
    Value n = dimAsFloat(rewriter, loc, pred, 0);
    Value f = featureCount(rewriter, loc, pred);
    Value r = buildScalarMap(
        rewriter, loc, sum, [&](OpBuilder &b, Location l, ValueRange a) {
          Value cnt = b.create<arith::MulFOp>(l, n, f);
          return SmallVector<Value>{b.create<arith::DivFOp>(l, a[0], cnt)};
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// Sum over the batch of the per-row mean squared error = total / features.
struct SquaredErrorSumLowering : OpRewritePattern<net::SquaredErrorSumOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::SquaredErrorSumOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value pred = op.getPred();
    Value sum = sumSquaredError(rewriter, loc, pred, op.getTarget());
    Value f = featureCount(rewriter, loc, pred);
    Value r = buildScalarMap(
        rewriter, loc, sum, [&](OpBuilder &b, Location l, ValueRange a) {
          return SmallVector<Value>{b.create<arith::DivFOp>(l, a[0], f)};
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// 2 * (pred - target) / (N * features).
struct MseGradLowering : OpRewritePattern<net::MseGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::MseGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value pred = op.getPred();
    Value n = dimAsFloat(rewriter, loc, pred, 0);
    Value cnt = rewriter.create<arith::MulFOp>(
        loc, n, featureCount(rewriter, loc, pred));
    Value scale = rewriter.create<arith::DivFOp>(
        loc, constLike(rewriter, loc, pred, 2.0), cnt);
    Value r = buildMap(rewriter, loc, ValueRange{pred, op.getTarget()},
                       [&](OpBuilder &b, Location l, ValueRange a) {
                         Value d = b.create<arith::SubFOp>(l, a[0], a[1]);
                         return SmallVector<Value>{
                             b.create<arith::MulFOp>(l, d, scale)};
                       });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// Rows whose argmax (first maximum wins) equals the label, as a float.
struct AccuracyCountLowering : OpRewritePattern<net::AccuracyCountOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::AccuracyCountOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value scores = op.getScores(), labels = op.getLabels();
    MLIRContext *ctx = getContext();
    AffineMap id = identityMap(ctx, 2), row = dropLastMap(ctx, 2);
    Value maxInit =
        filledRowTensor(rewriter, loc, scores,
                        constLike(rewriter, loc, scores,
                                  -std::numeric_limits<double>::infinity()));
    Value idxInit = filledRowTensor(
        rewriter, loc, scores,
        rewriter.create<arith::ConstantOp>(loc, rewriter.getI64IntegerAttr(0)));
    // Strict '>' keeps the first maximum, as numpy/TF argmax.
    auto argmax = buildGeneric(
        rewriter, loc, 2, scores, {id}, ValueRange{maxInit, idxInit},
        {row, row}, {1}, [](OpBuilder &b, Location l, ValueRange a) {
          Value c = b.create<arith::IndexCastOp>(
              l, b.getI64Type(), b.create<linalg::IndexOp>(l, 1));
          Value gt =
              b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, a[0], a[1]);
          return SmallVector<Value>{
              b.create<arith::SelectOp>(l, gt, a[0], a[1]),
              b.create<arith::SelectOp>(l, gt, c, a[2])};
        });
    AffineMap r1 = identityMap(ctx, 1), s1 = scalarMap(ctx, 1);
    AffineMap lab1 = firstColumnMap(ctx, 1);
    Value acc = filledScalarTensor(rewriter, loc,
                                   constLike(rewriter, loc, scores, 0.0));
    Value count =
        buildGeneric(
            rewriter, loc, 1, ValueRange{argmax.getResult(1), labels},
            {r1, lab1}, acc, {s1}, {0},
            [](OpBuilder &b, Location l, ValueRange a) {
              Value lab = b.create<arith::FPToSIOp>(l, b.getI64Type(), a[1]);
              Value eq = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::eq,
                                                 a[0], lab);
              Value one =
                  b.create<arith::SelectOp>(l, eq, constLike(b, l, a[2], 1.0),
                                            constLike(b, l, a[2], 0.0));
              return SmallVector<Value>{b.create<arith::AddFOp>(l, a[2], one)};
            })
            .getResult(0);
    rewriter.replaceOp(op, count);
    return success();
  }
};

/// Rows with fewer than k scores strictly above the label's, as a float: the
/// label's score per row, then per row the count of higher scores, then the
/// rows with count < k.
struct TopKCountLowering : OpRewritePattern<net::TopKCountOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::TopKCountOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value scores = op.getScores(), labels = op.getLabels();
    MLIRContext *ctx = getContext();
    AffineMap id = identityMap(ctx, 2), row = dropLastMap(ctx, 2);
    AffineMap lab2 = firstColumnMap(ctx, 2);
    Value zero = constLike(rewriter, loc, scores, 0.0);
    Value labelScore =
        buildGeneric(rewriter, loc, 2, ValueRange{scores, labels}, {id, lab2},
                     filledRowTensor(rewriter, loc, scores, zero), {row}, {1},
                     [](OpBuilder &b, Location l, ValueRange a) {
                       Value hit = labelMatches(
                           b, l, a[1], b.create<linalg::IndexOp>(l, 1));
                       return SmallVector<Value>{
                           b.create<arith::SelectOp>(l, hit, a[0], a[2])};
                     })
            .getResult(0);
    Value higher =
        buildGeneric(
            rewriter, loc, 2, ValueRange{scores, labelScore}, {id, row},
            filledRowTensor(rewriter, loc, scores, zero), {row}, {1},
            [](OpBuilder &b, Location l, ValueRange a) {
              Value gt = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT,
                                                 a[0], a[1]);
              Value one =
                  b.create<arith::SelectOp>(l, gt, constLike(b, l, a[2], 1.0),
                                            constLike(b, l, a[2], 0.0));
              return SmallVector<Value>{b.create<arith::AddFOp>(l, a[2], one)};
            })
            .getResult(0);
    const double k = static_cast<double>(op.getK());
    AffineMap r1 = identityMap(ctx, 1), s1 = scalarMap(ctx, 1);
    Value count =
        buildGeneric(
            rewriter, loc, 1, ValueRange{higher}, {r1},
            filledScalarTensor(rewriter, loc, zero), {s1}, {0},
            [k](OpBuilder &b, Location l, ValueRange a) {
              Value in = b.create<arith::CmpFOp>(
                  l, arith::CmpFPredicate::OLT, a[0], constLike(b, l, a[0], k));
              Value one =
                  b.create<arith::SelectOp>(l, in, constLike(b, l, a[1], 1.0),
                                            constLike(b, l, a[1], 0.0));
              return SmallVector<Value>{b.create<arith::AddFOp>(l, a[1], one)};
            })
            .getResult(0);
    rewriter.replaceOp(op, count);
    return success();
  }
};

/// x / n, or 0 where n is 0.
Value divideNoNan(OpBuilder &b, Location l, Value x, Value n) {
  Value zero = constLike(b, l, x, 0.0);
  Value empty = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OEQ, n, zero);
  return b.create<arith::SelectOp>(l, empty, zero,
                                   b.create<arith::DivFOp>(l, x, n));
}

/// l1 * sum|w| + l2 * sum w^2, the sums scaled after reducing as Keras does;
/// with batch_mean divided by the batch size N (0 when N is 0, as Keras'
/// divide_no_nan).
struct RegularizerLowering : OpRewritePattern<net::RegularizerOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::RegularizerOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value w = op.getInput();
    double l1 = op.getL1().convertToDouble();
    double l2 = op.getL2().convertToDouble();
    Value n = op.getBatchMean() ? dimAsFloat(rewriter, loc, w, 0) : Value();
    SmallVector<Value> sums;
    if (l1 != 0.0)
      sums.push_back(buildSumAll(
          rewriter, loc, w, [](OpBuilder &b, Location l, ValueRange x) {
            return b.create<math::AbsFOp>(l, x[0]).getResult();
          }));
    if (l2 != 0.0)
      sums.push_back(buildSumAll(
          rewriter, loc, w, [](OpBuilder &b, Location l, ValueRange x) {
            return b.create<arith::MulFOp>(l, x[0], x[0]).getResult();
          }));
    Value r = buildScalarMap(
        rewriter, loc, sums, [&](OpBuilder &b, Location l, ValueRange a) {
          Value acc = constLike(b, l, a[0], 0.0);
          unsigned i = 0;
          if (l1 != 0.0)
            acc = b.create<arith::MulFOp>(l, constLike(b, l, a[0], l1), a[i++]);
          if (l2 != 0.0) {
            Value t =
                b.create<arith::MulFOp>(l, constLike(b, l, a[0], l2), a[i++]);
            acc =
                l1 != 0.0 ? b.create<arith::AddFOp>(l, acc, t).getResult() : t;
          }
          if (n)
            acc = divideNoNan(b, l, acc, n);
          return SmallVector<Value>{acc};
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct ScalarAddLowering : OpRewritePattern<net::ScalarAddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::ScalarAddOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    if (op.getTerms().empty()) {
      rewriter.replaceOp(
          op, filledScalarTensor(rewriter, loc,
                                 floatConst(rewriter, loc, op.getType(), 0.0)));
      return success();
    }
    if (op.getTerms().size() == 1) {
      rewriter.replaceOp(op, op.getTerms()[0]);
      return success();
    }
    Value r = buildScalarMap(rewriter, loc, op.getTerms(),
                             [](OpBuilder &b, Location l, ValueRange a) {
                               unsigned nIn = a.size() - 1;
                               Value acc = a[0];
                               for (unsigned i = 1; i < nIn; ++i)
                                 acc = b.create<arith::AddFOp>(l, acc, a[i]);
                               return SmallVector<Value>{acc};
                             });
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

void netc::conversion::populateLossPatterns(RewritePatternSet &patterns) {
  patterns.add<SoftmaxCrossEntropyLowering, SoftmaxCrossEntropyGradLowering,
               MseLowering, SquaredErrorSumLowering, MseGradLowering,
               AccuracyCountLowering, TopKCountLowering, RegularizerLowering,
               ScalarAddLowering>(patterns.getContext());
}
