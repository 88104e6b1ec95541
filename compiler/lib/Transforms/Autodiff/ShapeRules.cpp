//===- ShapeRules.cpp - Gradients of reshape, zeropad, concat -------------===//
#include "Rules.h"

using namespace mlir;
using namespace netc;
using namespace netc::rules;

namespace {

LogicalResult reshape(net::ReshapeOp op, AdjointBuilder &ab,
                      ArrayRef<Value> dys) {
  ab.addAdjoint(op.getInput(),
                ab.getBuilder().create<net::ReshapeOp>(
                    op.getLoc(), op.getInput().getType(), dys[0]));
  return success();
}

/// Cropping the padded border of dy.
LogicalResult zeropad(net::ZeroPadOp op, AdjointBuilder &ab,
                      ArrayRef<Value> dys) {
  ab.addAdjoint(op.getInput(), ab.getBuilder().create<net::CropOp>(
                                   op.getLoc(), op.getInput().getType(), dys[0],
                                   op.getPadsAttr()));
  return success();
}

/// Each input's part of dy, sliced at its offset along the axis.
LogicalResult concat(net::ConcatOp op, AdjointBuilder &ab,
                     ArrayRef<Value> dys) {
  OpBuilder &b = ab.getBuilder();
  int64_t axis = op.getAxis(), offset = 0;
  for (Value in : op.getInputs()) {
    auto type = cast<RankedTensorType>(in.getType());
    if (ab.isActive(in))
      ab.addAdjoint(in, b.create<net::SliceOp>(op.getLoc(), type, dys[0],
                                               b.getI64IntegerAttr(axis),
                                               b.getI64IntegerAttr(offset)));
    offset += type.getDimSize(axis);
  }
  return success();
}

} // namespace

void netc::rules::registerShapeRules(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, net::NetDialect *) {
    net::ReshapeOp::attachInterface<OpRule<net::ReshapeOp, reshape>>(*ctx);
    net::ZeroPadOp::attachInterface<OpRule<net::ZeroPadOp, zeropad>>(*ctx);
    net::ConcatOp::attachInterface<OpRule<net::ConcatOp, concat>>(*ctx);
  });
}
