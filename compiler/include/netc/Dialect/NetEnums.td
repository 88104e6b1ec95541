//===- NetEnums.td - Enum attributes of the net dialect ---*- tablegen -*-===//
//
// Every kind an op carries is an enum attribute: the parser rejects an
// unknown keyword, and a lowering switches over the C++ enum instead of
// comparing strings. In an op's assembly the kind is a bare keyword after the
// mnemonic (`net.pool max %x ...`); inside a dictionary it reads
// `#net<pool_kind max>`. An enum attribute prints its own leading space, so
// an op's format writes ``` `` $kind ``` to avoid a second one.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_NET_ENUMS
#define NETC_NET_ENUMS

include "netc/Dialect/NetDialect.td"
include "mlir/IR/EnumAttr.td"

class Net_I32Enum<string name, string summary, list<I32EnumAttrCase> cases>
    : I32EnumAttr<name, summary, cases> {
  let cppNamespace = "::netc::net";
  // The attribute is the EnumAttr below (printed as a keyword), not an
  // IntegerAttr.
  let genSpecializedAttr = 0;
}

def Net_PoolKind : Net_I32Enum<"PoolKind", "pooling reduction", [
  I32EnumAttrCase<"Max", 0, "max">,
  // The average over the window's positions inside the image (padding is
  // excluded from the count).
  I32EnumAttrCase<"Avg", 1, "avg">
]>;
def Net_PoolKindAttr : EnumAttr<Net_Dialect, Net_PoolKind, "pool_kind">;

def Net_ActivationKind : Net_I32Enum<"ActivationKind",
    "activation with a gradient rule", [
  I32EnumAttrCase<"Relu", 0, "relu">,
  I32EnumAttrCase<"Sigmoid", 1, "sigmoid">,
  I32EnumAttrCase<"Tanh", 2, "tanh">,
  I32EnumAttrCase<"Softmax", 3, "softmax">
]>;
def Net_ActivationKindAttr
    : EnumAttr<Net_Dialect, Net_ActivationKind, "activation">;

// The Keras 3 optimizers with a generated update: the keywords of the IR.
// Everything else about them (defaults, slots, when a slot exists) is in the
// one table runtime/include/netc/Optimizers.def; net::optimizerSlotCount and
// the verifier read it, and refuse a kind the table lacks.
def Net_OptimizerKind : Net_I32Enum<"OptimizerKind", "optimizer", [
  I32EnumAttrCase<"Sgd", 0, "sgd">,
  I32EnumAttrCase<"Adam", 1, "adam">,
  I32EnumAttrCase<"AdamW", 2, "adamw">,
  I32EnumAttrCase<"RmsProp", 3, "rmsprop">,
  I32EnumAttrCase<"Adagrad", 4, "adagrad">,
  I32EnumAttrCase<"Adadelta", 5, "adadelta">,
  I32EnumAttrCase<"Adamax", 6, "adamax">,
  I32EnumAttrCase<"Nadam", 7, "nadam">
]>;
def Net_OptimizerKindAttr
    : EnumAttr<Net_Dialect, Net_OptimizerKind, "optimizer">;

#endif
