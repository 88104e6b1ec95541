//===- Rules.cpp - Registration of every gradient rule --------------------===//
#include "Rules.h"

void netc::registerGradientRules(mlir::DialectRegistry &registry) {
  rules::registerLayerRules(registry);
  rules::registerElementwiseRules(registry);
  rules::registerNormalizationRules(registry);
  rules::registerShapeRules(registry);
  rules::registerLossRules(registry);
}
