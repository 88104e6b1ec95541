//===- NetOps.td - net dialect operations ------------------*- tablegen -*-===//
#ifndef NETC_NET_OPS
#define NETC_NET_OPS

include "netc/Dialect/NetDialect.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributes.td"

//===----------------------------------------------------------------------===//
// Layers (forward)
//===----------------------------------------------------------------------===//

def Net_Conv2DOp : Net_Op<"conv2d", [Pure]> {
  let summary = "2-D convolution, NHWC input, HWIO kernel, no bias";
  let description = [{
    `pads` is [top, bottom, left, right]; TensorFlow's `same` is resolved by
    the frontend into explicit (possibly asymmetric) pads.
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$filter,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `,` $filter attr-dict `:` functional-type(operands, results)";
}

def Net_MatmulOp : Net_Op<"matmul", [Pure]> {
  let summary = "2-D matrix product with optional transposes";
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs,
                       DefaultValuedAttr<BoolAttr, "false">:$transpose_lhs,
                       DefaultValuedAttr<BoolAttr, "false">:$transpose_rhs);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Net_BiasAddOp : Net_Op<"bias_add", [Pure]> {
  let summary = "Adds a 1-D bias along the last dimension";
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$bias);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `,` $bias attr-dict `:` functional-type(operands, results)";
}

class Net_UnaryOp<string mnemonic, string doc> : Net_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = doc;
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}
def Net_ReluOp : Net_UnaryOp<"relu", "max(x, 0)">;
def Net_SigmoidOp : Net_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def Net_TanhOp : Net_UnaryOp<"tanh", "tanh(x)">;
def Net_SoftmaxOp : Net_UnaryOp<"softmax", "softmax over the last dimension">;

