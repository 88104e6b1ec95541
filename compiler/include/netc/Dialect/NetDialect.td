//===- NetDialect.td - The net dialect ---------------------*- tablegen -*-===//
#ifndef NETC_NET_DIALECT
#define NETC_NET_DIALECT

include "mlir/IR/OpBase.td"

def Net_Dialect : Dialect {
  let name = "net";
  let summary = "Neural-network layers, losses, gradients and optimizer updates";
  let description = [{
    Tensor-level ops that mirror the layers of a `.net` program (NHWC
    activations with a dynamic batch dimension, HWIO conv kernels, (in, out)
    dense kernels), the gradient ops the reverse-mode pass introduces, and the
    optimizer updates. Every op is pure and has value semantics.
  }];
  let cppNamespace = "::netc::net";

  // The attributes passes leave on functions and their arguments for later
  // passes and the driver (docs/design.md, "Passes and attributes"). Each has
  // a typed helper, NetDialect::<Name>AttrHelper; verifyOperationAttribute and
  // verifyRegionArgAttribute (NetDialect.cpp) check type and place.
  let discardableAttrs = (ins
    // On the loss function (MLIRGen -> netc-autodiff).
    "::mlir::UnitAttr":$loss_function,
    "::mlir::UnitAttr":$train_only,
    "::mlir::StringAttr":$network,
    "::mlir::StringAttr":$loss,
    "::mlir::StringAttr":$metric,
    "::mlir::StringAttr":$optimizer,
    "::mlir::DictionaryAttr":$optimizer_config,
    "::mlir::DenseF64ArrayAttr":$slot_init,
    "::mlir::DenseI64ArrayAttr":$updated_params,
    // On the loss function's arguments (copied to the train step's).
    "::mlir::StringAttr":$param,
    "::mlir::BoolAttr":$trainable,
    "::mlir::UnitAttr":$seed,
    // On the steps (netc-autodiff -> netc-export-kernels).
    "::mlir::UnitAttr":$train_step,
    "::mlir::UnitAttr":$eval_step,
    "::mlir::DenseI64ArrayAttr":$trainable_params,
    // On the entry points (netc-export-kernels -> convert-net-to-linalg,
    // driver) and their workspace arguments.
    "::mlir::StringAttr":$entry,
    "::mlir::StringAttr":$kernel,
    "::mlir::DenseI64ArrayAttr":$param_offsets,
    "::mlir::IntegerAttr":$state_floats,
    "::mlir::ArrayAttr":$state_init,
    "::mlir::UnitAttr":$workspace,
    "::mlir::UnitAttr":$capacity,
    "::mlir::IntegerAttr":$ws_per_sample,
    "::mlir::IntegerAttr":$ws_fixed
  );
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
  // The enum attributes of NetEnums.td.
  let useDefaultAttributePrinterParser = 1;
}

class Net_Op<string mnemonic, list<Trait> traits = []> :
    Op<Net_Dialect, mnemonic, traits>;

#endif
