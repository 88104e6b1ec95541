//===- NormalizationRules.cpp - Gradient of batchnorm ---------------------===//
#include "Rules.h"

using namespace mlir;
using namespace netc;
using namespace netc::rules;

namespace {

/// A training batchnorm: one batchnorm_grad gives dx, dgamma and dbeta (the
/// batch statistics' dependence on x is inside its dx). Its moving
/// statistics (net.moving_moments) do not reach the loss.
LogicalResult batchnorm(net::BatchNormOp bn, AdjointBuilder &ab,
                        ArrayRef<Value> dys) {
  if (!bn.getTraining())
    return bn.emitError("cannot differentiate an inference batchnorm");
  Value x = bn.getInput(), gamma = bn.getGamma();
  auto grad = ab.getBuilder().create<net::BatchNormGradOp>(
      bn.getLoc(),
      TypeRange{x.getType(), gamma.getType(), bn.getBeta().getType()}, dys[0],
      x, gamma, bn.getEpsilonAttr());
  ab.addAdjoint(x, grad.getDx());
  ab.addAdjoint(gamma, grad.getDgamma());
  ab.addAdjoint(bn.getBeta(), grad.getDbeta());
  return success();
}

} // namespace

void netc::rules::registerNormalizationRules(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, net::NetDialect *) {
    net::BatchNormOp::attachInterface<OpRule<net::BatchNormOp, batchnorm>>(
        *ctx);
  });
}
