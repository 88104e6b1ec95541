//===- NetLayerOps.td - Layers beyond the convolutional core -*- tablegen -*-===//
//
// Normalization, dropout, shape layers, polynomial features and the losses
// besides softmax cross-entropy and mse, with the gradient ops the
// reverse-mode pass emits for them. Included by NetOps.td.
//
// Layers whose behaviour differs between training and evaluation carry a
// `training` unit attribute: MLIRGen sets it (the loss function is the
// training computation) and the eval step's clone clears it.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_NET_LAYER_OPS
#define NETC_NET_LAYER_OPS

//===----------------------------------------------------------------------===//
// Batch normalization
//===----------------------------------------------------------------------===//

/// The per-channel statistics of a batchnorm: 1-D, one per channel.
defvar Net_BatchNormStats = ["gamma", "beta", "moving_mean", "moving_variance"];

def Net_BatchNormOp : Net_Op<"batchnorm",
    [Pure, AllTypesMatch<["input", "result"]>,
     AllTypesMatch<Net_BatchNormStats>,
     AllElementTypesMatch<["input", "gamma"]>]> {
  let summary = "gamma * (x - mean) / sqrt(var + epsilon) + beta per channel";
  let description = [{
    Channels are the last dimension. With `training`, mean and var are the
    batch statistics over every other dimension (biased variance, as Keras);
    without it, the moving statistics given as operands. epsilon > 0.
  }];
  let arguments = (ins Net_TensorOfMinRank<2>:$input, Net_VectorTensor:$gamma,
                       Net_VectorTensor:$beta, Net_VectorTensor:$moving_mean,
                       Net_VectorTensor:$moving_variance, F64Attr:$epsilon,
                       UnitAttr:$training);
  let results = (outs Net_TensorOfMinRank<2>:$result);
  let assemblyFormat = [{
    $input `,` $gamma `,` $beta `,` $moving_mean `,` $moving_variance attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Net_MovingMomentsOp : Net_Op<"moving_moments",
    [Pure, AllTypesMatch<["moving_mean", "moving_variance", "new_mean",
                          "new_variance"]>,
     AllElementTypesMatch<["input", "moving_mean"]>]> {
  let summary = "Keras' moving-statistics update of a training batchnorm";
  let description = [{
    moving * momentum + batch * (1 - momentum) for the batch mean and the
    biased batch variance of `input` over all but the last dimension.
    Results: the new moving mean, the new moving variance. momentum is in
    [0, 1].
  }];
  let arguments = (ins Net_TensorOfMinRank<2>:$input,
                       Net_VectorTensor:$moving_mean,
                       Net_VectorTensor:$moving_variance, F64Attr:$momentum);
  let results = (outs Net_VectorTensor:$new_mean,
                      Net_VectorTensor:$new_variance);
  let assemblyFormat = [{
    $input `,` $moving_mean `,` $moving_variance attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Net_BatchNormGradOp : Net_Op<"batchnorm_grad",
    [Pure, AllTypesMatch<["dy", "input", "dx"]>,
     AllTypesMatch<["gamma", "dgamma", "dbeta"]>,
     AllElementTypesMatch<["input", "gamma"]>]> {
  let summary = "Gradients of a training batchnorm: dx, dgamma, dbeta";
  let description = [{
    With xhat = (x - mean) * rstd over the M = N*H*W values of a channel:
    dbeta = sum dy, dgamma = sum dy * xhat,
    dx = gamma * rstd / M * (M * dy - dbeta - xhat * dgamma).
  }];
  let arguments = (ins Net_TensorOfMinRank<2>:$dy,
                       Net_TensorOfMinRank<2>:$input,
                       Net_VectorTensor:$gamma, F64Attr:$epsilon);
  let results = (outs Net_TensorOfMinRank<2>:$dx, Net_VectorTensor:$dgamma,
                      Net_VectorTensor:$dbeta);
  let assemblyFormat = [{
    $dy `,` $input `,` $gamma attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Net_SyncMomentsOp : Net_Op<"sync_moments",
    [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "A batchnorm statistic of this rank's shard, over all ranks";
  let description = [{
    Synchronized batchnorm (`--sync-batchnorm` under `--data-parallel`;
    docs/design.md, "Data-parallel steps"): `input` is a per-channel value
    that this rank computed from its shard of the global batch (a batch
    mean, a variance, a sum of dy); the result is sum_r w_r * input_r over
    the ranks r, each weighted by its shard's share of the global batch
    (w_r = shard size / global size, 0 for an empty shard), the same on
    every rank. The identity in a single process. The batchnorm lowering
    creates it; netc-lower-sync-moments lowers it to the runtime's
    netc_sync_moments through the workspace. Pure: every rank runs the same
    compiled step, so merging equal ones (CSE) drops the collective on
    every rank alike.
  }];
  let arguments = (ins Net_VectorTensor:$input);
  let results = (outs Net_VectorTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Dropout
//===----------------------------------------------------------------------===//

def Net_DropoutOp : Net_Op<"dropout", [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "Inverted dropout: x * keep / (1 - rate) in training";
  let description = [{
    keep = hash(seed, salt, element index) >= rate, where the hash is a
    counter-based integer mix of the per-step `seed` (an f32 holding an
    integer, hyper[2] of the ABI), the layer's `salt` and the row-major
    index of the element in the whole batch, mapped to [0, 1). The mask is a
    pure function of those, so the gradient is the same op applied to dy.
    Identity without `training`. rate is in [0, 1).
  }];
  let arguments = (ins Net_Tensor:$input, F32:$seed, F64Attr:$rate,
                       I64Attr:$salt, UnitAttr:$training);
  let results = (outs Net_Tensor:$result);
  let assemblyFormat = "$input `,` $seed attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Shape layers
//===----------------------------------------------------------------------===//

def Net_ZeroPadOp : Net_Op<"zeropad",
    [Pure, AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Zero padding of H and W (NHWC); pads = [top, bottom, left, right]";
  let arguments = (ins Net_4DTensor:$input, Net_Pads:$pads);
  let results = (outs Net_4DTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Net_CropOp : Net_Op<"crop",
    [Pure, AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Inverse of zeropad (its gradient): drops the padded border";
  let arguments = (ins Net_4DTensor:$input, Net_Pads:$pads);
  let results = (outs Net_4DTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Net_ConcatOp : Net_Op<"concat", [Pure]> {
  let summary = "Concatenation along `axis` (of the full tensor, batch = 0)";
  let description = [{
    `axis` is a non-batch dimension; the inputs agree with the result in
    every other dimension and their sizes along `axis` add up to the
    result's.
  }];
  let arguments = (ins Variadic<Net_TensorOfMinRank<2>>:$inputs, I64Attr:$axis);
  let results = (outs Net_TensorOfMinRank<2>:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Net_SliceOp : Net_Op<"slice",
    [Pure, AllElementTypesMatch<["input", "result"]>]> {
  let summary = "The part of `input` at `offset` along `axis` (concat's gradient)";
  let description = [{
    The size along `axis` is the result type's and must fit in the input
    from `offset` on; `axis` is a non-batch dimension.
  }];
  let arguments = (ins Net_TensorOfMinRank<2>:$input, I64Attr:$axis,
                       I64Attr:$offset);
  let results = (outs Net_TensorOfMinRank<2>:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Net_PolyFeaturesOp : Net_Op<"polyfeatures",
    [Pure, AllElementTypesMatch<["input", "result"]>]> {
  let summary = "[x] -> [(x^k - mean_k) / std_k for k = 1..degree]";
  let description = [{
    `mean` and `std` are the standardization constants chosen by the compiler
    (see docs/language.md); their length is the degree, the result's second
    dimension, and every std is positive. The input is [N, 1].
  }];
  let arguments = (ins Net_MatrixTensor:$input, DenseF64ArrayAttr:$mean,
                       DenseF64ArrayAttr:$std);
  let results = (outs Net_MatrixTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Losses and metrics
//===----------------------------------------------------------------------===//

/// An op on logits and 0/1 labels of the same type.
class Net_BinaryLabelsOp<string mnemonic, list<Trait> traits>
    : Net_Op<mnemonic, !listconcat([Pure, AllTypesMatch<["logits", "labels"]>],
                                   traits)> {
  let assemblyFormat = "$logits `,` $labels attr-dict `:` functional-type(operands, results)";
}

def Net_SigmoidCrossEntropyOp : Net_BinaryLabelsOp<"sigmoid_cross_entropy",
    [Net_ScalarOf<"logits", "loss">]> {
  let summary = "Binary cross-entropy of sigmoid(logits), stable, mean over all";
  let description = [{
    max(z, 0) - z * y + log(1 + exp(-|z|)), averaged over batch and outputs.
    With `label_smoothing` s in [0, 1], y is replaced by y (1 - s) + s / 2
    (Keras).
  }];
  let arguments = (ins Net_TensorOfMinRank<1>:$logits,
                       Net_TensorOfMinRank<1>:$labels,
                       OptionalAttr<F64Attr>:$label_smoothing);
  let results = (outs Net_ScalarTensor:$loss);
  let hasVerifier = 1;
}

def Net_SigmoidCrossEntropyGradOp
    : Net_BinaryLabelsOp<"sigmoid_cross_entropy_grad",
                         [AllTypesMatch<["logits", "result"]>]> {
  let summary = "(sigmoid(logits) - labels) / (N * outputs), labels smoothed";
  let arguments = (ins Net_TensorOfMinRank<1>:$logits,
                       Net_TensorOfMinRank<1>:$labels,
                       OptionalAttr<F64Attr>:$label_smoothing);
  let results = (outs Net_TensorOfMinRank<1>:$result);
  let hasVerifier = 1;
}

def Net_BinaryAccuracyCountOp : Net_BinaryLabelsOp<"binary_accuracy_count",
    [Net_ScalarOf<"logits", "count">]> {
  let summary = "Sum over rows of the fraction of outputs with (z > 0) == (y > 0.5)";
  let arguments = (ins Net_TensorOfMinRank<1>:$logits,
                       Net_TensorOfMinRank<1>:$labels);
  let results = (outs Net_ScalarTensor:$count);
}

def Net_ProbCrossEntropyOp : Net_ClassLabelsOp<"prob_cross_entropy", "probs",
    [Net_ScalarOf<"probs", "loss">]> {
  let summary = "Keras' categorical cross-entropy of probabilities";
  let description = [{
    For a network that does not end in softmax: p is renormalized to sum 1
    per row, clipped to [1e-7, 1 - 1e-7], and the loss is the batch mean of
    -log p[label]. Labels are [N, 1] class indices.
  }];
  let arguments = (ins Net_MatrixTensor:$probs, Net_MatrixTensor:$labels);
  let results = (outs Net_ScalarTensor:$loss);
  let assemblyFormat = "$probs `,` $labels attr-dict `:` functional-type(operands, results)";
}

def Net_ProbCrossEntropyGradOp
    : Net_ClassLabelsOp<"prob_cross_entropy_grad", "probs",
                        [AllTypesMatch<["probs", "result"]>]> {
  let summary = "d prob_cross_entropy / d probs";
  let description = [{
    (1 / s - [c == label] / p[label]) / N with s the row sum; zero where the
    clip is active.
  }];
  let arguments = (ins Net_MatrixTensor:$probs, Net_MatrixTensor:$labels);
  let results = (outs Net_MatrixTensor:$result);
  let assemblyFormat = "$probs `,` $labels attr-dict `:` functional-type(operands, results)";
}

def Net_MaeOp : Net_PairOp<"mae", [Net_ScalarOf<"pred", "loss">]> {
  let summary = "Mean over batch and features of |pred - target|";
  let arguments = (ins Net_TensorOfMinRank<1>:$pred,
                       Net_TensorOfMinRank<1>:$target);
  let results = (outs Net_ScalarTensor:$loss);
}

def Net_MaeGradOp : Net_PairOp<"mae_grad", [AllTypesMatch<["pred", "result"]>]> {
  let summary = "sign(pred - target) / (N * features)";
  let arguments = (ins Net_TensorOfMinRank<1>:$pred,
                       Net_TensorOfMinRank<1>:$target);
  let results = (outs Net_TensorOfMinRank<1>:$result);
}

def Net_AbsErrorSumOp : Net_PairOp<"abs_error_sum",
    [Net_ScalarOf<"pred", "sum">]> {
  let summary = "Sum over the batch of the per-row mean absolute error";
  let arguments = (ins Net_TensorOfMinRank<1>:$pred,
                       Net_TensorOfMinRank<1>:$target);
  let results = (outs Net_ScalarTensor:$sum);
}

#endif
