//===- Shape.cpp - Padding, cropping, concatenation, slicing, features ----===//
//
// The data-movement layers become tensor.insert_slice / tensor.extract_slice
// into zero-filled or empty tensors: after bufferization they are copies
// into subviews, with no index arithmetic in loop bodies. polyfeatures is a
// linalg.generic (its powers are a fixed chain of multiplications).
//
//===----------------------------------------------------------------------===//
#include "Common.h"

using namespace mlir;
using namespace netc::conversion;
namespace net = netc::net;

namespace {

/// A tensor.empty of static type `type`, its dynamic batch dimension taken
/// from `like`.
Value emptyOf(OpBuilder &b, Location loc, RankedTensorType type, Value like) {
  SmallVector<Value> dyn;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      dyn.push_back(b.create<tensor::DimOp>(loc, like, d));
  return b.create<tensor::EmptyOp>(loc, type, dyn);
}

/// Offsets of a slice of `part` placed at `offsets` (static) in a larger
/// tensor, with unit strides; sizes from `part`.
struct SliceSpec {
  SmallVector<OpFoldResult> offsets, sizes, strides;
};
SliceSpec sliceOf(OpBuilder &b, Location loc, Value part,
                  ArrayRef<int64_t> offsets) {
  SliceSpec s;
  s.sizes = tensor::getMixedSizes(b, loc, part);
  for (int64_t o : offsets) {
    s.offsets.push_back(b.getIndexAttr(o));
    s.strides.push_back(b.getIndexAttr(1));
  }
  return s;
}

struct ZeroPadLowering : OpRewritePattern<net::ZeroPadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::ZeroPadOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    ArrayRef<int64_t> pads = op.getPads();
    auto type = cast<RankedTensorType>(op.getType());
    Value zero = floatConst(rewriter, loc, type, 0.0);
    Value out =
        rewriter
            .create<linalg::FillOp>(loc, zero, emptyOf(rewriter, loc, type, x))
            .getResult(0);
    SliceSpec s = sliceOf(rewriter, loc, x, {0, pads[0], pads[2], 0});
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(op, x, out, s.offsets,
                                                       s.sizes, s.strides);
    return success();
  }
};

struct CropLowering : OpRewritePattern<net::CropOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::CropOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> pads = op.getPads();
    auto type = cast<RankedTensorType>(op.getType());
    // Sizes: the batch from the input, the rest from the result type.
    SmallVector<OpFoldResult> sizes{
        tensor::getMixedSizes(rewriter, loc, op.getInput())[0]};
    for (int64_t d = 1; d < type.getRank(); ++d)
      sizes.push_back(rewriter.getIndexAttr(type.getDimSize(d)));
    SmallVector<OpFoldResult> offsets{
        rewriter.getIndexAttr(0), rewriter.getIndexAttr(pads[0]),
        rewriter.getIndexAttr(pads[2]), rewriter.getIndexAttr(0)};
    SmallVector<OpFoldResult> strides(4, rewriter.getIndexAttr(1));
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, type, op.getInput(), offsets, sizes, strides);
    return success();
  }
};

struct ConcatLowering : OpRewritePattern<net::ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::ConcatOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t axis = op.getAxis();
    Value out = emptyOf(rewriter, loc, type, op.getInputs()[0]);
    int64_t offset = 0;
    for (Value in : op.getInputs()) {
      SmallVector<int64_t> offsets(type.getRank(), 0);
      offsets[axis] = offset;
      SliceSpec s = sliceOf(rewriter, loc, in, offsets);
      out = rewriter.create<tensor::InsertSliceOp>(loc, in, out, s.offsets,
                                                   s.sizes, s.strides);
      offset += cast<RankedTensorType>(in.getType()).getDimSize(axis);
    }
    rewriter.replaceOp(op, out);
    return success();
  }
};

struct SliceLowering : OpRewritePattern<net::SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::SliceOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    SmallVector<OpFoldResult> offsets, sizes, strides;
    SmallVector<OpFoldResult> inSizes =
        tensor::getMixedSizes(rewriter, loc, op.getInput());
    for (int64_t d = 0; d < type.getRank(); ++d) {
      offsets.push_back(
          rewriter.getIndexAttr(d == op.getAxis() ? op.getOffset() : 0));
      sizes.push_back(type.isDynamicDim(d)
                          ? inSizes[d]
                          : rewriter.getIndexAttr(type.getDimSize(d)));
      strides.push_back(rewriter.getIndexAttr(1));
    }
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, type, op.getInput(), offsets, sizes, strides);
    return success();
  }
};

/// y[n, k] = (x[n, 0]^(k+1) - mean[k]) / std[k].
struct PolyFeaturesLowering : OpRewritePattern<net::PolyFeaturesOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::PolyFeaturesOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    MLIRContext *ctx = getContext();
    ArrayRef<double> mean = op.getMean(), stddev = op.getStd();
    int64_t degree = static_cast<int64_t>(mean.size());
    auto constants = [&](ArrayRef<double> v, bool invert) {
      auto t = RankedTensorType::get({degree}, type.getElementType());
      SmallVector<Attribute> f;
      for (double d : v)
        f.push_back(
            rewriter.getFloatAttr(t.getElementType(), invert ? 1.0 / d : d));
      return rewriter.create<arith::ConstantOp>(loc,
                                                DenseElementsAttr::get(t, f));
    };
    Value means = constants(mean, false), invStd = constants(stddev, true);
    AffineMap xMap = firstColumnMap(ctx, 2);
    AffineMap kMap = AffineMap::get(2, 0, getAffineDimExpr(1, ctx));
    Value out = emptyOf(rewriter, loc, type, op.getInput());
    Value r =
        buildGeneric(
            rewriter, loc, 2, ValueRange{op.getInput(), means, invStd},
            {xMap, kMap, kMap}, out, {identityMap(ctx, 2)}, {},
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value k = b.create<arith::IndexCastOp>(
                  l, b.getI64Type(), b.create<linalg::IndexOp>(l, 1));
              // x^(k+1) by a select over the fixed chain x, x^2, ...
              Value p = a[0], pick = a[0];
              for (int64_t j = 1; j < degree; ++j) {
                p = b.create<arith::MulFOp>(l, p, a[0]);
                Value hit = b.create<arith::CmpIOp>(
                    l, arith::CmpIPredicate::eq, k,
                    b.create<arith::ConstantOp>(l, b.getI64IntegerAttr(j)));
                pick = b.create<arith::SelectOp>(l, hit, p, pick);
              }
              Value c = b.create<arith::SubFOp>(l, pick, a[1]);
              return SmallVector<Value>{b.create<arith::MulFOp>(l, c, a[2])};
            })
            .getResult(0);
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

void netc::conversion::populateShapePatterns(RewritePatternSet &patterns) {
  patterns.add<ZeroPadLowering, CropLowering, ConcatLowering, SliceLowering,
               PolyFeaturesLowering>(patterns.getContext());
}
