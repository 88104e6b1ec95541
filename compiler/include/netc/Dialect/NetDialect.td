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
  // The enum attributes of NetEnums.td.
  let useDefaultAttributePrinterParser = 1;
}

class Net_Op<string mnemonic, list<Trait> traits = []> :
    Op<Net_Dialect, mnemonic, traits>;

#endif
