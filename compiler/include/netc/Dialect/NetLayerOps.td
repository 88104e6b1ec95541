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

def Net_BatchNormOp : Net_Op<"batchnorm", [Pure]> {
  let summary = "gamma * (x - mean) / sqrt(var + epsilon) + beta per channel";
  let description = [{
    Channels are the last dimension. With `training`, mean and var are the
    batch statistics over every other dimension (biased variance, as Keras);
    without it, the moving statistics given as operands.
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$gamma,
                       AnyRankedTensor:$beta, AnyRankedTensor:$moving_mean,
                       AnyRankedTensor:$moving_variance, F64Attr:$epsilon,
                       UnitAttr:$training);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input `,` $gamma `,` $beta `,` $moving_mean `,` $moving_variance attr-dict
    `:` functional-type(operands, results)
  }];
}

def Net_MovingMomentsOp : Net_Op<"moving_moments", [Pure]> {
  let summary = "Keras' moving-statistics update of a training batchnorm";
  let description = [{
    moving * momentum + batch * (1 - momentum) for the batch mean and the
    biased batch variance of `input` over all but the last dimension.
    Results: the new moving mean, the new moving variance.
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$moving_mean,
                       AnyRankedTensor:$moving_variance, F64Attr:$momentum);
  let results = (outs AnyRankedTensor:$new_mean,
                      AnyRankedTensor:$new_variance);
  let assemblyFormat = [{
    $input `,` $moving_mean `,` $moving_variance attr-dict `:`
    functional-type(operands, results)
  }];
}

def Net_BatchNormGradOp : Net_Op<"batchnorm_grad", [Pure]> {
  let summary = "Gradients of a training batchnorm: dx, dgamma, dbeta";
  let description = [{
    With xhat = (x - mean) * rstd over the M = N*H*W values of a channel:
    dbeta = sum dy, dgamma = sum dy * xhat,
    dx = gamma * rstd / M * (M * dy - dbeta - xhat * dgamma).
  }];
  let arguments = (ins AnyRankedTensor:$dy, AnyRankedTensor:$input,
                       AnyRankedTensor:$gamma, F64Attr:$epsilon);
  let results = (outs AnyRankedTensor:$dx, AnyRankedTensor:$dgamma,
                      AnyRankedTensor:$dbeta);
  let assemblyFormat = [{
    $dy `,` $input `,` $gamma attr-dict `:` functional-type(operands, results)
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
    Identity without `training`.
  }];
  let arguments = (ins AnyRankedTensor:$input, F32:$seed, F64Attr:$rate,
                       I64Attr:$salt, UnitAttr:$training);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `,` $seed attr-dict `:` type($input)";
}

//===----------------------------------------------------------------------===//
// Shape layers
//===----------------------------------------------------------------------===//

def Net_ZeroPadOp : Net_Op<"zeropad", [Pure]> {
  let summary = "Zero padding of H and W (NHWC); pads = [top, bottom, left, right]";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$pads);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Net_CropOp : Net_Op<"crop", [Pure]> {
  let summary = "Inverse of zeropad (its gradient): drops the padded border";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$pads);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Net_ConcatOp : Net_Op<"concat", [Pure]> {
  let summary = "Concatenation along `axis` (of the full tensor, batch = 0)";
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
}

def Net_SliceOp : Net_Op<"slice", [Pure]> {
  let summary = "The part of `input` at `offset` along `axis` (concat's gradient)";
  let description = [{ The size along `axis` is the result type's. }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis, I64Attr:$offset);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Net_PolyFeaturesOp : Net_Op<"polyfeatures", [Pure]> {
  let summary = "[x] -> [(x^k - mean_k) / std_k for k = 1..degree]";
  let description = [{
    `mean` and `std` are the standardization constants chosen by the compiler
    (see docs/language.md); their length is the degree.
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseF64ArrayAttr:$mean,
                       DenseF64ArrayAttr:$std);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Losses and metrics
//===----------------------------------------------------------------------===//

def Net_SigmoidCrossEntropyOp : Net_Op<"sigmoid_cross_entropy", [Pure]> {
  let summary = "Binary cross-entropy of sigmoid(logits), stable, mean over all";
  let description = [{
    max(z, 0) - z * y + log(1 + exp(-|z|)), averaged over batch and outputs.
    With `label_smoothing` s, y is replaced by y (1 - s) + s / 2 (Keras).
  }];
  let arguments = (ins AnyRankedTensor:$logits, AnyRankedTensor:$labels,
                       OptionalAttr<F64Attr>:$label_smoothing);
  let results = (outs AnyRankedTensor:$loss);
  let assemblyFormat = "$logits `,` $labels attr-dict `:` functional-type(operands, results)";
}

def Net_SigmoidCrossEntropyGradOp : Net_Op<"sigmoid_cross_entropy_grad", [Pure]> {
  let summary = "(sigmoid(logits) - labels) / (N * outputs), labels smoothed";
  let arguments = (ins AnyRankedTensor:$logits, AnyRankedTensor:$labels,
                       OptionalAttr<F64Attr>:$label_smoothing);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$logits `,` $labels attr-dict `:` functional-type(operands, results)";
}

def Net_BinaryAccuracyCountOp : Net_Op<"binary_accuracy_count", [Pure]> {
  let summary = "Sum over rows of the fraction of outputs with (z > 0) == (y > 0.5)";
  let arguments = (ins AnyRankedTensor:$logits, AnyRankedTensor:$labels);
  let results = (outs AnyRankedTensor:$count);
  let assemblyFormat = "$logits `,` $labels attr-dict `:` functional-type(operands, results)";
}

def Net_ProbCrossEntropyOp : Net_Op<"prob_cross_entropy", [Pure]> {
  let summary = "Keras' categorical cross-entropy of probabilities";
  let description = [{
    For a network that does not end in softmax: p is renormalized to sum 1
    per row, clipped to [1e-7, 1 - 1e-7], and the loss is the batch mean of
    -log p[label]. Labels are [N, 1] class indices.
  }];
  let arguments = (ins AnyRankedTensor:$probs, AnyRankedTensor:$labels);
  let results = (outs AnyRankedTensor:$loss);
  let assemblyFormat = "$probs `,` $labels attr-dict `:` functional-type(operands, results)";
}

def Net_ProbCrossEntropyGradOp : Net_Op<"prob_cross_entropy_grad", [Pure]> {
  let summary = "d prob_cross_entropy / d probs";
  let description = [{
    (1 / s - [c == label] / p[label]) / N with s the row sum; zero where the
    clip is active.
  }];
  let arguments = (ins AnyRankedTensor:$probs, AnyRankedTensor:$labels);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$probs `,` $labels attr-dict `:` functional-type(operands, results)";
}

def Net_MaeOp : Net_Op<"mae", [Pure]> {
  let summary = "Mean over batch and features of |pred - target|";
  let arguments = (ins AnyRankedTensor:$pred, AnyRankedTensor:$target);
  let results = (outs AnyRankedTensor:$loss);
  let assemblyFormat = "$pred `,` $target attr-dict `:` functional-type(operands, results)";
}

def Net_MaeGradOp : Net_Op<"mae_grad", [Pure]> {
  let summary = "sign(pred - target) / (N * features)";
  let arguments = (ins AnyRankedTensor:$pred, AnyRankedTensor:$target);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$pred `,` $target attr-dict `:` functional-type(operands, results)";
}

def Net_AbsErrorSumOp : Net_Op<"abs_error_sum", [Pure]> {
  let summary = "Sum over the batch of the per-row mean absolute error";
  let arguments = (ins AnyRankedTensor:$pred, AnyRankedTensor:$target);
  let results = (outs AnyRankedTensor:$sum);
  let assemblyFormat = "$pred `,` $target attr-dict `:` functional-type(operands, results)";
}

#endif
