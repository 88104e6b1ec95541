//===- AbsoluteError.cpp - mae loss, its gradient and metric --------------===//
#include "Common.h"

using namespace mlir;
using namespace netc::conversion;
namespace net = netc::net;

namespace {

/// Sum of |pred - target| over every element, scaled by 1 / divisor.
Value scaledAbsSum(OpBuilder &b, Location loc, Value pred, Value target,
                   Value divisor) {
  Value sum = buildSumAll(b, loc, ValueRange{pred, target},
                          [](OpBuilder &nb, Location l, ValueRange a) {
                            Value d = nb.create<arith::SubFOp>(l, a[0], a[1]);
                            return nb.create<math::AbsFOp>(l, d).getResult();
                          });
  return buildScalarMap(
      b, loc, sum, [&](OpBuilder &nb, Location l, ValueRange a) {
        return SmallVector<Value>{nb.create<arith::DivFOp>(l, a[0], divisor)};
      });
}

/// Mean over batch and features of |pred - target|.
struct MaeLowering : OpRewritePattern<net::MaeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::MaeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value pred = op.getPred();
    Value count =
        rewriter.create<arith::MulFOp>(loc, dimAsFloat(rewriter, loc, pred, 0),
                                       featureCount(rewriter, loc, pred));
    rewriter.replaceOp(
        op, scaledAbsSum(rewriter, loc, pred, op.getTarget(), count));
    return success();
  }
};

/// Sum over the batch of the per-row mean absolute error.
struct AbsErrorSumLowering : OpRewritePattern<net::AbsErrorSumOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::AbsErrorSumOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value pred = op.getPred();
    rewriter.replaceOp(op, scaledAbsSum(rewriter, loc, pred, op.getTarget(),
                                        featureCount(rewriter, loc, pred)));
    return success();
  }
};

/// sign(pred - target) / (N * features), sign(0) = 0 as tf.sign.
struct MaeGradLowering : OpRewritePattern<net::MaeGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::MaeGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value pred = op.getPred();
    Value count =
        rewriter.create<arith::MulFOp>(loc, dimAsFloat(rewriter, loc, pred, 0),
                                       featureCount(rewriter, loc, pred));
    Value scale = rewriter.create<arith::DivFOp>(
        loc, constLike(rewriter, loc, pred, 1.0), count);
    Value r = buildMap(
        rewriter, loc, ValueRange{pred, op.getTarget()},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value d = b.create<arith::SubFOp>(l, a[0], a[1]);
          Value zero = constLike(b, l, d, 0.0);
          Value pos =
              b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, d, zero);
          Value neg =
              b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OLT, d, zero);
          Value negScale = b.create<arith::NegFOp>(l, scale);
          return SmallVector<Value>{b.create<arith::SelectOp>(
              l, pos, scale,
              b.create<arith::SelectOp>(l, neg, negScale, zero))};
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

void netc::conversion::populateAbsoluteErrorPatterns(
    RewritePatternSet &patterns) {
  patterns.add<MaeLowering, AbsErrorSumLowering, MaeGradLowering>(
      patterns.getContext());
}
