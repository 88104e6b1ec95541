//===- NetDialect.cpp - The net dialect and its enum attributes -----------===//
#include "netc/Dialect/NetDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/TypeName.h"

using namespace mlir;
using namespace netc::net;

#include "netc/Dialect/NetDialect.cpp.inc"
#include "netc/Dialect/NetEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "netc/Dialect/NetAttrs.cpp.inc"

void NetDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "netc/Dialect/NetOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "netc/Dialect/NetAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Discardable attributes
//===----------------------------------------------------------------------===//

namespace {

/// Where a net.* attribute belongs: on a function, or on one of its arguments.
enum class Place { Function, Argument };

/// One discardable attribute of NetDialect.td: its name, its place, and a
/// test for the type the .td file declares (taken from its helper).
struct AttrRule {
  StringRef name;
  Place place;
  bool (*hasType)(Attribute);
  StringRef typeName;
};

template <typename Helper>
using DeclaredType = decltype(std::declval<Helper &>().getAttr(nullptr));

template <typename Helper> AttrRule rule(Place place) {
  using T = DeclaredType<Helper>;
  StringRef typeName = llvm::getTypeName<T>();
  typeName.consume_front("mlir::");
  return {Helper::getNameStr(), place, [](Attribute a) { return isa<T>(a); },
          typeName};
}

const AttrRule *findRule(StringRef name) {
  using D = NetDialect;
  constexpr Place fn = Place::Function, arg = Place::Argument;
  static const AttrRule rules[] = {
      rule<D::LossFunctionAttrHelper>(fn),
      rule<D::TrainOnlyAttrHelper>(fn),
      rule<D::NetworkAttrHelper>(fn),
      rule<D::LossAttrHelper>(fn),
      rule<D::MetricAttrHelper>(fn),
      rule<D::OptimizerAttrHelper>(fn),
      rule<D::OptimizerConfigAttrHelper>(fn),
      rule<D::SlotInitAttrHelper>(fn),
      rule<D::UpdatedParamsAttrHelper>(fn),
      rule<D::ParamAttrHelper>(arg),
      rule<D::TrainableAttrHelper>(arg),
      rule<D::SeedAttrHelper>(arg),
      rule<D::TrainStepAttrHelper>(fn),
      rule<D::EvalStepAttrHelper>(fn),
      rule<D::TrainableParamsAttrHelper>(fn),
      rule<D::EntryAttrHelper>(fn),
      rule<D::KernelAttrHelper>(fn),
      rule<D::ParamOffsetsAttrHelper>(fn),
      rule<D::StateFloatsAttrHelper>(fn),
      rule<D::StateInitAttrHelper>(fn),
      rule<D::WorkspaceAttrHelper>(arg),
      rule<D::CapacityAttrHelper>(arg),
      rule<D::WsPerSampleAttrHelper>(fn),
      rule<D::WsFixedAttrHelper>(fn),
  };
  for (const AttrRule &r : rules)
    if (r.name == name)
      return &r;
  return nullptr;
}

/// Name, place and declared type of `attr`, found on `op` (`place`).
LogicalResult verifyDeclared(Operation *op, NamedAttribute attr, Place place) {
  StringRef name = attr.getName().getValue();
  const AttrRule *r = findRule(name);
  if (!r)
    return op->emitOpError() << "has unknown attribute '" << name << "'";
  if (r->place != place)
    return op->emitOpError()
           << "has '" << name << "' on "
           << (place == Place::Argument ? "an argument" : "the operation")
           << ": it belongs on a function"
           << (r->place == Place::Argument ? "'s argument" : "");
  if (place == Place::Function && !isa<FunctionOpInterface>(op))
    return op->emitOpError() << "has '" << name << "', which belongs on a "
                             << "function";
  if (!r->hasType(attr.getValue()))
    return op->emitOpError() << "expects '" << name << "' to be a "
                             << r->typeName << ", not " << attr.getValue();
  return success();
}

bool isI64(Attribute a, int64_t min) {
  auto i = dyn_cast<IntegerAttr>(a);
  return i && i.getType().isInteger(64) && i.getInt() >= min;
}

/// Values beyond the type: what the passes and the driver read back without
/// checking again (the driver's readLayouts casts state_init's entries).
LogicalResult verifyValue(Operation *op, StringRef name, Attribute value) {
  auto fail = [&] { return op->emitOpError() << "'" << name << "' "; };
  if (name == NetDialect::EntryAttrHelper::getNameStr()) {
    StringRef e = cast<StringAttr>(value).getValue();
    if (e != "train" && e != "train_f64" && e != "eval")
      return fail() << "must be \"train\", \"train_f64\" or \"eval\"";
  } else if (name == NetDialect::KernelAttrHelper::getNameStr()) {
    StringRef k = cast<StringAttr>(value).getValue();
    if (!k.consume_front("k") || k.empty() || !llvm::all_of(k, llvm::isDigit))
      return fail() << "must name a kernel k<index>";
  } else if (name == NetDialect::StateFloatsAttrHelper::getNameStr() ||
             name == NetDialect::WsPerSampleAttrHelper::getNameStr() ||
             name == NetDialect::WsFixedAttrHelper::getNameStr()) {
    if (!isI64(value, 0))
      return fail() << "must be a non-negative i64";
  } else if (name == NetDialect::StateInitAttrHelper::getNameStr()) {
    for (Attribute e : cast<ArrayAttr>(value)) {
      auto t = dyn_cast<ArrayAttr>(e);
      if (!t || t.size() != 3 || !isI64(t[0], 0) || !isI64(t[1], 0) ||
          !isa<FloatAttr>(t[2]))
        return fail() << "must list [offset: i64, size: i64, value: float]";
    }
  } else if (name == NetDialect::OptimizerConfigAttrHelper::getNameStr()) {
    for (NamedAttribute a : cast<DictionaryAttr>(value))
      if (!isa<FloatAttr>(a.getValue()))
        return fail() << "must map hyperparameter names to floats";
  } else if (name == NetDialect::TrainableParamsAttrHelper::getNameStr() ||
             name == NetDialect::UpdatedParamsAttrHelper::getNameStr()) {
    int64_t args = cast<FunctionOpInterface>(op).getNumArguments();
    for (int64_t i : cast<DenseI64ArrayAttr>(value).asArrayRef())
      if (i < 0 || i >= args)
        return fail() << "lists " << i << ", not a parameter index";
  }
  return success();
}

} // namespace

LogicalResult NetDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attr) {
  if (failed(verifyDeclared(op, attr, Place::Function)))
    return failure();
  return verifyValue(op, attr.getName().getValue(), attr.getValue());
}

LogicalResult NetDialect::verifyRegionArgAttribute(Operation *op, unsigned,
                                                   unsigned,
                                                   NamedAttribute attr) {
  return verifyDeclared(op, attr, Place::Argument);
}

LogicalResult NetDialect::verifyRegionResultAttribute(Operation *op, unsigned,
                                                      unsigned,
                                                      NamedAttribute attr) {
  return op->emitOpError() << "has '" << attr.getName().getValue()
                           << "' on a result: the net dialect declares no "
                              "result attributes";
}
