//===- Normalization.cpp - Batch normalization and its gradient -----------===//
//
// Channels are the last dimension; statistics reduce every other dimension
// (batch and, for images, height and width) into [C] tensors. The variance is
// computed in two passes (sum of squared deviations from the mean) rather
// than as E[x^2] - E[x]^2, which cancels catastrophically in float32 for inputs
// with a large mean. Everything is linalg.generic on tensors, so the
// per-element passes fuse with their neighbours.
//
// Under `--sync-batchnorm` the statistics are the global batch's: every
// per-channel value that must be global passes through net.sync_moments
// (the shard-weighted sum over the ranks; the identity alone), right where
// it is computed: the mean and the variance (both divided by this rank's
// count first, so that the weighted sum is the global one), and in the
// gradient the sums of dy and dy * xhat that dx needs (docs/design.md,
// "Data-parallel steps").
//
//===----------------------------------------------------------------------===//
#include "Common.h"

using namespace mlir;
using namespace netc::conversion;
namespace net = netc::net;

namespace {

/// The map (d0, ..., d{r-1}) -> (d{r-1}): a per-channel operand.
AffineMap channelMap(MLIRContext *ctx, int64_t rank) {
  return AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx));
}

/// Number of values per channel (every dimension but the last) as a float
/// of x's element type.
Value valuesPerChannel(OpBuilder &b, Location loc, Value x) {
  auto t = cast<RankedTensorType>(x.getType());
  double rest = 1;
  for (int64_t d : t.getShape().drop_front().drop_back())
    rest *= static_cast<double>(d);
  return b.create<arith::MulFOp>(loc, dimAsFloat(b, loc, x, 0),
                                 constLike(b, loc, x, rest));
}

/// A zero-filled [C] tensor for `x` of shape [..., C].
Value zeroChannels(OpBuilder &b, Location loc, Value x) {
  auto t = cast<RankedTensorType>(x.getType());
  Value empty = b.create<tensor::EmptyOp>(
      loc, ArrayRef<int64_t>{t.getShape().back()}, t.getElementType());
  return b.create<linalg::FillOp>(loc, constLike(b, loc, x, 0.0), empty)
      .getResult(0);
}

/// Sum over all but the last dimension of term(inputs...) into [C]; extra
/// per-channel inputs are read through the channel map.
Value channelSum(OpBuilder &b, Location loc, Value x, ValueRange perChannel,
                 function_ref<Value(OpBuilder &, Location, ValueRange)> term) {
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<Value> inputs{x};
  inputs.append(perChannel.begin(), perChannel.end());
  SmallVector<AffineMap> maps{identityMap(ctx, rank)};
  maps.append(perChannel.size(), channelMap(ctx, rank));
  SmallVector<int64_t> red = llvm::to_vector(llvm::seq<int64_t>(0, rank - 1));
  return buildGeneric(b, loc, rank, inputs, maps, zeroChannels(b, loc, x),
                      {channelMap(ctx, rank)}, red,
                      [&](OpBuilder &nb, Location l, ValueRange a) {
                        Value t = term(nb, l, a.drop_back());
                        return SmallVector<Value>{
                            nb.create<arith::AddFOp>(l, a.back(), t)};
                      })
      .getResult(0);
}

/// Elementwise map over [C] tensors.
Value channelMapOp(OpBuilder &b, Location loc, ValueRange inputs, BodyFn body) {
  return buildMap(b, loc, inputs, body);
}

struct Moments {
  Value mean, var; // [C], biased variance
};

/// `v` [C] over the global batch under --sync-batchnorm (net.sync_moments).
Value synced(OpBuilder &b, Location loc, Value v) {
  return b.create<net::SyncMomentsOp>(loc, v.getType(), v);
}

Moments batchMoments(OpBuilder &b, Location loc, Value x) {
  Value m = valuesPerChannel(b, loc, x);
  Value sum = channelSum(
      b, loc, x, {}, [](OpBuilder &, Location, ValueRange a) { return a[0]; });
  Value mean = synced(
      b, loc,
      channelMapOp(b, loc, sum, [&](OpBuilder &nb, Location l, ValueRange a) {
        return SmallVector<Value>{nb.create<arith::DivFOp>(l, a[0], m)};
      }));
  Value sq =
      channelSum(b, loc, x, mean, [](OpBuilder &nb, Location l, ValueRange a) {
        Value d = nb.create<arith::SubFOp>(l, a[0], a[1]);
        return nb.create<arith::MulFOp>(l, d, d).getResult();
      });
  Value var = synced(
      b, loc,
      channelMapOp(b, loc, sq, [&](OpBuilder &nb, Location l, ValueRange a) {
        return SmallVector<Value>{nb.create<arith::DivFOp>(l, a[0], m)};
      }));
  return {mean, var};
}

/// rsqrt(var + eps) per channel.
Value inverseStd(OpBuilder &b, Location loc, Value var, double eps) {
  return channelMapOp(
      b, loc, var, [&](OpBuilder &nb, Location l, ValueRange a) {
        Value v =
            nb.create<arith::AddFOp>(l, a[0], constLike(nb, l, a[0], eps));
        return SmallVector<Value>{nb.create<math::RsqrtOp>(l, v)};
      });
}

