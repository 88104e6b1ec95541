//===- AdjointBuilder.cpp - State of one reverse sweep --------------------===//
#include "netc/Transforms/Autodiff.h"

#include "netc/Dialect/NetDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <cstdlib>

using namespace mlir;
using namespace netc;

constexpr double kPerturbation = 1.01; // keep the warning's text in step

AdjointBuilder::AdjointBuilder(MLIRContext *ctx) : b(ctx) {
  if (const char *rule = std::getenv("NETC_TEST_PERTURB_GRAD"))
    perturbRule = rule;
}

double AdjointBuilder::perturbation() {
  if (!ruleOp || perturbRule.empty() ||
      ruleOp->getName().stripDialect() != perturbRule)
    return 1.0;
  if (!warned)
    emitWarning(ruleOp->getLoc())
        << "NETC_TEST_PERTURB_GRAD: the gradient rule of '" << perturbRule
        << "' is made 1% wrong (its adjoints are multiplied by 1.01)";
  warned = true;
  return kPerturbation;
}

void AdjointBuilder::addAdjoint(Value v, Value g) {
  if (!isActive(v))
    return;
  if (double factor = perturbation(); factor != 1.0)
    g = b.create<net::ScaleOp>(g.getLoc(), g, b.getF64FloatAttr(factor));
  auto [it, inserted] = adjoints.try_emplace(v, g);
  if (!inserted)
    it->second = b.create<net::AddOp>(g.getLoc(), it->second, g);
}

void AdjointBuilder::addDeferred(Value v, DeferredTerm term) {
  if (isActive(v))
    deferred[v].push_back(std::move(term));
}

Value AdjointBuilder::takeAdjoint(Value v) {
  Value g = adjoints.lookup(v);
  auto terms = deferred.find(v);
  if (terms == deferred.end())
    return g;
  for (DeferredTerm &term : terms->second)
    g = term(g);
  deferred.erase(terms);
  return g;
}

Value AdjointBuilder::zeros(Location loc, Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return b.create<arith::ConstantOp>(
      loc, DenseElementsAttr::get(tensor,
                                  b.getFloatAttr(tensor.getElementType(), 0)));
}
