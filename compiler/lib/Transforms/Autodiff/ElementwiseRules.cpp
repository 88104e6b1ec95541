//===- ElementwiseRules.cpp - Gradients of activations, add, dropout ------===//
#include "Rules.h"

using namespace mlir;
using namespace netc;
using namespace netc::rules;

namespace {

/// relu, sigmoid, tanh and softmax: activation_grad from dy and the
/// activation's output, with the op's name as the kind.
template <typename Op>
LogicalResult activation(Op op, AdjointBuilder &ab, ArrayRef<Value> dys) {
  Value input = op.getInput();
  // The enum's keywords are the ops' names (relu, sigmoid, tanh, softmax).
  net::ActivationKind kind =
      *net::symbolizeActivationKind(op->getName().stripDialect());
  ab.addAdjoint(
      input, ab.getBuilder().create<net::ActivationGradOp>(
                 op.getLoc(), input.getType(), dys[0], op.getResult(), kind));
  return success();
}

LogicalResult add(net::AddOp op, AdjointBuilder &ab, ArrayRef<Value> dys) {
  ab.addAdjoint(op.getLhs(), dys[0]);
  ab.addAdjoint(op.getRhs(), dys[0]);
  return success();
}

/// The mask is a function of (seed, salt, index) only: the same op on dy
/// multiplies by the same mask / (1 - rate).
LogicalResult dropout(net::DropoutOp op, AdjointBuilder &ab,
                      ArrayRef<Value> dys) {
  ab.addAdjoint(op.getInput(),
                ab.getBuilder().create<net::DropoutOp>(
                    op.getLoc(), dys[0], op.getSeed(), op.getRateAttr(),
                    op.getSaltAttr(), op.getTrainingAttr()));
  return success();
}

template <typename Op> void attachActivation(MLIRContext *ctx) {
  Op::template attachInterface<OpRule<Op, activation<Op>>>(*ctx);
}

} // namespace

void netc::rules::registerElementwiseRules(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, net::NetDialect *) {
    attachActivation<net::ReluOp>(ctx);
    attachActivation<net::SigmoidOp>(ctx);
    attachActivation<net::TanhOp>(ctx);
    attachActivation<net::SoftmaxOp>(ctx);
    net::AddOp::attachInterface<OpRule<net::AddOp, add>>(*ctx);
    net::DropoutOp::attachInterface<OpRule<net::DropoutOp, dropout>>(*ctx);
  });
}