struct BatchNormLowering : OpRewritePattern<net::BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    double eps = op.getEpsilon().convertToDouble();
    Value mean = op.getMovingMean(), var = op.getMovingVariance();
    if (op.getTraining()) {
      Moments mo = batchMoments(rewriter, loc, x);
      mean = mo.mean, var = mo.var;
    }
    Value rstd = inverseStd(rewriter, loc, var, eps);
    int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
    MLIRContext *ctx = getContext();
    AffineMap id = identityMap(ctx, rank), ch = channelMap(ctx, rank);
    Value y =
        buildGeneric(
            rewriter, loc, rank,
            ValueRange{x, mean, rstd, op.getGamma(), op.getBeta()},
            {id, ch, ch, ch, ch}, emptyLike(rewriter, loc, x), {id}, {},
            [](OpBuilder &b, Location l, ValueRange a) {
              Value d = b.create<arith::SubFOp>(l, a[0], a[1]);
              Value s = b.create<arith::MulFOp>(l, a[2], a[3]);
              Value n = b.create<arith::MulFOp>(l, d, s);
              return SmallVector<Value>{b.create<arith::AddFOp>(l, n, a[4])};
            })
            .getResult(0);
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// moving * momentum + batch * (1 - momentum), as Keras' assign_moving_average.
struct MovingMomentsLowering : OpRewritePattern<net::MovingMomentsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::MovingMomentsOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    double momentum = op.getMomentum().convertToDouble();
    Moments mo = batchMoments(rewriter, loc, op.getInput());
    auto blend = [&](Value moving, Value batch) {
      return channelMapOp(
          rewriter, loc, ValueRange{moving, batch},
          [&](OpBuilder &b, Location l, ValueRange a) {
            Value m = b.create<arith::MulFOp>(l, a[0],
                                              constLike(b, l, a[0], momentum));
            Value n = b.create<arith::MulFOp>(
                l, a[1], constLike(b, l, a[1], 1.0 - momentum));
            return SmallVector<Value>{b.create<arith::AddFOp>(l, m, n)};
          });
    };
    rewriter.replaceOp(op, {blend(op.getMovingMean(), mo.mean),
                            blend(op.getMovingVariance(), mo.var)});
    return success();
  }
};

/// dbeta = sum dy, dgamma = sum dy * xhat,
/// dx = gamma * rstd * (dy - dbeta / M - xhat * dgamma / M).
/// Under --sync-batchnorm dx reads the sums' shard-weighted sums over the
/// ranks, still divided by this rank's M: its dy is the gradient of its
/// shard's mean loss, N / n times the global loss's for a shard of n of the
/// N records. dgamma and dbeta stay this rank's; the gradient allreduce
/// weights them like every weight's gradient.
struct BatchNormGradLowering : OpRewritePattern<net::BatchNormGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::BatchNormGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value dy = op.getDy(), x = op.getInput(), gamma = op.getGamma();
    int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
    MLIRContext *ctx = getContext();
    AffineMap id = identityMap(ctx, rank), ch = channelMap(ctx, rank);
    Moments mo = batchMoments(rewriter, loc, x);
    Value rstd =
        inverseStd(rewriter, loc, mo.var, op.getEpsilon().convertToDouble());
    Value m = valuesPerChannel(rewriter, loc, x);
    SmallVector<int64_t> red = llvm::to_vector(llvm::seq<int64_t>(0, rank - 1));
    auto sums = buildGeneric(
        rewriter, loc, rank, ValueRange{dy, x, mo.mean, rstd}, {id, id, ch, ch},
        ValueRange{zeroChannels(rewriter, loc, x),
                   zeroChannels(rewriter, loc, x)},
        {ch, ch}, red, [](OpBuilder &b, Location l, ValueRange a) {
          Value xhat = b.create<arith::MulFOp>(
              l, b.create<arith::SubFOp>(l, a[1], a[2]), a[3]);
          Value g = b.create<arith::AddFOp>(
              l, a[5], b.create<arith::MulFOp>(l, a[0], xhat));
          return SmallVector<Value>{b.create<arith::AddFOp>(l, a[4], a[0]), g};
        });
    Value dbeta = sums.getResult(0), dgamma = sums.getResult(1);
    Value sumDy = synced(rewriter, loc, dbeta);
    Value sumDyX = synced(rewriter, loc, dgamma);
    Value dx =
        buildGeneric(
            rewriter, loc, rank,
            ValueRange{dy, x, mo.mean, rstd, gamma, sumDy, sumDyX},
            {id, id, ch, ch, ch, ch, ch}, emptyLike(rewriter, loc, x), {id}, {},
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value xhat = b.create<arith::MulFOp>(
                  l, b.create<arith::SubFOp>(l, a[1], a[2]), a[3]);
              Value meanDy = b.create<arith::DivFOp>(l, a[5], m);
              Value meanDyX = b.create<arith::DivFOp>(
                  l, b.create<arith::MulFOp>(l, xhat, a[6]), m);
              Value c = b.create<arith::SubFOp>(
                  l, b.create<arith::SubFOp>(l, a[0], meanDy), meanDyX);
              Value s = b.create<arith::MulFOp>(l, a[4], a[3]);
              return SmallVector<Value>{b.create<arith::MulFOp>(l, s, c)};
            })
            .getResult(0);
    rewriter.replaceOp(op, {dx, dgamma, dbeta});
    return success();
  }
};

} // namespace

void netc::conversion::populateNormalizationPatterns(
    RewritePatternSet &patterns) {
  patterns.add<BatchNormLowering, MovingMomentsLowering, BatchNormGradLowering>(
      patterns.getContext());
}
