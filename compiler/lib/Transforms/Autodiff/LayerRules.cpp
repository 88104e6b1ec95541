//===- LayerRules.cpp - Gradients of conv2d, matmul, bias_add, pool -------===//
//
// The layers that become runtime kernel calls; each gradient is one op of the
// same family (conv2d_grad_input/filter, matmul with a transpose,
// bias_add_grad, pool_grad).
//
//===----------------------------------------------------------------------===//
#include "Rules.h"

using namespace mlir;
using namespace netc;
using namespace netc::rules;

namespace {

LogicalResult conv2d(net::Conv2DOp conv, AdjointBuilder &ab,
                     ArrayRef<Value> dys) {
  OpBuilder &b = ab.getBuilder();
  Location loc = conv.getLoc();
  Value dy = dys[0];
  if (ab.isActive(conv.getInput()))
    ab.addAdjoint(conv.getInput(),
                  b.create<net::Conv2DGradInputOp>(
                      loc, conv.getInput().getType(), dy, conv.getFilter(),
                      conv.getInput(), conv.getStridesAttr(),
                      conv.getPadsAttr()));
  if (ab.isActive(conv.getFilter()))
    ab.addAdjoint(conv.getFilter(),
                  b.create<net::Conv2DGradFilterOp>(
                      loc, conv.getFilter().getType(), conv.getInput(), dy,
                      conv.getStridesAttr(), conv.getPadsAttr()));
  return success();
}

LogicalResult matmul(net::MatmulOp mm, AdjointBuilder &ab,
                     ArrayRef<Value> dys) {
  if (mm.getTransposeLhs() || mm.getTransposeRhs())
    return mm.emitError("cannot differentiate a transposed matmul");
  OpBuilder &b = ab.getBuilder();
  Location loc = mm.getLoc();
  Value dy = dys[0];
  // y = a b:  da = dy b^T,  db = a^T dy.
  if (ab.isActive(mm.getLhs()))
    ab.addAdjoint(mm.getLhs(), b.create<net::MatmulOp>(
                                   loc, mm.getLhs().getType(), dy, mm.getRhs(),
                                   /*transpose_lhs=*/false,
                                   /*transpose_rhs=*/true));
  if (ab.isActive(mm.getRhs()))
    ab.addAdjoint(mm.getRhs(), b.create<net::MatmulOp>(
                                   loc, mm.getRhs().getType(), mm.getLhs(), dy,
                                   /*transpose_lhs=*/true,
                                   /*transpose_rhs=*/false));
  return success();
}

/// Whether every use of `v` is as the input of a training batchnorm (or of
/// its moving-statistics update, or of its gradient): then the loss is
/// invariant to adding a per-channel constant to `v`.
bool feedsOnlyBatchNorm(Value v) {
  if (v.use_empty())
    return false;
  for (OpOperand &use : v.getUses()) {
    Operation *user = use.getOwner();
    if (auto bn = dyn_cast<net::BatchNormOp>(user)) {
      if (!bn.getTraining() || use.getOperandNumber() != 0)
        return false;
    } else if (isa<net::MovingMomentsOp>(user)) {
      if (use.getOperandNumber() != 0)
        return false;
    } else if (auto grad = dyn_cast<net::BatchNormGradOp>(user)) {
      if (use.get() != grad.getInput() || use.get() == grad.getDy())
        return false;
    } else {
      return false;
    }
  }
  return true;
}

LogicalResult biasAdd(net::BiasAddOp bias, AdjointBuilder &ab,
                      ArrayRef<Value> dys) {
  Value dy = dys[0];
  ab.addAdjoint(bias.getInput(), dy);
  // A bias whose sum only feeds training batchnorms has no data gradient:
  // batchnorm subtracts the batch mean per channel, so the loss does not
  // depend on it, and sum(dx) over a channel is zero in exact arithmetic.
  // Computed in float32 it is rounding noise (~1e-9) that would stand in
  // for the true gradient (only the bias's regularizer term, if any).
  if (ab.isActive(bias.getBias()) && !feedsOnlyBatchNorm(bias.getResult()))
    ab.addAdjoint(bias.getBias(),
                  ab.getBuilder().create<net::BiasAddGradOp>(
                      bias.getLoc(), bias.getBias().getType(), dy));
  return success();
}

LogicalResult pool(net::PoolOp op, AdjointBuilder &ab, ArrayRef<Value> dys) {
  ab.addAdjoint(op.getInput(),
                ab.getBuilder().create<net::PoolGradOp>(
                    op.getLoc(), op.getInput().getType(), op.getInput(), dys[0],
                    op.getKindAttr(), op.getWindowAttr(), op.getStridesAttr(),
                    op.getPadsAttr()));
  return success();
}

} // namespace

void netc::rules::registerLayerRules(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, net::NetDialect *) {
    net::Conv2DOp::attachInterface<OpRule<net::Conv2DOp, conv2d>>(*ctx);
    net::MatmulOp::attachInterface<OpRule<net::MatmulOp, matmul>>(*ctx);
    net::BiasAddOp::attachInterface<OpRule<net::BiasAddOp, biasAdd>>(*ctx);
    net::PoolOp::attachInterface<OpRule<net::PoolOp, pool>>(*ctx);
  });
}