def Net_PoolOp : Net_Op<"pool", [Pure]> {
  let summary = "Max or average pooling, NHWC";
  let description = [{ `kind` is "max" or "avg" (average excludes padding). }];
  let arguments = (ins AnyRankedTensor:$input, StrAttr:$kind,
                       DenseI64ArrayAttr:$window, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$pads);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Net_ReshapeOp : Net_Op<"reshape", [Pure]> {
  let summary = "Row-major reshape keeping the batch dimension (flatten)";
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Net_AddOp : Net_Op<"add", [Pure, SameOperandsAndResultType]> {
  let summary = "Elementwise sum (residual add, gradient accumulation)";
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

include "netc/Dialect/NetLayerOps.td"

//===----------------------------------------------------------------------===//
// Losses, metrics, regularizers (scalar results are rank-0 tensors of the
// network's float type)
//===----------------------------------------------------------------------===//

def Net_SoftmaxCrossEntropyOp : Net_Op<"softmax_cross_entropy", [Pure]> {
  let summary = "Mean over the batch of -log softmax(logits)[label], stable";
  let description = [{
    Labels are [N, 1] class indices stored as f32. With `label_smoothing`
    s, the target is (1 - s) onehot + s / C (Keras' label smoothing).
  }];
  let arguments = (ins AnyRankedTensor:$logits, AnyRankedTensor:$labels,
                       OptionalAttr<F64Attr>:$label_smoothing);
  let results = (outs AnyRankedTensor:$loss);
  let assemblyFormat = "$logits `,` $labels attr-dict `:` functional-type(operands, results)";
}

def Net_MseOp : Net_Op<"mse", [Pure]> {
  let summary = "Mean over batch and features of (pred - target)^2";
  let arguments = (ins AnyRankedTensor:$pred, AnyRankedTensor:$target);
  let results = (outs AnyRankedTensor:$loss);
  let assemblyFormat = "$pred `,` $target attr-dict `:` functional-type(operands, results)";
}

def Net_AccuracyCountOp : Net_Op<"accuracy_count", [Pure]> {
  let summary = "Number of rows whose argmax equals the label (f32 scalar)";
  let arguments = (ins AnyRankedTensor:$scores, AnyRankedTensor:$labels);
  let results = (outs AnyRankedTensor:$count);
  let assemblyFormat = "$scores `,` $labels attr-dict `:` functional-type(operands, results)";
}

def Net_TopKCountOp : Net_Op<"top_k_count", [Pure]> {
  let summary = "Number of rows whose label scores among the k highest";
  let description = [{
    A row counts when fewer than k classes score strictly higher than its
    label's class (ties are in, as Keras' in_top_k). f32 scalar.
  }];
  let arguments = (ins AnyRankedTensor:$scores, AnyRankedTensor:$labels,
                       I64Attr:$k);
  let results = (outs AnyRankedTensor:$count);
  let assemblyFormat = "$scores `,` $labels attr-dict `:` functional-type(operands, results)";
}

def Net_SquaredErrorSumOp : Net_Op<"squared_error_sum", [Pure]> {
  let summary = "Sum over the batch of the per-row mean squared error";
  let arguments = (ins AnyRankedTensor:$pred, AnyRankedTensor:$target);
  let results = (outs AnyRankedTensor:$sum);
  let assemblyFormat = "$pred `,` $target attr-dict `:` functional-type(operands, results)";
}

def Net_RegularizerOp : Net_Op<"regularizer", [Pure]> {
  let summary = "l1 * sum|w| + l2 * sum w^2 (scalar)";
  let arguments = (ins AnyRankedTensor:$input, F64Attr:$l1, F64Attr:$l2);
  let results = (outs AnyRankedTensor:$loss);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Net_ScalarAddOp : Net_Op<"scalar_add", [Pure]> {
  let summary = "Sum of scalar tensors (loss terms)";
  let arguments = (ins Variadic<AnyRankedTensor>:$terms);
  let results = (outs AnyRankedTensor:$sum);
  let assemblyFormat = "$terms attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Gradients (introduced by the reverse-mode pass)
//===----------------------------------------------------------------------===//

def Net_Conv2DGradInputOp : Net_Op<"conv2d_grad_input", [Pure]> {
  let summary = "d(conv2d)/d(input) applied to dy; result type is the input's";
  let arguments = (ins AnyRankedTensor:$dy, AnyRankedTensor:$filter,
                       AnyRankedTensor:$input,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads);
  let description = [{ `input` is the forward input; only its shape is used. }];
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$dy `,` $filter `,` $input attr-dict `:` functional-type(operands, results)";
}

def Net_Conv2DGradFilterOp : Net_Op<"conv2d_grad_filter", [Pure]> {
  let summary = "d(conv2d)/d(filter) applied to dy; result type is the filter's";
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$dy,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `,` $dy attr-dict `:` functional-type(operands, results)";
}

def Net_BiasAddGradOp : Net_Op<"bias_add_grad", [Pure]> {
  let summary = "Sum of dy over every dimension but the last";
  let arguments = (ins AnyRankedTensor:$dy);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$dy attr-dict `:` functional-type(operands, results)";
}

def Net_ActivationGradOp : Net_Op<"activation_grad", [Pure]> {
  let summary = "dx of an activation from dy and the activation's output y";
  let description = [{ `kind`: relu (dy * (y > 0)), sigmoid (dy * y * (1 - y)),
    tanh (dy * (1 - y^2)), softmax (y * (dy - sum(dy * y)) over the last dim). }];
  let arguments = (ins AnyRankedTensor:$dy, AnyRankedTensor:$output, StrAttr:$kind);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$dy `,` $output attr-dict `:` functional-type(operands, results)";
}

def Net_PoolGradOp : Net_Op<"pool_grad", [Pure]> {
  let summary = "d(pool)/d(input) applied to dy";
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$dy, StrAttr:$kind,
                       DenseI64ArrayAttr:$window, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$pads);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `,` $dy attr-dict `:` functional-type(operands, results)";
}

def Net_SoftmaxCrossEntropyGradOp : Net_Op<"softmax_cross_entropy_grad", [Pure]> {
  let summary = "(softmax(logits) - target) / N, target as the forward op's";
  let arguments = (ins AnyRankedTensor:$logits, AnyRankedTensor:$labels,
                       OptionalAttr<F64Attr>:$label_smoothing);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$logits `,` $labels attr-dict `:` functional-type(operands, results)";
}

def Net_MseGradOp : Net_Op<"mse_grad", [Pure]> {
  let summary = "2 * (pred - target) / (N * features)";
  let arguments = (ins AnyRankedTensor:$pred, AnyRankedTensor:$target);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$pred `,` $target attr-dict `:` functional-type(operands, results)";
}

def Net_RegularizerGradOp : Net_Op<"regularizer_grad", [Pure]> {
  let summary = "g + l1 * sign(w) + 2 * l2 * w";
  let arguments = (ins AnyRankedTensor:$grad, AnyRankedTensor:$input, F64Attr:$l1, F64Attr:$l2);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$grad `,` $input attr-dict `:` functional-type(operands, results)";
}

def Net_ScaleOp : Net_Op<"scale", [Pure, SameOperandsAndResultType]> {
  let summary = "x * factor";
  let description = [{
    Only the test hook NETC_TEST_PERTURB_GRAD (Autodiff.cpp) emits it: it
    makes one gradient rule wrong by a known factor, so that a test can show
    that the gradient check catches a 1% error.
  }];
  let arguments = (ins AnyRankedTensor:$input, F64Attr:$factor);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

//===----------------------------------------------------------------------===//
// Optimizer update
//===----------------------------------------------------------------------===//

def Net_OptimizerUpdateOp : Net_Op<"optimizer_update", [Pure]> {
  let summary = "One optimizer step for one weight tensor";
  let description = [{
    `kind` names a Keras optimizer (sgd, adam, ...); `config` holds its
    hyper-parameters as F64 attributes with Keras' names (beta_1, momentum,
    ...). `slots` are the optimizer's per-weight state tensors (same shape as
    the weight; sgd with momentum: [velocity]; adam: [m, v]). `learning_rate`
    and `iteration` (1-based) are scalars of the weight's float type given at
    run time. Results: the updated weight, then the updated slots in order.
  }];
  let arguments = (ins AnyRankedTensor:$weight, AnyRankedTensor:$grad,
                       Variadic<AnyRankedTensor>:$slots,
                       AnyFloat:$learning_rate, AnyFloat:$iteration,
                       StrAttr:$kind, DictionaryAttr:$config);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    $weight `,` $grad `,` (`slots` `(` $slots^ `)` `,`)? $learning_rate `,` $iteration
    attr-dict `:` functional-type(operands, results)
  }];
}

#endif
