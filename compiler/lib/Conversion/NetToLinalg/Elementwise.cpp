//===- Elementwise.cpp - Activations, bias, reshape and their gradients ---===//
//
// Everything here becomes linalg.generic on tensors with identity or
// broadcast maps, so that linalg-fuse-elementwise-ops can merge a bias add,
// its activation and the activation's gradient into the neighbouring loops.
//
//===----------------------------------------------------------------------===//
#include "Common.h"

using namespace mlir;
using namespace netc::conversion;
namespace net = netc::net;

namespace {

Value relu(OpBuilder &b, Location loc, Value x) {
  // select(x > 0, x, 0): NaN maps to 0 like a compare-based ReLU, and the
  // select vectorizes without relying on fmaximum lowering.
  Value zero = constLike(b, loc, x, 0.0);
  Value pos = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, x, zero);
  return b.create<arith::SelectOp>(loc, pos, x, zero);
}

Value sigmoid(OpBuilder &b, Location loc, Value x) {
  Value one = constLike(b, loc, x, 1.0);
  Value e = b.create<math::ExpOp>(loc, b.create<arith::NegFOp>(loc, x));
  return b.create<arith::DivFOp>(loc, one,
                                 b.create<arith::AddFOp>(loc, one, e));
}

template <typename OpTy>
struct UnaryActivationLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value r =
        buildMap(rewriter, loc, op.getInput(),
                 [](OpBuilder &b, Location l, ValueRange a) {
                   Value x = a[0];
                   if constexpr (std::is_same_v<OpTy, net::ReluOp>)
                     return SmallVector<Value>{relu(b, l, x)};
                   else if constexpr (std::is_same_v<OpTy, net::SigmoidOp>)
                     return SmallVector<Value>{sigmoid(b, l, x)};
                   else
                     return SmallVector<Value>{b.create<math::TanhOp>(l, x)};
                 });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// Stable softmax over the last dimension: exp(x - max) / sum(exp(x - max)).
