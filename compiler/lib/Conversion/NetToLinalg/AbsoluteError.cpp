//===- AbsoluteError.cpp - mae loss, its gradient and metric --------------===//
#include "Common.h"

using namespace mlir;
using namespace netc::conversion;
namespace net = netc::net;

namespace {

/// Sum of |pred - target| over every element, scaled by 1 / divisor.
Value scaledAbsSum(OpBuilder &b, Location loc, Value pred, Value target,
                   Value divisor) {
  int64_t rank = cast<RankedTensorType>(pred.getType()).getRank();
  MLIRContext *ctx = b.getContext();
  AffineMap id = identityMap(ctx, rank);
  Value acc = filledScalarTensor(b, loc, f32Const(b, loc, 0.0));
  SmallVector<int64_t> red = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  Value sum = buildGeneric(b, loc, rank, ValueRange{pred, target}, {id, id},
                           acc, {scalarMap(ctx, rank)}, red,
                           [](OpBuilder &nb, Location l, ValueRange a) {
                             Value d = nb.create<arith::SubFOp>(l, a[0], a[1]);
                             Value m = nb.create<math::AbsFOp>(l, d);
                             return SmallVector<Value>{
                                 nb.create<arith::AddFOp>(l, a[2], m)};
                           })
                  .getResult(0);
  AffineMap s0 = AffineMap::get(0, 0, {}, ctx);
  Value init =
      b.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{}, b.getF32Type());
  return buildGeneric(b, loc, 0, sum, {s0}, init, {s0}, {},
                      [&](OpBuilder &nb, Location l, ValueRange a) {
                        return SmallVector<Value>{
                            nb.create<arith::DivFOp>(l, a[0], divisor)};
                      })
      .getResult(0);
}

Value features(OpBuilder &b, Location loc, Value pred) {
  return f32Const(
      b, loc, staticTrailingElements(cast<RankedTensorType>(pred.getType())));
}

/// Mean over batch and features of |pred - target|.
struct MaeLowering : OpRewritePattern<net::MaeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::MaeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value pred = op.getPred();
    Value count = rewriter.create<arith::MulFOp>(
        loc, dimAsF32(rewriter, loc, pred, 0), features(rewriter, loc, pred));
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
                                        features(rewriter, loc, pred)));
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
    Value count = rewriter.create<arith::MulFOp>(
        loc, dimAsF32(rewriter, loc, pred, 0), features(rewriter, loc, pred));
    Value scale = rewriter.create<arith::DivFOp>(
        loc, f32Const(rewriter, loc, 1.0), count);
    Value r = buildMap(
        rewriter, loc, ValueRange{pred, op.getTarget()},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value d = b.create<arith::SubFOp>(l, a[0], a[1]);
          Value zero = f32Const(b, l, 0.0);
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
