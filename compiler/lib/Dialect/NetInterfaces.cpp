//===- NetInterfaces.cpp - Gradient interfaces of net ops ----------------===//
#include "netc/Dialect/NetInterfaces.h"

#include "netc/Dialect/NetInterfaces.cpp.inc"
