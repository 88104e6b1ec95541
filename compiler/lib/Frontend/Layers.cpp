//===- Layers.cpp - Layer arguments, shape inference and parameters -------===//
//
// Keras semantics: channels-last tensors, TensorFlow's 'same' padding
// (out = ceil(in / stride), the odd pixel of padding on the bottom/right),
// Keras parameter layouts (conv kernels HWIO, dense kernels (in, out)) and
// Keras' fan computation for the variance-scaling initializers.
//
//===----------------------------------------------------------------------===//

#include "Networks.h"

#include "netc/Frontend/Limits.h"

#include <algorithm>

namespace netc {

/// Keras `_compute_fans`.
static void computeFans(const std::vector<int64_t> &shape, int64_t &fanIn,
                        int64_t &fanOut) {
  if (shape.size() == 1) {
    fanIn = fanOut = shape[0];
  } else if (shape.size() == 2) {
    fanIn = shape[0];
    fanOut = shape[1];
  } else {
    int64_t receptive = 1;
    for (size_t i = 0; i + 2 < shape.size(); ++i)
      receptive *= shape[i];
    fanIn = shape[shape.size() - 2] * receptive;
    fanOut = shape.back() * receptive;
  }
}

void Networks::addParam(Network &net, Layer &layer, int layerIndex,
                        const std::string &suffix, std::vector<int64_t> shape,
                        const InitSpec &init, const RegSpec &reg,
                        bool trainable) {
  Param p;
  p.name = layer.name + "/" + suffix;
  p.shape = std::move(shape);
  p.init = init;
  p.reg = reg;
  p.trainable = trainable;
  p.layer = layerIndex;
  computeFans(p.shape, p.fanIn, p.fanOut);
  layer.params.push_back((int)net.params.size());
  net.params.push_back(p);
}

static InitSpec named(const std::string &n) {
  InitSpec s;
  s.name = n;
  return s;
}

bool Networks::roomForLayer(Builder &b, SourceLoc loc) {
  if (!ctx.spend(limits::kLayerWork, loc))
    return false;
  if ((int64_t)b.net.layers.size() >= limits::kLayersPerNetwork) {
    ctx.fatal(loc, "network '" + b.net.name + "' has more than " +
                       std::to_string(limits::kLayersPerNetwork) + " layers");
    return false;
  }
  if (layersMade >= limits::kLayersPerFile) {
    ctx.fatal(loc, "the networks of this file have more than " +
                       std::to_string(limits::kLayersPerFile) +
                       " layers in all (each distinct set of arguments makes "
                       "another instance)");
    return false;
  }
  ++layersMade;
  return true;
}

int Networks::inputLayer(const Value &shape, SourceLoc loc, Builder &b) {
  if (shape.kind == Value::Error)
    return BadTensor;
  bool ok = shape.kind == Value::List && !shape.list.empty();
  for (const Value &d : shape.list)
    ok = ok && d.kind == Value::Int;
  if (!ok) {
    diags.error(loc, "'input' needs a shape like [32, 32, 3], got " +
                         describe(shape));
    return BadTensor;
  }
  Layer l;
  l.kind = l.name = "input";
  l.loc = loc;
  for (const Value &d : shape.list) {
    if (d.i <= 0) {
      diags.error(d.loc, "input dimension must be positive, got " +
                             std::to_string(d.i));
      return BadTensor;
    }
    l.outShape.push_back(d.i);
  }
  if (!ctx.checkElements(l.outShape, loc, "input") || !roomForLayer(b, loc))
    return BadTensor;
  b.counts["input"]++;
  b.net.layers.push_back(l);
  return (int)b.net.layers.size() - 1;
}

/// The value of parameter `p` when a call leaves it out; None for a pool's
/// stride, which defaults to the pool size.
static Value defaultValue(const ArgSpec &p, SourceLoc loc) {
  Value v;
  v.loc = loc;
  switch (p.type) {
  case ArgSpec::Number:
    v.kind = Value::Float;
    v.f = p.num;
    break;
  case ArgSpec::Int:
  case ArgSpec::PosInt:
    v.kind = Value::Int;
    v.i = (int64_t)p.num;
    break;
  case ArgSpec::Bool:
    v.kind = Value::Bool;
    v.i = p.num != 0;
    break;
  case ArgSpec::IntPair: {
    if (p.num == 0)
      return v; // pool stride: defaults to the pool size
    Value d;
    d.kind = Value::Int;
    d.i = (int64_t)p.num;
    v.kind = Value::List;
    v.list = {d, d};
    break;
  }
  default:
    v.kind = Value::Sym;
    v.s = p.str;
    break;
  }
  return v;
}

/// Evaluates a layer's arguments and binds them to `specs`, with the body's
/// `defaults` for `kind` filling what the call leaves out.
BoundArgs Networks::bindLayer(const std::string &kind,
                              const std::vector<ArgSpec> &specs,
                              const std::vector<const ast::Arg *> &args,
                              SourceLoc loc, Builder &b, Scope &scope) {
  std::vector<Value> pos;
  Keywords kws;
  for (const ast::Arg *a : args)
    ev.evalArg(*a, scope, nullptr, pos, kws);
  auto defs = b.defaults.find(kind);
  if (defs != b.defaults.end()) {
    for (auto &kv : defs->second) {
      bool given = false;
      for (size_t i = 0; i < pos.size() && i < specs.size(); ++i)
        given |= specs[i].name == kv.first;
      for (auto &k : kws)
        given |= k.first == kv.first;
      if (!given)
        kws.push_back(kv);
    }
  }
  return ev.bind(kind, specs, pos, kws, loc);
}

int Networks::addLayer(const std::string &kind,
                       const std::vector<const ast::Arg *> &args, SourceLoc loc,
                       Builder &b, Scope &scope,
                       const std::vector<int> &inputs) {
  const LayerSpec *spec = findLayer(kind);
  // The input tensors of add/concat are not bound; other kinds bind all.
  bool tensors = kind == "add" || kind == "concat";
  std::vector<ArgSpec> options;
  for (const ArgSpec &p : spec->params)
    if (tensors && p.type != ArgSpec::Tensors)
      options.push_back(p);
  const std::vector<ArgSpec> &specs = tensors ? options : spec->params;
  BoundArgs bound = bindLayer(kind, specs, args, loc, b, scope);
  for (int in : inputs)
    if (in < 0)
      return BadTensor;
  if (!bound.ok)
    return BadTensor;
  if (tensors && inputs.size() < 2) {
    diags.error(loc, "'" + kind + "' needs at least two tensors");
    return BadTensor;
  }
  Layer l;
  l.kind = kind;
  l.loc = loc;
  l.inputs = inputs;
  int n = b.counts[kind]++;
  l.name = n ? kind + "_" + std::to_string(n) : kind;
  // Fill in the spec's defaults so inference reads every argument.
  for (const ArgSpec &p : specs) {
    if (bound.values.count(p.name))
      continue;
    Value v = defaultValue(p, loc);
    if (v.kind != Value::None)
      bound.values[p.name] = v;
  }
  return inferLayer(l, bound.values, b);
}

namespace {
/// One spatial dimension of a conv/pool window.
struct Window {
  int64_t out = 0, lo = 0, hi = 0;
  bool fits = true;
};
} // namespace

static Window window(int64_t in, int64_t k, int64_t s, bool same) {
  Window w;
  if (same) {
    w.out = (in + s - 1) / s;
    int64_t total = std::max<int64_t>((w.out - 1) * s + k - in, 0);
    w.lo = total / 2;
    w.hi = total - w.lo;
  } else {
    w.fits = k <= in;
    w.out = w.fits ? (in - k) / s + 1 : 0;
  }
  return w;
}

static void pair(Networks::Args &v, const char *name, int64_t out[2]) {
  out[0] = v[name].list[0].i;
  out[1] = v[name].list[1].i;
}

/// Sets the output size and pads of a conv or pool window from `in`
/// ([height, width, ...]); false when a valid window does not fit.
static bool slide(Layer &l, const std::vector<int64_t> &in, int64_t channels) {
  bool same = l.padding == "same";
  Window h = window(in[0], l.kernel[0], l.strides[0], same);
  Window w = window(in[1], l.kernel[1], l.strides[1], same);
  if (!h.fits || !w.fits)
    return false;
  l.pads[0] = h.lo, l.pads[1] = h.hi, l.pads[2] = w.lo, l.pads[3] = w.hi;
  l.outShape = {h.out, w.out, channels};
  return true;
}

bool Networks::fail(const Layer &l, const std::string &msg) {
  diags.error(l.loc, msg);
  return false;
}

/// Sizes beyond the tensor limit cannot make a valid layer, and bounding
/// them keeps the shape arithmetic of the rules within 64 bits.
bool Networks::argsInRange(const Layer &l, const Args &v) {
  auto big = [](const Value &x) {
    return x.kind == Value::Int &&
           (x.i > limits::kTensorElements || x.i < -limits::kTensorElements);
  };
  for (auto &kv : v) {
    bool tooBig = big(kv.second);
    for (const Value &x : kv.second.list)
      tooBig |= big(x);
    if (tooBig)
      return fail(l, "argument '" + kv.first + "' of '" + l.kind +
                         "' is too large (the limit is 2^40 = " +
                         std::to_string(limits::kTensorElements) + ")");
  }
  return true;
}

Networks::ShapeRule Networks::shapeRule(const std::string &kind) {
  static const std::map<std::string, ShapeRule> rules = {
      {"conv2d", &Networks::inferConv},
      {"dense", &Networks::inferDense},
      {"batchnorm", &Networks::inferBatchnorm},
      {"dropout", &Networks::inferDropout},
      {"maxpool", &Networks::inferPool},
      {"avgpool", &Networks::inferPool},
      {"globalavgpool", &Networks::inferGlobalPool},
      {"flatten", &Networks::inferFlatten},
      {"zeropad", &Networks::inferZeropad},
      {"add", &Networks::inferAdd},
      {"concat", &Networks::inferConcat},
      {"polyfeatures", &Networks::inferPolyfeatures}};
  auto it = rules.find(kind);
  // relu, sigmoid, tanh, softmax, linear
  return it == rules.end() ? &Networks::inferActivation : it->second;
}

int Networks::inferLayer(Layer &l, Args &v, Builder &b) {
  std::vector<int64_t> in = b.net.layers[l.inputs[0]].outShape;
  int index = (int)b.net.layers.size();
  if (!argsInRange(l, v) || !roomForLayer(b, l.loc))
    return BadTensor;
  if (!(this->*shapeRule(l.kind))(l, v, in, b))
    return BadTensor;
  if (!ctx.checkElements(l.outShape, l.loc,
                         "the output of layer '" + l.name + "'") ||
      !ctx.spend(limits::kLayerWork * (int64_t)l.params.size(), l.loc))
    return BadTensor;
  b.net.layers.push_back(l);
  return index;
}

/// The activation, initializers and regularizers of conv2d and dense.
void Networks::weights(Layer &l, Args &v) {
  l.activation = v["activation"].s;
  l.useBias = v["use_bias"].i != 0;
  l.kernelInit = *ev.toInit(v["kernel_init"], l.kind);
  l.biasInit = *ev.toInit(v["bias_init"], l.kind);
  l.kernelReg = *ev.toReg(v["kernel_reg"], l.kind);
  l.biasReg = *ev.toReg(v["bias_reg"], l.kind);
  l.activityReg = *ev.toReg(v["activity_reg"], l.kind);
}

bool Networks::inferConv(Layer &l, Args &v, const Shape &in, Builder &b) {
  if (in.size() != 3)
    return fail(l, "conv2d expects a [height, width, channels] input, got " +
                       shapeText(in));
  l.units = v["filters"].i;
  pair(v, "kernel", l.kernel);
  pair(v, "stride", l.strides);
  l.padding = v["padding"].s;
  weights(l, v);
  if (!slide(l, in, l.units))
    return fail(l, "conv2d kernel " + std::to_string(l.kernel[0]) + "x" +
                       std::to_string(l.kernel[1]) +
                       " is larger than its input " + shapeText(in) +
                       " (padding: valid)");
  std::vector<int64_t> kernel = {l.kernel[0], l.kernel[1], in[2], l.units};
  if (!ctx.checkElements(kernel, l.loc, "the kernel of layer '" + l.name + "'"))
    return false;
  int index = (int)b.net.layers.size();
  addParam(b.net, l, index, "kernel", kernel, l.kernelInit, l.kernelReg, true);
  if (l.useBias)
    addParam(b.net, l, index, "bias", {l.units}, l.biasInit, l.biasReg, true);
  return true;
}

/// Keras' Dense: on an input of any rank it maps the last axis, the same
/// kernel [last, units] applied at every position of the others.
bool Networks::inferDense(Layer &l, Args &v, const Shape &in, Builder &b) {
  l.units = v["units"].i;
  weights(l, v);
  l.outShape = in;
  l.outShape.back() = l.units;
  int64_t last = in.back();
  if (!ctx.checkElements({last, l.units}, l.loc,
                         "the kernel of layer '" + l.name + "'"))
    return false;
  int index = (int)b.net.layers.size();
  addParam(b.net, l, index, "kernel", {last, l.units}, l.kernelInit,
           l.kernelReg, true);
  if (l.useBias)
    addParam(b.net, l, index, "bias", {l.units}, l.biasInit, l.biasReg, true);
  return true;
}

bool Networks::inferBatchnorm(Layer &l, Args &v, const Shape &in, Builder &b) {
  l.momentum = v["momentum"].num();
  l.epsilon = v["epsilon"].num();
  if (l.momentum < 0 || l.momentum > 1)
    return fail(l, "batchnorm momentum must be in [0, 1], got " +
                       numberText(l.momentum));
  if (l.epsilon <= 0)
    return fail(l, "batchnorm epsilon must be positive, got " +
                       numberText(l.epsilon));
  l.outShape = in;
  int64_t c = in.back();
  int index = (int)b.net.layers.size();
  RegSpec none;
  addParam(b.net, l, index, "gamma", {c}, named("ones"), none, true);
  addParam(b.net, l, index, "beta", {c}, named("zeros"), none, true);
  addParam(b.net, l, index, "moving_mean", {c}, named("zeros"), none, false);
  addParam(b.net, l, index, "moving_variance", {c}, named("ones"), none, false);
  return true;
}

bool Networks::inferDropout(Layer &l, Args &v, const Shape &in, Builder &) {
  l.rate = v["rate"].num();
  if (l.rate < 0 || l.rate >= 1)
    return fail(l, "dropout rate must be in [0, 1), got " + numberText(l.rate));
  l.outShape = in;
  return true;
}

bool Networks::inferPool(Layer &l, Args &v, const Shape &in, Builder &) {
  if (in.size() != 3)
    return fail(l, l.kind + " expects a [height, width, channels] input, got " +
                       shapeText(in));
  pair(v, "pool", l.kernel);
  if (v.count("stride"))
    pair(v, "stride", l.strides);
  else
    l.strides[0] = l.kernel[0], l.strides[1] = l.kernel[1];
  l.padding = v["padding"].s;
  if (!slide(l, in, in[2]))
    return fail(l, l.kind + " window " + std::to_string(l.kernel[0]) + "x" +
                       std::to_string(l.kernel[1]) +
                       " is larger than its input " + shapeText(in) +
                       " (padding: valid)");
  return true;
}

bool Networks::inferGlobalPool(Layer &l, Args &, const Shape &in, Builder &) {
  if (in.size() != 3)
    return fail(l, "globalavgpool expects a [height, width, channels] input, "
                   "got " +
                       shapeText(in));
  l.outShape = {in[2]};
  return true;
}

bool Networks::inferFlatten(Layer &l, Args &, const Shape &in, Builder &) {
  int64_t n = 1;
  for (int64_t d : in)
    n *= d;
  l.outShape = {n};
  return true;
}

bool Networks::inferZeropad(Layer &l, Args &v, const Shape &in, Builder &) {
  if (in.size() != 3)
    return fail(l, "zeropad expects a [height, width, channels] input, got " +
                       shapeText(in));
  int64_t p[2];
  pair(v, "padding", p);
  l.pads[0] = l.pads[1] = p[0];
  l.pads[2] = l.pads[3] = p[1];
  l.outShape = {in[0] + 2 * p[0], in[1] + 2 * p[1], in[2]};
  return true;
}

bool Networks::inferAdd(Layer &l, Args &, const Shape &in, Builder &b) {
  for (size_t i = 1; i < l.inputs.size(); ++i) {
    const auto &other = b.net.layers[l.inputs[i]].outShape;
    if (other != in)
      return fail(l, "add of " + shapeText(in) + " and " + shapeText(other) +
                         ": shapes must be equal");
  }
  l.outShape = in;
  return true;
}

bool Networks::inferConcat(Layer &l, Args &v, const Shape &in, Builder &b) {
  int64_t rank = (int64_t)in.size();
  int64_t axis = v["axis"].i;
  // Keras counts the batch dimension: axis 3 of [N, H, W, C] is C.
  int64_t full = axis < 0 ? axis + rank + 1 : axis;
  if (full < 1 || full > rank)
    return fail(l, "concat axis " + std::to_string(axis) +
                       " is out of range for inputs of shape " + shapeText(in));
  l.axis = full;
  l.outShape = in;
  for (size_t i = 1; i < l.inputs.size(); ++i) {
    const auto &other = b.net.layers[l.inputs[i]].outShape;
    bool ok = other.size() == in.size();
    for (size_t d = 0; ok && d < in.size(); ++d)
      ok = (int64_t)d == full - 1 || other[d] == in[d];
    if (!ok)
      return fail(l, "concat of " + shapeText(in) + " and " + shapeText(other) +
                         " along axis " + std::to_string(axis) +
                         ": the other dimensions must be equal");
    l.outShape[full - 1] += other[full - 1];
  }
  return true;
}

bool Networks::inferPolyfeatures(Layer &l, Args &v, const Shape &in,
                                 Builder &) {
  if (in != std::vector<int64_t>{1})
    return fail(l, "polyfeatures expects a [1] input, got " + shapeText(in));
  l.units = v["degree"].i;
  l.outShape = {l.units};
  return true;
}

bool Networks::inferActivation(Layer &l, Args &, const Shape &in, Builder &) {
  l.activation = l.kind;
  l.outShape = in;
  return true;
}

} // namespace netc
