//===- Common.cpp - Shared helpers of the net -> linalg lowering ----------===//
#include "Common.h"

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

using namespace mlir;

namespace netc {
namespace conversion {

Type floatTypeOf(Value v) { return getElementTypeOrSelf(v.getType()); }

Value floatConst(OpBuilder &b, Location loc, Type type, double v) {
  Type t = getElementTypeOrSelf(type);
  return b.create<arith::ConstantOp>(loc, b.getFloatAttr(t, v));
}

Value constLike(OpBuilder &b, Location loc, Value like, double v) {
  return floatConst(b, loc, like.getType(), v);
}

Value dimAsFloat(OpBuilder &b, Location loc, Value v, int64_t dim) {
  auto t = cast<RankedTensorType>(v.getType());
  if (!t.isDynamicDim(dim))
    return constLike(b, loc, v, static_cast<double>(t.getDimSize(dim)));
  Value d = b.create<tensor::DimOp>(loc, v, dim);
  Value i = b.create<arith::IndexCastOp>(loc, b.getI64Type(), d);
  return b.create<arith::UIToFPOp>(loc, t.getElementType(), i);
}

double staticTrailingElements(RankedTensorType t) {
  double n = 1;
  for (int64_t d : t.getShape().drop_front())
    n *= static_cast<double>(d);
  return n;
}

Value emptyLike(OpBuilder &b, Location loc, Value like, Type elemTy) {
  auto t = cast<RankedTensorType>(like.getType());
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, like);
  return b.create<tensor::EmptyOp>(loc, sizes,
                                   elemTy ? elemTy : t.getElementType());
}

Value filledRowTensor(OpBuilder &b, Location loc, Value like, Value init) {
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, like);
  sizes.pop_back();
  Value empty = b.create<tensor::EmptyOp>(loc, sizes, init.getType());
  return b.create<linalg::FillOp>(loc, init, empty).getResult(0);
}

Value filledScalarTensor(OpBuilder &b, Location loc, Value init) {
  Value empty =
      b.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{}, init.getType());
  return b.create<linalg::FillOp>(loc, init, empty).getResult(0);
}

AffineMap identityMap(MLIRContext *ctx, int64_t rank) {
  return AffineMap::getMultiDimIdentityMap(rank, ctx);
}

AffineMap dropLastMap(MLIRContext *ctx, int64_t rank) {
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i + 1 < rank; ++i)
    exprs.push_back(getAffineDimExpr(i, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

AffineMap scalarMap(MLIRContext *ctx, int64_t rank) {
  return AffineMap::get(rank, 0, {}, ctx);
}

AffineMap firstColumnMap(MLIRContext *ctx, int64_t rank) {
  return AffineMap::get(
      rank, 0, {getAffineDimExpr(0, ctx), getAffineConstantExpr(0, ctx)}, ctx);
}

Value buildScalarMap(OpBuilder &b, Location loc, ValueRange inputs, BodyFn body,
                     Type resultType) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps(inputs.size(), AffineMap::get(0, 0, {}, ctx));
  if (!resultType)
    resultType = floatTypeOf(inputs[0]);
  Value init = b.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{}, resultType);
  return buildGeneric(b, loc, 0, inputs, maps, init,
                      {AffineMap::get(0, 0, {}, ctx)}, {}, body)
      .getResult(0);
}

linalg::GenericOp buildGeneric(OpBuilder &b, Location loc, int64_t rank,
                               ValueRange inputs, ArrayRef<AffineMap> inMaps,
                               ValueRange outputs, ArrayRef<AffineMap> outMaps,
                               ArrayRef<int64_t> reductionDims, BodyFn body) {
  SmallVector<AffineMap> maps(inMaps.begin(), inMaps.end());
  maps.append(outMaps.begin(), outMaps.end());
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  for (int64_t d : reductionDims)
    iters[d] = utils::IteratorType::reduction;
  return b.create<linalg::GenericOp>(
      loc, ValueRange(outputs).getTypes(), inputs, outputs, maps, iters,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        nb.create<linalg::YieldOp>(nloc, body(nb, nloc, args));
      });
}

