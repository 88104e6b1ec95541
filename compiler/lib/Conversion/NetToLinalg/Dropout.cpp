//===- Dropout.cpp - Inverted dropout with a counter-based mask -----------===//
//
// The mask is not stored: each element's keep bit is an integer hash of
// (step seed, layer salt, row-major element index), so the forward pass and
// its gradient (the same op applied to dy) regenerate the identical mask,
// there is no random state in compiled code, and a step is deterministic
// given the seed the runtime passes in hyper[2].
//
//===----------------------------------------------------------------------===//
#include "Common.h"

#include <cmath>

using namespace mlir;
using namespace netc::conversion;
namespace net = netc::net;

namespace {

Value i32Const(OpBuilder &b, Location loc, uint32_t v) {
  return b.create<arith::ConstantOp>(
      loc, b.getI32IntegerAttr(static_cast<int32_t>(v)));
}

/// A 32-bit avalanche mix (the "lowbias32" finalizer of Chris Wellons'
/// hash-prospector): every input bit affects every output bit.
Value mix32(OpBuilder &b, Location loc, Value x) {
  auto xorShift = [&](Value v, uint32_t s) {
    return b.create<arith::XOrIOp>(
        loc, v, b.create<arith::ShRUIOp>(loc, v, i32Const(b, loc, s)));
  };
  x = xorShift(x, 16);
  x = b.create<arith::MulIOp>(loc, x, i32Const(b, loc, 0x7feb352dU));
  x = xorShift(x, 15);
  x = b.create<arith::MulIOp>(loc, x, i32Const(b, loc, 0x846ca68bU));
  return xorShift(x, 16);
}

struct DropoutLowering : OpRewritePattern<net::DropoutOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::DropoutOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    double rate = op.getRate().convertToDouble();
    if (!op.getTraining() || rate == 0.0) {
      rewriter.replaceOp(op, x);
      return success();
    }
    auto type = cast<RankedTensorType>(x.getType());
    int64_t rank = type.getRank();
    // The stream of this step and layer: hash(seed ^ salt * golden).
    Value seed = rewriter.create<arith::FPToUIOp>(loc, rewriter.getI32Type(),
                                                  op.getSeed());
    uint32_t salt = static_cast<uint32_t>(op.getSalt()) * 0x9E3779B9U;
    Value stream = mix32(rewriter, loc,
                         rewriter.create<arith::XOrIOp>(
                             loc, seed, i32Const(rewriter, loc, salt)));
    // Row-major strides of the non-batch dimensions (static).
    SmallVector<int64_t> strides(rank, 1);
    for (int64_t d = rank - 2; d >= 0; --d)
      strides[d] = strides[d + 1] * type.getDimSize(d + 1);
    const double scale = 1.0 / (1.0 - rate);
    // keep <=> u >= rate with u = top 24 bits / 2^24, i.e. bits >= rate*2^24.
    uint32_t threshold =
        static_cast<uint32_t>(std::ceil(rate * static_cast<double>(1 << 24)));
    Value r =
        buildMap(rewriter, loc, x, [&](OpBuilder &b, Location l, ValueRange a) {
          Value linear = i32Const(b, l, 0);
          for (int64_t d = 0; d < rank; ++d) {
            Value i = b.create<arith::IndexCastOp>(
                l, b.getI32Type(), b.create<linalg::IndexOp>(l, d));
            Value t = b.create<arith::MulIOp>(
                l, i, i32Const(b, l, static_cast<uint32_t>(strides[d])));
            linear = b.create<arith::AddIOp>(l, linear, t);
          }
          Value h = mix32(b, l, b.create<arith::XOrIOp>(l, linear, stream));
          Value bits = b.create<arith::ShRUIOp>(l, h, i32Const(b, l, 8));
          Value keep = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::uge,
                                               bits, i32Const(b, l, threshold));
          Value scaled =
              b.create<arith::MulFOp>(l, a[0], constLike(b, l, a[0], scale));
          return SmallVector<Value>{b.create<arith::SelectOp>(
              l, keep, scaled, constLike(b, l, a[0], 0.0))};
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

void netc::conversion::populateDropoutPatterns(RewritePatternSet &patterns) {
  patterns.add<DropoutLowering>(patterns.getContext());
}
