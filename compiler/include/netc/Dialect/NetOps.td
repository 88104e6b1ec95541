//===- NetOps.td - net dialect operations ------------------*- tablegen -*-===//
//
// Operand and result types say the rank where it is fixed (NHWC activations
// and HWIO filters are 4-D, dense operands 2-D, losses and metrics rank-0);
// every tensor holds f32, or f64 in the train step that `--gradcheck-f64`
// adds. Traits state which types must agree (and give builders that infer
// a result type from the operands); `hasVerifier` ops check the rest of
// their shapes and attributes in NetOps.cpp. Op trait lists stay open: the
// gradient rules attach to ops as external interface models.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_NET_OPS
#define NETC_NET_OPS

include "netc/Dialect/NetDialect.td"
include "netc/Dialect/NetEnums.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributes.td"

//===----------------------------------------------------------------------===//
// Constraints and op classes
//===----------------------------------------------------------------------===//

def Net_Float : AnyTypeOf<[F32, F64]>;
def Net_Tensor : RankedTensorOf<[F32, F64]>;
class Net_TensorOfRank<int rank> : TensorRankOf<[F32, F64], [rank]>;
class Net_TensorOfMinRank<int rank>
    : RankedTensorOf<[F32, F64], [HasRankGreaterOrEqualPred<rank>],
                     "ranked tensor of rank >= " # rank>;
def Net_ScalarTensor : Net_TensorOfRank<0>;
def Net_VectorTensor : Net_TensorOfRank<1>;
def Net_MatrixTensor : Net_TensorOfRank<2>;
def Net_4DTensor : Net_TensorOfRank<4>;

/// [stride_h, stride_w] and the pooling [window_h, window_w]: two positive
/// numbers.
def Net_Pair : ConfinedAttr<DenseI64ArrayAttr,
    [DenseArrayCount<2>, DenseArrayStrictlyPositive<DenseI64ArrayAttr>]>;
/// [top, bottom, left, right]: four non-negative numbers.
def Net_Pads : ConfinedAttr<DenseI64ArrayAttr,
    [DenseArrayCount<4>, DenseArrayNonNegative<DenseI64ArrayAttr>]>;

/// The rank-0 result of a loss or metric has the float type of `operand`.
class Net_ScalarOf<string operand, string result>
    : TypesMatchWith<result # " is a rank-0 tensor of the element type of "
                         # operand, operand, result,
                     "::mlir::RankedTensorType::get({}, "
                     "::mlir::getElementTypeOrSelf($_self))">;

/// An op on [N, C] class scores and [N, 1] class-index labels (stored as
/// floats); the verifier checks the labels' shape against the scores.
class Net_ClassLabelsOp<string mnemonic, string scores, list<Trait> traits = []>
    : Net_Op<mnemonic, !listconcat([Pure,
          AllElementTypesMatch<[scores, "labels"]>], traits)> {
  let hasVerifier = 1;
}

