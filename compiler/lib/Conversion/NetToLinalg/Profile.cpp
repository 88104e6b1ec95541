//===- Profile.cpp - The op family of every net op, in its location -------===//
//
// Before the lowering, every net op's location is marked with its family
// (netc/Profile.def, Transforms/ProfileFamilies.h); the patterns build their
// linalg ops at the op's location, so the loop nests made from them carry
// it. Forward ops and their gradients share a family. The heavy ops' time
// is the runtime kernels' (timed there); what they leave in compiled code
// is the copying of operands into the workspace: shape/copy, like the
// entry points' copies of results into the caller's buffers.
//
//===----------------------------------------------------------------------===//
#include "Common.h"
#include "netc/Transforms/ProfileFamilies.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
namespace net = netc::net;
using netc::profile::Family;

namespace {

std::optional<Family> familyOfOp(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<Family>>(op)
      .Case<net::Conv2DOp, net::Conv2DGradInputOp, net::Conv2DGradFilterOp,
            net::MatmulOp, net::PoolOp, net::PoolGradOp, net::ReshapeOp,
            net::ZeroPadOp, net::CropOp, net::ConcatOp, net::SliceOp>(
          [](auto) { return Family::copy; })
      .Case<net::BiasAddOp, net::BiasAddGradOp, net::ReluOp, net::SigmoidOp,
            net::TanhOp, net::SoftmaxOp, net::ActivationGradOp, net::AddOp,
            net::ScaleOp, net::PolyFeaturesOp>(
          [](auto) { return Family::elementwise; })
      .Case<net::BatchNormOp, net::MovingMomentsOp, net::BatchNormGradOp>(
          [](auto) { return Family::batchnorm; })
      .Case<net::SoftmaxCrossEntropyOp, net::SoftmaxCrossEntropyGradOp,
            net::SigmoidCrossEntropyOp, net::SigmoidCrossEntropyGradOp,
            net::ProbCrossEntropyOp, net::ProbCrossEntropyGradOp, net::MseOp,
            net::MseGradOp, net::MaeOp, net::MaeGradOp, net::AccuracyCountOp,
            net::TopKCountOp, net::BinaryAccuracyCountOp,
            net::SquaredErrorSumOp, net::AbsErrorSumOp, net::RegularizerOp,
            net::RegularizerGradOp, net::ScalarAddOp>(
          [](auto) { return Family::loss; })
      .Case<net::OptimizerUpdateOp>([](auto) { return Family::optimizer; })
      .Case<net::DropoutOp>([](auto) { return Family::dropout; })
      // The entry points' writes of results into the caller's buffers
      // (updated weights and slots, outputs: ExportKernels.cpp).
      .Case<bufferization::MaterializeInDestinationOp>(
          [](auto) { return Family::copy; })
      .Default([](Operation *) { return std::nullopt; });
}

} // namespace

void netc::conversion::markProfileFamilies(Operation *root) {
  root->walk([](Operation *op) {
    std::optional<Family> f = familyOfOp(op);
    if (f && !netc::profile::familyOf(op->getLoc()))
      op->setLoc(netc::profile::withFamily(op->getLoc(), *f));
  });
}
