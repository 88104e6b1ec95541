//===- NetInterfaces.td - Gradient interfaces of net ops ---*- tablegen -*-===//
//
// How the reverse-mode pass (netc-autodiff) asks an op for its gradient.
// The ops do not list these interfaces: the rules are external models,
// attached by netc::registerGradientRules (compiler/lib/Transforms/Autodiff/,
// one file per op family), so that a rule lives beside its siblings and the
// pass has no list of ops. An op on the differentiated path without a model
// is a compile error at the op.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_NET_INTERFACES
#define NETC_NET_INTERFACES

include "mlir/IR/OpBase.td"

def Net_DifferentiableOpInterface : OpInterface<"DifferentiableOpInterface"> {
  let description = [{
    An op of the forward computation that the reverse sweep can go through.
    Its rule receives the adjoint of every result (null for a result through
    which nothing reaches the loss; at least one is not null) and adds the
    adjoints of the operands it varies with through the AdjointBuilder, whose
    OpBuilder is placed where the gradient ops go.
  }];
  let cppNamespace = "::netc::net";
  let methods = [
    InterfaceMethod<[{
        Emits the adjoints of this op's operands given `resultAdjoints`, one
        per result (null where none flows back), adding them with
        `adjoints.addAdjoint`. Fails, with a diagnostic at the op, when the
        op cannot be differentiated in its present form.
      }],
      "::llvm::LogicalResult", "emitAdjoints",
      (ins "::netc::AdjointBuilder &":$adjoints,
           "::llvm::ArrayRef<::mlir::Value>":$resultAdjoints)>,
  ];
}

def Net_LossTermOpInterface : OpInterface<"LossTermOpInterface"> {
  let description = [{
    A term of the loss sum (`net.scalar_add`): a data loss or a regularizer.
    d(loss)/d(term) is 1, so the term seeds the adjoints of its operands
    directly rather than receiving an adjoint.
  }];
  let cppNamespace = "::netc::net";
  let methods = [
    InterfaceMethod<[{
        Adds d(term)/d(operand) to the adjoints of the operands the term
        varies with (`adjoints.addAdjoint`, or `adjoints.addDeferred` for a
        term that is folded into the operand's complete adjoint).
      }],
      "::llvm::LogicalResult", "seedAdjoints",
      (ins "::netc::AdjointBuilder &":$adjoints)>,
  ];
}

#endif