struct SoftmaxLowering : OpRewritePattern<net::SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    int64_t rank = op.getType().getRank();
    MLIRContext *ctx = getContext();
    RowSoftmaxStats st = buildRowSoftmaxStats(rewriter, loc, x);
    AffineMap id = identityMap(ctx, rank), row = dropLastMap(ctx, rank);
    Value r =
        buildGeneric(rewriter, loc, rank, ValueRange{x, st.max, st.sumExp},
                     {id, row, row}, emptyLike(rewriter, loc, x), {id}, {},
                     [](OpBuilder &b, Location l, ValueRange a) {
                       Value e = b.create<math::ExpOp>(
                           l, b.create<arith::SubFOp>(l, a[0], a[1]));
                       return SmallVector<Value>{
                           b.create<arith::DivFOp>(l, e, a[2])};
                     })
            .getResult(0);
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct BiasAddLowering : OpRewritePattern<net::BiasAddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::BiasAddOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
    MLIRContext *ctx = getContext();
    AffineMap id = identityMap(ctx, rank);
    AffineMap last = AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx));
    Value r = buildGeneric(rewriter, loc, rank, ValueRange{x, op.getBias()},
                           {id, last}, emptyLike(rewriter, loc, x), {id}, {},
                           [](OpBuilder &b, Location l, ValueRange a) {
                             return SmallVector<Value>{
                                 b.create<arith::AddFOp>(l, a[0], a[1])};
                           })
                  .getResult(0);
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct AddLowering : OpRewritePattern<net::AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::AddOp op,
                                PatternRewriter &rewriter) const override {
    Value r = buildMap(
        rewriter, op.getLoc(), ValueRange{op.getLhs(), op.getRhs()},
        [](OpBuilder &b, Location l, ValueRange a) {
          return SmallVector<Value>{b.create<arith::AddFOp>(l, a[0], a[1])};
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct ScaleLowering : OpRewritePattern<net::ScaleOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::ScaleOp op,
                                PatternRewriter &rewriter) const override {
    const double factor = op.getFactor().convertToDouble();
    Value r = buildMap(rewriter, op.getLoc(), op.getInput(),
                       [&](OpBuilder &b, Location l, ValueRange a) {
                         return SmallVector<Value>{b.create<arith::MulFOp>(
                             l, a[0], constLike(b, l, a[0], factor))};
                       });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// Row-major reshape keeping the batch dimension: collapse every non-batch
/// dimension into one, then expand it into the result's non-batch
/// dimensions. Both steps are metadata-only after bufferization.
struct ReshapeLowering : OpRewritePattern<net::ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    auto inTy = cast<RankedTensorType>(x.getType());
    auto outTy = cast<RankedTensorType>(op.getType());
    if (inTy == outTy) {
      rewriter.replaceOp(op, x);
      return success();
    }
    auto group = [](int64_t rank) {
      SmallVector<ReassociationIndices> r{{0}, {}};
      for (int64_t i = 1; i < rank; ++i)
        r[1].push_back(i);
      return r;
    };
    Value flat = x;
    if (inTy.getRank() > 2) {
      SmallVector<int64_t> shape{
          inTy.getDimSize(0),
          static_cast<int64_t>(staticTrailingElements(inTy))};
      flat = rewriter.create<tensor::CollapseShapeOp>(
          loc, RankedTensorType::get(shape, inTy.getElementType()), x,
          group(inTy.getRank()));
    }
    Value r = flat;
    if (outTy.getRank() > 2)
      r = rewriter.create<tensor::ExpandShapeOp>(loc, outTy, flat,
                                                 group(outTy.getRank()));
    if (r.getType() != outTy)
      r = rewriter.create<tensor::CastOp>(loc, outTy, r);
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// dy summed over every dimension but the last.
struct BiasAddGradLowering : OpRewritePattern<net::BiasAddGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::BiasAddGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value dy = op.getDy();
    int64_t rank = cast<RankedTensorType>(dy.getType()).getRank();
    MLIRContext *ctx = getContext();
    auto outTy = cast<RankedTensorType>(op.getType());
    Value init = rewriter.create<tensor::EmptyOp>(loc, outTy.getShape(),
                                                  outTy.getElementType());
    init = rewriter
               .create<linalg::FillOp>(
                   loc, floatConst(rewriter, loc, outTy, 0.0), init)
               .getResult(0);
    SmallVector<int64_t> red = llvm::to_vector(llvm::seq<int64_t>(0, rank - 1));
    AffineMap last = AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx));
    Value r = buildGeneric(rewriter, loc, rank, dy, {identityMap(ctx, rank)},
                           init, {last}, red,
                           [](OpBuilder &b, Location l, ValueRange a) {
                             return SmallVector<Value>{
                                 b.create<arith::AddFOp>(l, a[1], a[0])};
                           })
                  .getResult(0);
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// dx of an activation from dy and the activation's output y.
struct ActivationGradLowering : OpRewritePattern<net::ActivationGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::ActivationGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value dy = op.getDy(), y = op.getOutput();
    net::ActivationKind kind = op.getKind();
    if (kind == net::ActivationKind::Softmax) {
      // dx = y * (dy - sum_c(dy * y)), per row.
      int64_t rank = cast<RankedTensorType>(y.getType()).getRank();
      MLIRContext *ctx = getContext();
      AffineMap id = identityMap(ctx, rank), row = dropLastMap(ctx, rank);
      Value init =
          filledRowTensor(rewriter, loc, y, constLike(rewriter, loc, y, 0));
      Value dot = buildGeneric(rewriter, loc, rank, ValueRange{dy, y}, {id, id},
                               init, {row}, {rank - 1},
                               [](OpBuilder &b, Location l, ValueRange a) {
                                 Value p =
                                     b.create<arith::MulFOp>(l, a[0], a[1]);
                                 return SmallVector<Value>{
                                     b.create<arith::AddFOp>(l, a[2], p)};
                               })
                      .getResult(0);
      Value r =
          buildGeneric(rewriter, loc, rank, ValueRange{dy, y, dot},
                       {id, id, row}, emptyLike(rewriter, loc, y), {id}, {},
                       [](OpBuilder &b, Location l, ValueRange a) {
                         Value d = b.create<arith::SubFOp>(l, a[0], a[2]);
                         return SmallVector<Value>{
                             b.create<arith::MulFOp>(l, a[1], d)};
                       })
              .getResult(0);
      rewriter.replaceOp(op, r);
      return success();
    }
    Value r = buildMap(rewriter, loc, ValueRange{dy, y},
                       [&](OpBuilder &b, Location l, ValueRange a) {
                         Value g = a[0], out = a[1];
                         Value one = constLike(b, l, out, 1.0);
                         Value res;
                         if (kind == net::ActivationKind::Relu) {
                           Value zero = constLike(b, l, out, 0.0);
                           Value pos = b.create<arith::CmpFOp>(
                               l, arith::CmpFPredicate::OGT, out, zero);
                           res = b.create<arith::SelectOp>(l, pos, g, zero);
                         } else if (kind == net::ActivationKind::Sigmoid) {
                           Value s = b.create<arith::MulFOp>(
                               l, out, b.create<arith::SubFOp>(l, one, out));
                           res = b.create<arith::MulFOp>(l, g, s);
                         } else {
                           Value sq = b.create<arith::MulFOp>(l, out, out);
                           res = b.create<arith::MulFOp>(
                               l, g, b.create<arith::SubFOp>(l, one, sq));
                         }
                         return SmallVector<Value>{res};
                       });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// g + l1 * sign(w) + 2 * l2 * w (sign(0) = 0, as tf.sign); with batch_mean
/// the coefficients l1 / N and 2 * l2 / N, N the batch size read at run time.
struct RegularizerGradLowering : OpRewritePattern<net::RegularizerGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::RegularizerGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value w0 = op.getInput();
    double l1 = op.getL1().convertToDouble();
    double l2 = op.getL2().convertToDouble();
    // The coefficients: constants, or divided by N once, outside the loop.
    Value c1, cNeg1, c2;
    if (op.getBatchMean()) {
      Value n = dimAsFloat(rewriter, loc, w0, 0);
      auto perN = [&](double c) -> Value {
        return rewriter.create<arith::DivFOp>(
            loc, constLike(rewriter, loc, w0, c), n);
      };
      c1 = perN(l1);
      cNeg1 = perN(-l1);
      c2 = perN(2.0 * l2);
    }
    Value r = buildMap(
        rewriter, loc, ValueRange{op.getGrad(), w0},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value g = a[0], w = a[1];
          if (l1 != 0.0) {
            Value zero = constLike(b, l, w, 0.0);
            Value pos =
                b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, w, zero);
            Value neg =
                b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OLT, w, zero);
            Value sign = b.create<arith::SelectOp>(
                l, pos, c1 ? c1 : constLike(b, l, w, l1),
                b.create<arith::SelectOp>(
                    l, neg, cNeg1 ? cNeg1 : constLike(b, l, w, -l1), zero));
            g = b.create<arith::AddFOp>(l, g, sign);
          }
          if (l2 != 0.0) {
            Value t = b.create<arith::MulFOp>(
                l, c2 ? c2 : constLike(b, l, w, 2.0 * l2), w);
            g = b.create<arith::AddFOp>(l, g, t);
          }
          return SmallVector<Value>{g};
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

void netc::conversion::populateElementwisePatterns(
    RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<UnaryActivationLowering<net::ReluOp>,
               UnaryActivationLowering<net::SigmoidOp>,
               UnaryActivationLowering<net::TanhOp>, SoftmaxLowering,
               BiasAddLowering, AddLowering, ScaleLowering, ReshapeLowering,
               BiasAddGradLowering, ActivationGradLowering,
               RegularizerGradLowering>(ctx);
}