/// An op comparing a prediction with a target of the same type.
class Net_PairOp<string mnemonic, list<Trait> traits = []>
    : Net_Op<mnemonic, !listconcat([Pure, AllTypesMatch<["pred", "target"]>],
                                   traits)> {
  let assemblyFormat = "$pred `,` $target attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Layers (forward)
//===----------------------------------------------------------------------===//

def Net_Conv2DOp : Net_Op<"conv2d",
    [Pure, AllElementTypesMatch<["input", "filter", "result"]>]> {
  let summary = "2-D convolution, NHWC input, HWIO kernel, no bias";
  let description = [{
    `pads` is [top, bottom, left, right]; TensorFlow's `same` is resolved by
    the frontend into explicit (possibly asymmetric) pads. The verifier
    checks that the result is [N, (H + top + bottom - KH) / SH + 1, ..., O].
  }];
  let arguments = (ins Net_4DTensor:$input, Net_4DTensor:$filter,
                       Net_Pair:$strides, Net_Pads:$pads);
  let results = (outs Net_4DTensor:$result);
  let assemblyFormat = "$input `,` $filter attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Net_MatmulOp : Net_Op<"matmul",
    [Pure, AllElementTypesMatch<["lhs", "rhs", "result"]>]> {
  let summary = "Matrix product with optional transposes, rows folded";
  let description = [{
    Each operand is read as the row-major matrix [rows, cols]: cols is its
    last dimension, rows the product of the others (so a dense layer on
    [N, H, W, C] multiplies its N*H*W rows by the [C, units] kernel, as
    Keras' Dense does on the last axis). Without `transpose_lhs` the result
    keeps the lhs's leading dimensions and its last is the product's
    columns; the rhs is then 2-D. With `transpose_lhs` the rows are
    contracted (a dense kernel's gradient x^T dy): the result is 2-D, and a
    rhs of rank > 2 (only without `transpose_rhs`) has the lhs's leading
    dimensions.
  }];
  let arguments = (ins Net_TensorOfMinRank<2>:$lhs,
                       Net_TensorOfMinRank<2>:$rhs,
                       DefaultValuedAttr<BoolAttr, "false">:$transpose_lhs,
                       DefaultValuedAttr<BoolAttr, "false">:$transpose_rhs);
  let results = (outs Net_TensorOfMinRank<2>:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Net_BiasAddOp : Net_Op<"bias_add",
    [Pure, AllTypesMatch<["input", "result"]>,
     AllElementTypesMatch<["input", "bias"]>]> {
  let summary = "Adds a 1-D bias along the last dimension";
  let arguments = (ins Net_TensorOfMinRank<1>:$input,
                       Net_VectorTensor:$bias);
  let results = (outs Net_TensorOfMinRank<1>:$result);
  let assemblyFormat = "$input `,` $bias attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

class Net_UnaryOp<string mnemonic, string doc> : Net_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = doc;
  let arguments = (ins Net_Tensor:$input);
  let results = (outs Net_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}
def Net_ReluOp : Net_UnaryOp<"relu", "max(x, 0)">;
def Net_SigmoidOp : Net_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def Net_TanhOp : Net_UnaryOp<"tanh", "tanh(x)">;
def Net_SoftmaxOp : Net_UnaryOp<"softmax", "softmax over the last dimension">;

def Net_PoolOp : Net_Op<"pool",
    [Pure, AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Max or average pooling, NHWC";
  let description = [{
    `kind` is `max` or `avg` (average excludes padding). The window, strides
    and pads follow conv2d's rules; the channels are the input's.
  }];
  let arguments = (ins Net_4DTensor:$input, Net_PoolKindAttr:$kind,
                       Net_Pair:$window, Net_Pair:$strides, Net_Pads:$pads);
  let results = (outs Net_4DTensor:$result);
  let assemblyFormat = "`` $kind $input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Net_ReshapeOp : Net_Op<"reshape",
    [Pure, AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Row-major reshape keeping the batch dimension (flatten)";
  let description = [{
    Both types are [N, static...] with the same number of elements per
    sample.
  }];
  let arguments = (ins Net_TensorOfMinRank<2>:$input);
  let results = (outs Net_TensorOfMinRank<2>:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Net_AddOp : Net_Op<"add", [Pure, SameOperandsAndResultType]> {
  let summary = "Elementwise sum (residual add, gradient accumulation)";
  let arguments = (ins Net_Tensor:$lhs, Net_Tensor:$rhs);
  let results = (outs Net_Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

include "netc/Dialect/NetLayerOps.td"

//===----------------------------------------------------------------------===//
// Losses, metrics, regularizers (scalar results are rank-0 tensors of the
// network's float type)
//===----------------------------------------------------------------------===//

def Net_SoftmaxCrossEntropyOp : Net_ClassLabelsOp<"softmax_cross_entropy",
    "logits", [Net_ScalarOf<"logits", "loss">]> {
  let summary = "Mean over the batch of -log softmax(logits)[label], stable";
  let description = [{
    Labels are [N, 1] class indices stored as floats. With `label_smoothing`
    s in [0, 1], the target is (1 - s) onehot + s / C (Keras' label
    smoothing).
  }];
  let arguments = (ins Net_MatrixTensor:$logits, Net_MatrixTensor:$labels,
                       OptionalAttr<F64Attr>:$label_smoothing);
  let results = (outs Net_ScalarTensor:$loss);
  let assemblyFormat = "$logits `,` $labels attr-dict `:` functional-type(operands, results)";
}

def Net_MseOp : Net_PairOp<"mse", [Net_ScalarOf<"pred", "loss">]> {
  let summary = "Mean over batch and features of (pred - target)^2";
  let arguments = (ins Net_TensorOfMinRank<1>:$pred,
                       Net_TensorOfMinRank<1>:$target);
  let results = (outs Net_ScalarTensor:$loss);
}

def Net_AccuracyCountOp : Net_ClassLabelsOp<"accuracy_count", "scores",
    [Net_ScalarOf<"scores", "count">]> {
  let summary = "Number of rows whose argmax equals the label (f32 scalar)";
  let arguments = (ins Net_MatrixTensor:$scores, Net_MatrixTensor:$labels);
  let results = (outs Net_ScalarTensor:$count);
  let assemblyFormat = "$scores `,` $labels attr-dict `:` functional-type(operands, results)";
}

def Net_TopKCountOp : Net_ClassLabelsOp<"top_k_count", "scores",
    [Net_ScalarOf<"scores", "count">]> {
  let summary = "Number of rows whose label scores among the k highest";
  let description = [{
    A row counts when fewer than k classes score strictly higher than its
    label's class (ties are in, as Keras' in_top_k). k >= 1.
  }];
  let arguments = (ins Net_MatrixTensor:$scores, Net_MatrixTensor:$labels,
                       ConfinedAttr<I64Attr, [IntPositive]>:$k);
  let results = (outs Net_ScalarTensor:$count);
  let assemblyFormat = "$scores `,` $labels attr-dict `:` functional-type(operands, results)";
}

def Net_SquaredErrorSumOp : Net_PairOp<"squared_error_sum",
    [Net_ScalarOf<"pred", "sum">]> {
  let summary = "Sum over the batch of the per-row mean squared error";
  let arguments = (ins Net_TensorOfMinRank<1>:$pred,
                       Net_TensorOfMinRank<1>:$target);
  let results = (outs Net_ScalarTensor:$sum);
}

def Net_RegularizerOp : Net_Op<"regularizer",
    [Pure, Net_ScalarOf<"input", "loss">]> {
  let summary = "l1 * sum|w| + l2 * sum w^2 (scalar); l1, l2 >= 0";
  let description = [{
    With `batch_mean` (an activity regularizer, as Keras 3 computes it), the
    value is divided by the input's first (batch) dimension, read at run
    time: the final partial batch divides by its own size (0 for an empty
    batch, as `divide_no_nan`). The input then has rank >= 1.
  }];
  let arguments = (ins Net_Tensor:$input, F64Attr:$l1, F64Attr:$l2,
                       UnitAttr:$batch_mean);
  let results = (outs Net_ScalarTensor:$loss);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Net_ScalarAddOp : Net_Op<"scalar_add", [Pure]> {
  let summary = "Sum of scalar tensors (loss terms), all of the result's type";
  let arguments = (ins Variadic<Net_ScalarTensor>:$terms);
  let results = (outs Net_ScalarTensor:$sum);
  let assemblyFormat = "$terms attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Gradients (introduced by the reverse-mode pass)
//===----------------------------------------------------------------------===//

def Net_Conv2DGradInputOp : Net_Op<"conv2d_grad_input",
    [Pure, AllTypesMatch<["input", "result"]>,
     AllElementTypesMatch<["dy", "filter", "input"]>]> {
  let summary = "d(conv2d)/d(input) applied to dy; result type is the input's";
  let arguments = (ins Net_4DTensor:$dy, Net_4DTensor:$filter,
                       Net_4DTensor:$input,
                       Net_Pair:$strides, Net_Pads:$pads);
  let description = [{
    `input` is the forward input; only its shape is used. The shapes obey
    conv2d's rule with `dy` in the place of its result.
  }];
  let results = (outs Net_4DTensor:$result);
  let assemblyFormat = "$dy `,` $filter `,` $input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Net_Conv2DGradFilterOp : Net_Op<"conv2d_grad_filter",
    [Pure, AllElementTypesMatch<["input", "dy", "result"]>]> {
  let summary = "d(conv2d)/d(filter) applied to dy; result type is the filter's";
  let description = [{
    The result is the static [KH, KW, C, O] filter shape; the shapes obey
    conv2d's rule with `dy` in the place of its result.
  }];
  let arguments = (ins Net_4DTensor:$input, Net_4DTensor:$dy,
                       Net_Pair:$strides, Net_Pads:$pads);
  let results = (outs Net_4DTensor:$result);
  let assemblyFormat = "$input `,` $dy attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Net_BiasAddGradOp : Net_Op<"bias_add_grad",
    [Pure, AllElementTypesMatch<["dy", "result"]>]> {
  let summary = "Sum of dy over every dimension but the last";
  let arguments = (ins Net_TensorOfMinRank<1>:$dy);
  let results = (outs Net_VectorTensor:$result);
  let assemblyFormat = "$dy attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Net_ActivationGradOp : Net_Op<"activation_grad",
    [Pure, AllTypesMatch<["dy", "output", "result"]>]> {
  let summary = "dx of an activation from dy and the activation's output y";
  let description = [{ `kind`: relu (dy * (y > 0)), sigmoid (dy * y * (1 - y)),
    tanh (dy * (1 - y^2)), softmax (y * (dy - sum(dy * y)) over the last dim). }];
  let arguments = (ins Net_Tensor:$dy, Net_Tensor:$output,
                       Net_ActivationKindAttr:$kind);
  let results = (outs Net_Tensor:$result);
  let assemblyFormat = "`` $kind $dy `,` $output attr-dict `:` functional-type(operands, results)";
}

def Net_PoolGradOp : Net_Op<"pool_grad",
    [Pure, AllTypesMatch<["input", "result"]>,
     AllElementTypesMatch<["input", "dy"]>]> {
  let summary = "d(pool)/d(input) applied to dy";
  let description = [{
    The shapes obey pool's rule with `dy` in the place of its result.
  }];
  let arguments = (ins Net_4DTensor:$input, Net_4DTensor:$dy,
                       Net_PoolKindAttr:$kind, Net_Pair:$window,
                       Net_Pair:$strides, Net_Pads:$pads);
  let results = (outs Net_4DTensor:$result);
  let assemblyFormat = "`` $kind $input `,` $dy attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Net_SoftmaxCrossEntropyGradOp
    : Net_ClassLabelsOp<"softmax_cross_entropy_grad", "logits",
                        [AllTypesMatch<["logits", "result"]>]> {
  let summary = "(softmax(logits) - target) / N, target as the forward op's";
  let arguments = (ins Net_MatrixTensor:$logits, Net_MatrixTensor:$labels,
                       OptionalAttr<F64Attr>:$label_smoothing);
  let results = (outs Net_MatrixTensor:$result);
  let assemblyFormat = "$logits `,` $labels attr-dict `:` functional-type(operands, results)";
}

def Net_MseGradOp : Net_PairOp<"mse_grad", [AllTypesMatch<["pred", "result"]>]> {
  let summary = "2 * (pred - target) / (N * features)";
  let arguments = (ins Net_TensorOfMinRank<1>:$pred,
                       Net_TensorOfMinRank<1>:$target);
  let results = (outs Net_TensorOfMinRank<1>:$result);
}

def Net_RegularizerGradOp : Net_Op<"regularizer_grad",
    [Pure, AllTypesMatch<["grad", "input", "result"]>]> {
  let summary = "g + l1 * sign(w) + 2 * l2 * w; l1, l2 >= 0";
  let description = [{
    With `batch_mean`, the gradient of the batch-mean regularizer:
    g + (l1 * sign(w) + 2 * l2 * w) / N, N the input's first dimension.
  }];
  let arguments = (ins Net_Tensor:$grad, Net_Tensor:$input, F64Attr:$l1,
                       F64Attr:$l2, UnitAttr:$batch_mean);
  let results = (outs Net_Tensor:$result);
  let assemblyFormat = "$grad `,` $input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Net_ScaleOp : Net_Op<"scale", [Pure, SameOperandsAndResultType]> {
  let summary = "x * factor";
  let description = [{
    Only the test hook NETC_TEST_PERTURB_GRAD (Autodiff.cpp) emits it: it
    makes one gradient rule wrong by a known factor, so that a test can show
    that the gradient check catches a 1% error.
  }];
  let arguments = (ins Net_Tensor:$input, F64Attr:$factor);
  let results = (outs Net_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

//===----------------------------------------------------------------------===//
// Optimizer update
//===----------------------------------------------------------------------===//

def Net_OptimizerUpdateOp : Net_Op<"optimizer_update", [Pure]> {
  let summary = "One optimizer step for one weight tensor";
  let description = [{
    `kind` names a Keras optimizer; `config` holds its hyper-parameters as
    F64 attributes with Keras' names (beta_1, momentum, ...). `slots` are
    the optimizer's per-weight state tensors (of the weight's type; sgd with
    momentum: [velocity]; adam: [m, v]); their number follows from the kind
    and the config (`net::optimizerSlotCount`). `learning_rate` and
    `iteration` (1-based) are scalars of the weight's float type given at
    run time. Results: the updated weight, then the updated slots in order.
  }];
  let arguments = (ins Net_Tensor:$weight, Net_Tensor:$grad,
                       Variadic<Net_Tensor>:$slots,
                       Net_Float:$learning_rate, Net_Float:$iteration,
                       Net_OptimizerKindAttr:$kind, DictionaryAttr:$config);
  let results = (outs Variadic<Net_Tensor>:$results);
  let assemblyFormat = [{
    `` $kind $weight `,` $grad `,` (`slots` `(` $slots^ `)` `,`)? $learning_rate `,` $iteration
    attr-dict `:` functional-type(operands, results)
  }];
  let builders = [
    // Results: the weight's type, once per slot and once for the weight.
    OpBuilder<(ins "::mlir::Value":$weight, "::mlir::Value":$grad,
                   "::mlir::ValueRange":$slots, "::mlir::Value":$learningRate,
                   "::mlir::Value":$iteration, "OptimizerKind":$kind,
                   "::mlir::DictionaryAttr":$config)>
  ];
  let hasVerifier = 1;
}

#endif