Value buildMap(OpBuilder &b, Location loc, ValueRange inputs, BodyFn body) {
  int64_t rank = cast<RankedTensorType>(inputs[0].getType()).getRank();
  AffineMap id = identityMap(b.getContext(), rank);
  SmallVector<AffineMap> inMaps(inputs.size(), id);
  Value init = emptyLike(b, loc, inputs[0]);
  return buildGeneric(b, loc, rank, inputs, inMaps, init, {id}, {}, body)
      .getResult(0);
}

Value buildSumAll(OpBuilder &b, Location loc, ValueRange inputs,
                  function_ref<Value(OpBuilder &, Location, ValueRange)> term) {
  // Accumulates in f64: a regularizer sums millions of terms (AlexNet's
  // 4096x4096 kernel), and a sequential f32 sum of that many loses about
  // 1% of the value, visibly changing the loss against Keras' tree sums.
  int64_t rank = cast<RankedTensorType>(inputs[0].getType()).getRank();
  MLIRContext *ctx = b.getContext();
  Type elem = floatTypeOf(inputs[0]), f64 = b.getF64Type();
  const bool widen = elem.getIntOrFloatBitWidth() < 64;
  Value zero = floatConst(b, loc, f64, 0.0);
  Value empty = b.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{}, f64);
  Value acc = b.create<linalg::FillOp>(loc, zero, empty).getResult(0);
  SmallVector<int64_t> red = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  SmallVector<AffineMap> maps(inputs.size(), identityMap(ctx, rank));
  Value wide =
      buildGeneric(b, loc, rank, inputs, maps, acc, {scalarMap(ctx, rank)}, red,
                   [&](OpBuilder &nb, Location l, ValueRange a) {
                     Value t = term(nb, l, a.drop_back());
                     if (widen)
                       t = nb.create<arith::ExtFOp>(l, f64, t);
                     return SmallVector<Value>{
                         nb.create<arith::AddFOp>(l, a.back(), t)};
                   })
          .getResult(0);
  if (!widen)
    return wide;
  return buildScalarMap(
      b, loc, wide,
      [&](OpBuilder &nb, Location l, ValueRange a) {
        return SmallVector<Value>{nb.create<arith::TruncFOp>(l, elem, a[0])};
      },
      elem);
}

Value featureCount(OpBuilder &b, Location loc, Value t) {
  return constLike(b, loc, t,
                   staticTrailingElements(cast<RankedTensorType>(t.getType())));
}

RowSoftmaxStats buildRowSoftmaxStats(OpBuilder &b, Location loc, Value logits) {
  int64_t rank = cast<RankedTensorType>(logits.getType()).getRank();
  MLIRContext *ctx = b.getContext();
  AffineMap id = identityMap(ctx, rank), row = dropLastMap(ctx, rank);
  Value negInf =
      constLike(b, loc, logits, -std::numeric_limits<double>::infinity());
  Value maxInit = filledRowTensor(b, loc, logits, negInf);
  Value max =
      buildGeneric(b, loc, rank, logits, {id}, maxInit, {row}, {rank - 1},
                   [](OpBuilder &nb, Location l, ValueRange a) {
                     return SmallVector<Value>{
                         nb.create<arith::MaximumFOp>(l, a[0], a[1])};
                   })
          .getResult(0);
  Value sumInit =
      filledRowTensor(b, loc, logits, constLike(b, loc, logits, 0.0));
  Value sum = buildGeneric(b, loc, rank, ValueRange{logits, max}, {id, row},
                           sumInit, {row}, {rank - 1},
                           [](OpBuilder &nb, Location l, ValueRange a) {
                             Value d = nb.create<arith::SubFOp>(l, a[0], a[1]);
                             Value e = nb.create<math::ExpOp>(l, d);
                             return SmallVector<Value>{
                                 nb.create<arith::AddFOp>(l, a[2], e)};
                           })
                  .getResult(0);
  return {max, sum};
}

Value labelMatches(OpBuilder &b, Location loc, Value label, Value index) {
  // Labels are exact small integers stored as floats: compare as integers so
  // that a label of 2.0 selects column 2 without rounding concerns.
  Value lab = b.create<arith::FPToSIOp>(loc, b.getI64Type(), label);
  Value idx = b.create<arith::IndexCastOp>(loc, b.getI64Type(), index);
  return b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, lab, idx);
}

} // namespace conversion
} // namespace netc
