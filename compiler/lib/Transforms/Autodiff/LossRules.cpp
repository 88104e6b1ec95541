//===- LossRules.cpp - Gradients of the loss terms ------------------------===//
//
// The loss is net.scalar_add of its terms, so each term's adjoint is 1: a data
// loss seeds its prediction's adjoint with its gradient op; a regularizer is
// folded into the complete adjoint of the value it regularizes, since
// regularizer_grad takes that adjoint as an operand.
//
//===----------------------------------------------------------------------===//
#include "Rules.h"

using namespace mlir;
using namespace netc;
using namespace netc::rules;

namespace {

LogicalResult softmaxCrossEntropy(net::SoftmaxCrossEntropyOp ce,
                                  AdjointBuilder &ab) {
  ab.addAdjoint(ce.getLogits(),
                ab.getBuilder().create<net::SoftmaxCrossEntropyGradOp>(
                    ce.getLoc(), ce.getLogits().getType(), ce.getLogits(),
                    ce.getLabels(), ce.getLabelSmoothingAttr()));
  return success();
}

LogicalResult sigmoidCrossEntropy(net::SigmoidCrossEntropyOp ce,
                                  AdjointBuilder &ab) {
  ab.addAdjoint(ce.getLogits(),
                ab.getBuilder().create<net::SigmoidCrossEntropyGradOp>(
                    ce.getLoc(), ce.getLogits().getType(), ce.getLogits(),
                    ce.getLabels(), ce.getLabelSmoothingAttr()));
  return success();
}

LogicalResult probCrossEntropy(net::ProbCrossEntropyOp ce, AdjointBuilder &ab) {
  ab.addAdjoint(
      ce.getProbs(),
      ab.getBuilder().create<net::ProbCrossEntropyGradOp>(
          ce.getLoc(), ce.getProbs().getType(), ce.getProbs(), ce.getLabels()));
  return success();
}

LogicalResult mse(net::MseOp op, AdjointBuilder &ab) {
  ab.addAdjoint(op.getPred(), ab.getBuilder().create<net::MseGradOp>(
                                  op.getLoc(), op.getPred().getType(),
                                  op.getPred(), op.getTarget()));
  return success();
}

LogicalResult mae(net::MaeOp op, AdjointBuilder &ab) {
  ab.addAdjoint(op.getPred(), ab.getBuilder().create<net::MaeGradOp>(
                                  op.getLoc(), op.getPred().getType(),
                                  op.getPred(), op.getTarget()));
  return success();
}

/// g + l1 sign(w) + 2 l2 w, on the complete adjoint g of w (zero when only
/// the regularizer reaches the loss through w); divided by the batch size N
/// before adding g for a batch-mean (activity) regularizer.
LogicalResult regularizer(net::RegularizerOp reg, AdjointBuilder &ab) {
  Value w = reg.getInput();
  if (!ab.isActive(w))
    return success();
  // The test hook scales the term by scaling both coefficients.
  double scale = ab.perturbation();
  double l1 = reg.getL1().convertToDouble() * scale;
  double l2 = reg.getL2().convertToDouble() * scale;
  UnitAttr batchMean = reg.getBatchMeanAttr();
  ab.addDeferred(
      w, [&ab, w, l1, l2, batchMean, loc = reg.getLoc()](Value g) -> Value {
        OpBuilder &b = ab.getBuilder();
        if (!g)
          g = ab.zeros(loc, w.getType());
        return b.create<net::RegularizerGradOp>(
            loc, w.getType(), g, w, b.getF64FloatAttr(l1),
            b.getF64FloatAttr(l2), batchMean);
      });
  return success();
}

} // namespace

void netc::rules::registerLossRules(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, net::NetDialect *) {
    using namespace net;
    SoftmaxCrossEntropyOp::attachInterface<
        LossRule<SoftmaxCrossEntropyOp, softmaxCrossEntropy>>(*ctx);
    SigmoidCrossEntropyOp::attachInterface<
        LossRule<SigmoidCrossEntropyOp, sigmoidCrossEntropy>>(*ctx);
    ProbCrossEntropyOp::attachInterface<
        LossRule<ProbCrossEntropyOp, probCrossEntropy>>(*ctx);
    MseOp::attachInterface<LossRule<MseOp, mse>>(*ctx);
    MaeOp::attachInterface<LossRule<MaeOp, mae>>(*ctx);
    RegularizerOp::attachInterface<LossRule<RegularizerOp, regularizer>>(*ctx);
  });
}
