//===- Specs.cpp - The vocabulary: layers, initializers, optimizers, ... --===//
//
// Tables of what each name accepts, with Keras' defaults, and the
// conversions from compile-time values to the Program's InitSpec, RegSpec and
// Call. Keeping the vocabulary in tables gives argument checking, "did you
// mean" suggestions and default filling one implementation.
//
//===----------------------------------------------------------------------===//

#include "Evaluator.h"

#include "netc/OptimizerTable.h"

#include <cmath>
#include <unordered_map>

namespace netc {

using P = ArgSpec;

static P req(const std::string &n, P::Type t) {
  return {n, t, true, 0, "", {}};
}
static P num(const std::string &n, double d) {
  return {n, P::Number, false, d, "", {}};
}
static P opt(const std::string &n, P::Type t) {
  return {n, t, false, 0, "", {}};
}
static P flag(const std::string &n, bool b) {
  return {n, P::Bool, false, (double)b, "", {}};
}
static P sym(const std::string &n, const std::string &d,
             std::vector<std::string> choices) {
  return {n, P::Symbol, false, 0, d, std::move(choices)};
}
/// A number without a default: absent unless given.
static P optNum(const std::string &n) {
  return {n, P::Number, false, std::nan(""), "", {}};
}
static P pint(const std::string &n, double d) {
  return {n, P::PosInt, false, d, "", {}};
}

/// The kernel/bias arguments shared by conv2d and dense.
static std::vector<P> weightArgs() {
  return {{"activation", P::Activation, false, 0, "linear", {}},
          flag("use_bias", true),
          {"kernel_init", P::Init, false, 0, "glorot_uniform", {}},
          {"bias_init", P::Init, false, 0, "zeros", {}},
          {"kernel_reg", P::Reg, false, 0, "none", {}},
          {"bias_reg", P::Reg, false, 0, "none", {}},
          {"activity_reg", P::Reg, false, 0, "none", {}}};
}

const std::vector<LayerSpec> &layerSpecs() {
  static const std::vector<LayerSpec> specs = [] {
    std::vector<LayerSpec> s;
    std::vector<P> conv = {req("filters", P::PosInt),
                           req("kernel", P::IntPair),
                           {"stride", P::IntPair, false, 1, "", {}},
                           {"padding", P::Padding, false, 0, "valid", {}}};
    for (auto &p : weightArgs())
      conv.push_back(p);
    s.push_back({"conv2d", "Conv2D", conv});
    std::vector<P> dense = {req("units", P::PosInt)};
    for (auto &p : weightArgs())
      dense.push_back(p);
    s.push_back({"dense", "Dense", dense});
    s.push_back({"batchnorm",
                 "BatchNormalization",
                 {num("momentum", 0.99), num("epsilon", 1e-3)}});
    s.push_back({"dropout", "Dropout", {req("rate", P::Number)}});
    std::vector<P> pool = {{"pool", P::IntPair, false, 2, "", {}},
                           opt("stride", P::IntPair),
                           {"padding", P::Padding, false, 0, "valid", {}}};
    s.push_back({"maxpool", "MaxPooling2D", pool});
    s.push_back({"avgpool", "AveragePooling2D", pool});
    s.push_back({"globalavgpool", "GlobalAveragePooling2D", {}});
    s.push_back({"flatten", "Flatten", {}});
    s.push_back({"zeropad",
                 "ZeroPadding2D",
                 {{"padding", P::IntPair, false, 1, "", {}}}});
    s.push_back({"add", "Add", {req("inputs", P::Tensors)}});
    s.push_back(
        {"concat",
         "Concatenate",
         {req("inputs", P::Tensors), {"axis", P::Int, false, -1, "", {}}}});
    s.push_back({"polyfeatures", "PolyFeatures", {req("degree", P::PosInt)}});
    for (const char *a : {"relu", "sigmoid", "tanh", "softmax", "linear"})
      s.push_back({a, "Activation", {}});
    s.push_back({"input", "InputLayer", {}});
    return s;
  }();
  return specs;
}

const LayerSpec *findLayer(const std::string &kind) {
  static const std::unordered_map<std::string, const LayerSpec *> index = [] {
    std::unordered_map<std::string, const LayerSpec *> m;
    for (const LayerSpec &s : layerSpecs())
      m[s.kind] = &s;
    return m;
  }();
  auto it = index.find(kind);
  return it == index.end() ? nullptr : it->second;
}

std::vector<std::string> layerKinds() {
  std::vector<std::string> out;
  for (const LayerSpec &s : layerSpecs())
    out.push_back(s.kind);
  return out;
}

/// Keras' initializers; every one takes a `seed`.
static void initializerSpecs(std::vector<FuncSpec> &s) {
  P seed = opt("seed", P::Int);
  auto init = [&](const std::string &n, std::vector<P> ps) {
    ps.push_back(seed);
    s.push_back({n, "initializer", ps, true});
  };
  init("zeros", {});
  init("ones", {});
  init("constant", {num("value", 0)});
  init("random_normal", {num("mean", 0), num("stddev", 0.05)});
  init("random_uniform", {num("minval", -0.05), num("maxval", 0.05)});
  init("truncated_normal", {num("mean", 0), num("stddev", 0.05)});
  for (const char *n : {"glorot_normal", "glorot_uniform", "he_normal",
                        "he_uniform", "lecun_normal", "lecun_uniform"})
    init(n, {});
  init("orthogonal", {num("gain", 1)});
  init("variance_scaling",
       {num("scale", 1),
        sym("mode", "fan_in", {"fan_in", "fan_out", "fan_avg"}),
        sym("distribution", "truncated_normal",
            {"truncated_normal", "untruncated_normal", "normal", "uniform"})});
}

static void regularizerSpecs(std::vector<FuncSpec> &s) {
  s.push_back({"none", "regularizer", {}, true});
  s.push_back({"l1", "regularizer", {num("l1", 0.01)}, true});
  s.push_back({"l2", "regularizer", {num("l2", 0.01)}, true});
  s.push_back(
      {"l1_l2", "regularizer", {num("l1", 0.01), num("l2", 0.01)}, true});
}

/// Learning-rate schedules, counted in optimizer steps from 0 (Keras'
/// LearningRateSchedule classes; `step` is PyTorch's StepLR).
static void scheduleSpecs(std::vector<FuncSpec> &s) {
  s.push_back(
      {"exponential_decay",
       "schedule",
       {req("initial_learning_rate", P::Number), req("decay_steps", P::PosInt),
        req("decay_rate", P::Number), flag("staircase", false)},
       true});
  s.push_back(
      {"cosine_decay",
       "schedule",
       {req("initial_learning_rate", P::Number), req("decay_steps", P::PosInt),
        num("alpha", 0), optNum("warmup_target"), opt("warmup_steps", P::Int)},
       true});
  s.push_back({"step",
               "schedule",
               {req("initial_learning_rate", P::Number),
                req("step_size", P::PosInt), num("gamma", 0.1)},
               true});
}

// Optimizers, from the table runtime/include/netc/Optimizers.def.
static void optimizerSpecs(std::vector<FuncSpec> &s) {
  for (const optimizers::Optimizer &o : optimizers::optimizerTable()) {
    std::vector<P> ps;
    if (o.hasUpdateRule)
      ps.push_back(
          {"learning_rate", P::LearningRate, false, o.learningRate, "", {}});
    for (const optimizers::Hyper &h : o.hypers)
      ps.push_back(h.kind == optimizers::HyperKind::Flag
                       ? flag(h.name, h.defaultValue != 0)
                       : num(h.name, h.defaultValue));
    s.push_back({o.name, "optimizer", ps, true});
  }
}

static void lossAndMetricSpecs(std::vector<FuncSpec> &s) {
  s.push_back({"categorical_crossentropy",
               "loss",
               {flag("from_logits", false), num("label_smoothing", 0)},
               true});
  s.push_back({"sparse_categorical_crossentropy",
               "loss",
               {flag("from_logits", false)},
               true});
  s.push_back({"binary_crossentropy",
               "loss",
               {flag("from_logits", false), num("label_smoothing", 0)},
               true});
  s.push_back({"mse", "loss", {}, true});
  s.push_back({"mae", "loss", {}, true});

  s.push_back({"accuracy", "metric", {}, true});
  s.push_back({"top_k", "metric", {pint("k", 5)}, true});
  s.push_back({"mse", "metric", {}, true});
  s.push_back({"mae", "metric", {}, true});
}

// Keras' callbacks (runtime/include/netc/Callbacks.h); `monitor` is checked
// against what the run logs (Frontend/Callbacks.cpp).
static void callbackSpecs(std::vector<FuncSpec> &s) {
  const P monitor = opt("monitor", P::Any),
          mode = sym("mode", "auto", {"auto", "min", "max"});
  s.push_back({"early_stopping",
               "callback",
               {monitor, num("min_delta", 0), opt("patience", P::Int), mode,
                optNum("baseline"), flag("restore_best_weights", false),
                opt("start_from_epoch", P::Int)},
               true});
  s.push_back(
      {"reduce_lr_on_plateau",
       "callback",
       {monitor, num("factor", 0.1), opt("patience", P::Int), mode,
        num("min_delta", 1e-4), opt("cooldown", P::Int), num("min_lr", 0)},
       true});
  s.push_back(
      {"save_best", "callback", {req("file", P::String), monitor, mode}, true});
}

/// Every vocabulary function, by category in this order (findFunc takes the
/// first of a name shared across categories).
static const std::vector<FuncSpec> &funcSpecs() {
  static const std::vector<FuncSpec> specs = [] {
    std::vector<FuncSpec> s;
    initializerSpecs(s);
    regularizerSpecs(s);
    scheduleSpecs(s);
    optimizerSpecs(s);
    lossAndMetricSpecs(s);
    callbackSpecs(s);
    return s;
  }();
  return specs;
}

static const FuncSpec *findFunc(const std::string &name,
                                const std::string &category) {
  // Several functions share a name across categories (mse: loss, metric).
  static const std::unordered_multimap<std::string, const FuncSpec *> index =
      [] {
        std::unordered_multimap<std::string, const FuncSpec *> m;
        for (const FuncSpec &f : funcSpecs())
          m.emplace(f.name, &f);
        return m;
      }();
  const FuncSpec *first = nullptr;
  auto [begin, end] = index.equal_range(name);
  for (auto it = begin; it != end; ++it) {
    const FuncSpec *f = it->second;
    if (category.empty() || f->category == category)
      if (!first || f < first) // the first in funcSpecs() order
        first = f;
  }
  return first;
}

const FuncSpec *findFunc(const std::string &name) { return findFunc(name, ""); }

std::vector<std::string> funcNames(const std::string &category) {
  std::vector<std::string> out;
  for (const FuncSpec &f : funcSpecs())
    if (f.category == category)
      out.push_back(f.name);
  return out;
}

static const std::set<std::string> &words() {
  static const std::set<std::string> words = {
      "same",     "valid",        "none",
      "fan_in",   "fan_out",      "fan_avg",
      "normal",   "uniform",      "untruncated_normal",
      "min",      "max",          "one_std_error",
      "val_loss", "val_accuracy", "loss",
      "auto",     "val_mse",      "val_mae"};
  return words;
}

bool isVocabularyWord(const std::string &name) {
  return words().count(name) != 0;
}

std::vector<std::string> vocabulary() {
  std::vector<std::string> out(words().begin(), words().end());
  for (const LayerSpec &l : layerSpecs())
    out.push_back(l.kind);
  for (const FuncSpec &f : funcSpecs())
    out.push_back(f.name);
  return out;
}

std::optional<netc::Call> Evaluator::toCall(const Value &v,
                                            const std::string &category,
                                            const std::string &what) {
  if (v.kind == Value::Error)
    return std::nullopt;
  if (v.kind != Value::Sym && v.kind != Value::Call && v.kind != Value::Str) {
    bool vowel = std::string("aeiou").find(category[0]) != std::string::npos;
    diags.error(v.loc, "'" + what + "' must be " + (vowel ? "an " : "a ") +
                           category + ", got " + describe(v));
    return std::nullopt;
  }
  // Layers convert the same few initializers and regularizers over and
  // over; a successful conversion depends on the value alone.
  std::string key = category + "\n" + valueText(v);
  auto cached = callCache.find(key);
  if (cached != callCache.end())
    return cached->second;
  std::string name = v.s;
  if (name == "mean_squared_error")
    name = "mse";
  if (name == "mean_absolute_error")
    name = "mae";
  const FuncSpec *f = findFunc(name, category);
  if (!f) {
    diags.error(v.loc, "unknown " + category + " '" + v.s + "'" +
                           didYouMean(v.s, funcNames(category)));
    return std::nullopt;
  }
  std::vector<Value> pos;
  Keywords kws;
  if (v.kind == Value::Call) {
    pos = v.list;
    kws = v.kw;
  }
  BoundArgs b = bind(name, f->params, pos, kws, v.loc);
  if (!b.ok || !checkCallValues(category, name, b))
    return std::nullopt;
  std::optional<netc::Call> c = makeCall(name, *f, b, what);
  if (c)
    callCache.emplace(key, *c);
  return c;
}

/// The ranges that argument types do not express.
bool Evaluator::checkCallValues(const std::string &category,
                                const std::string &name, BoundArgs &b) {
  if (category == "loss") {
    auto ls = b.values.find("label_smoothing");
    if (ls != b.values.end() &&
        (ls->second.num() < 0 || ls->second.num() > 1)) {
      diags.error(ls->second.loc, "argument 'label_smoothing' of '" + name +
                                      "' must be in [0, 1], got " +
                                      valueText(ls->second));
      return false;
    }
  }
  if (category == "schedule") {
    auto warm = b.values.find("warmup_steps");
    if (warm != b.values.end() && warm->second.i < 0) {
      diags.error(warm->second.loc,
                  "argument 'warmup_steps' of '" + name +
                      "' must be a non-negative integer, got " +
                      describe(warm->second));
      return false;
    }
  }
  return true;
}

/// The Call of `f` from its bound arguments, with defaults filled in.
std::optional<netc::Call> Evaluator::makeCall(const std::string &name,
                                              const FuncSpec &f, BoundArgs &b,
                                              const std::string &what) {
  netc::Call c;
  c.name = name;
  for (const ArgSpec &p : f.params) {
    auto it = b.values.find(p.name);
    if (it != b.values.end()) {
      const Value &x = it->second;
      if (p.type == ArgSpec::LearningRate && !x.isNumber()) {
        // A schedule (checkType validated it): its initial value stands as
        // the learning rate, the schedule rides along.
        auto sched = toCall(x, "schedule", what + "' argument '" + p.name);
        if (!sched)
          return std::nullopt;
        c.args[p.name] = sched->args["initial_learning_rate"];
        c.schedule = sched->name;
        c.scheduleArgs = sched->args;
        continue;
      }
      if (x.kind == Value::Sym || x.kind == Value::Str)
        c.strArgs[p.name] = x.s;
      else if (x.kind == Value::Bool)
        c.args[p.name] = (double)x.i;
      else
        c.args[p.name] = x.num();
    } else if (p.type == ArgSpec::Symbol) {
      c.strArgs[p.name] = p.str;
    } else if (std::isnan(p.num)) {
      // No default: absent.
    } else if (p.type == ArgSpec::Number || p.type == ArgSpec::Bool ||
               p.type == ArgSpec::LearningRate ||
               (p.type == ArgSpec::PosInt && p.num != 0)) {
      c.args[p.name] = p.num;
    }
  }
  return c;
}

std::optional<InitSpec> Evaluator::toInit(const Value &v,
                                          const std::string &what) {
  auto c = toCall(v, "initializer", what);
  if (!c)
    return std::nullopt;
  InitSpec s;
  s.name = c->name;
  s.args = c->args;
  s.strArgs = c->strArgs;
  return s;
}

std::optional<RegSpec> Evaluator::toReg(const Value &v,
                                        const std::string &what) {
  auto c = toCall(v, "regularizer", what);
  if (!c)
    return std::nullopt;
  RegSpec r;
  if (c->name == "l1" || c->name == "l1_l2")
    r.l1 = c->args["l1"];
  if (c->name == "l2" || c->name == "l1_l2")
    r.l2 = c->args["l2"];
  return r;
}

} // namespace netc
