//===- Networks.cpp - Network and block bodies, composition ---------------===//
//
// A body is run statement by statement over a "running tensor": each layer
// statement applies to it and replaces it; `let` names a tensor without
// moving it; blocks run their body on the tensor they are applied to, with
// `in` bound to it. Because arguments are known, `repeat` and `if` are simply
// executed, so the result is a flat layer graph in topological order.
//
//===----------------------------------------------------------------------===//

#include "Sema.h"

#include "netc/Frontend/Limits.h"

namespace netc {

/// Parameters of a network or block as binding specs (any value type).
static std::vector<ArgSpec> declSpecs(const ast::NetworkDecl &d) {
  std::vector<ArgSpec> specs;
  for (const ast::ParamDecl &p : d.params)
    specs.push_back({p.name, ArgSpec::Any, !p.defaultValue, 0, "", {}});
  return specs;
}

/// Binds call arguments to a declaration's parameters, evaluating defaults
/// in the scope of the parameters bound before them.
static bool bindDecl(Sema &s, const ast::NetworkDecl &d,
                     const std::vector<Value> &pos,
                     const std::vector<std::pair<std::string, Value>> &kws,
                     SourceLoc callLoc, Scope &out) {
  BoundArgs b = s.bind(d.name, declSpecs(d), pos, kws, callLoc);
  if (!b.ok)
    return false;
  for (const ast::ParamDecl &p : d.params) {
    auto it = b.values.find(p.name);
    if (it != b.values.end()) {
      out[p.name] = it->second;
      continue;
    }
    Value v = s.eval(*p.defaultValue, out);
    if (v.kind == Value::Error)
      return false;
    out[p.name] = v;
  }
  return true;
}

/// True when `e` denotes a tensor (a layer application, a chain, a named
/// tensor) rather than a compile-time value; decides what `let` binds.
static bool isTensorExpr(Sema &s, const ast::Expr &e, const Scope &scope) {
  switch (e.kind) {
  case ast::Expr::Chain:
  case ast::Expr::In:
    return true;
  case ast::Expr::Call:
    return findLayer(e.text) || s.findDecl(e.text);
  case ast::Expr::Name: {
    auto it = scope.find(e.text);
    if (it != scope.end())
      return it->second.kind == Value::Tensor;
    return findLayer(e.text) || s.findDecl(e.text);
  }
  case ast::Expr::If:
    return isTensorExpr(s, *e.kids[1], scope) ||
           isTensorExpr(s, *e.kids[2], scope);
  default:
    return false;
  }
}

int Sema::instantiate(const ast::NetworkDecl &decl,
                      const std::vector<Value> &pos,
                      const std::vector<std::pair<std::string, Value>> &kws,
                      SourceLoc callLoc) {
  Scope scope;
  if (!bindDecl(*this, decl, pos, kws, callLoc, scope))
    return -1;
  std::string inst = decl.name + "(";
  for (size_t i = 0; i < decl.params.size(); ++i)
    inst += (i ? ", " : "") + decl.params[i].name + "=" +
            valueText(scope[decl.params[i].name]);
  inst += ")";
  auto found = instances.find(inst);
  if (found != instances.end())
    return found->second;

  if (halted)
    return -1;
  Builder b;
  b.decl = &decl;
  b.net.name = decl.name;
  b.net.instance = inst;
  b.net.loc = decl.loc;
  b.errorsAtStart = diags.reportCount();
  int cur = NoTensor;
  runBody(decl.body, b, scope, cur);
  if (b.net.layers.empty() && diags.reportCount() == b.errorsAtStart)
    diags.error(decl.nameLoc,
                "network '" + decl.name + "' has no 'input [...]' layer");
  if (diags.reportCount() != b.errorsAtStart || cur < 0) {
    instances[inst] = -1;
    return -1;
  }
  b.net.output = cur;
  prog->networks.push_back(std::make_unique<Network>(std::move(b.net)));
  int index = (int)prog->networks.size() - 1;
  instances[inst] = index;
  return index;
}

void Sema::runBody(const std::vector<ast::NetStmt> &body, Builder &b,
                   Scope &scope, int &cur) {
  for (const ast::NetStmt &s : body) {
    if (!spend(1, s.loc))
      return;
    switch (s.kind) {
    case ast::NetStmt::Defaults: {
      std::vector<Value> pos;
      std::vector<std::pair<std::string, Value>> kws;
      evalArgs(s.args, scope, nullptr, pos, kws);
      if (!pos.empty())
        diags.error(pos.front().loc,
                    "'defaults' takes keyword arguments only (key: value)");
      for (size_t k = 0; k < s.kinds.size(); ++k) {
        const LayerSpec *spec = findLayer(s.kinds[k]);
        if (!spec) {
          diags.error(s.kindLocs[k], "unknown layer '" + s.kinds[k] + "'" +
                                         didYouMean(s.kinds[k], layerKinds()));
          continue;
        }
        std::vector<std::string> names;
        for (const ArgSpec &p : spec->params)
          names.push_back(p.name);
        for (auto kv : kws) {
          SourceLoc keyLoc = kv.second.loc;
          if (!kv.second.kw.empty() && kv.second.kw.front().first == "@key") {
            keyLoc = kv.second.kw.front().second.loc;
            kv.second.kw.erase(kv.second.kw.begin());
          }
          const ArgSpec *p = nullptr;
          for (const ArgSpec &q : spec->params)
            if (q.name == kv.first)
              p = &q;
          if (!p) {
            diags.error(keyLoc, "unknown argument '" + kv.first + "' for '" +
                                    s.kinds[k] + "'" +
                                    didYouMean(kv.first, names));
            continue;
          }
          if (checkType(s.kinds[k], *p, kv.second))
            b.defaults[s.kinds[k]][kv.first] = kv.second;
        }
      }
      break;
    }
    case ast::NetStmt::Input: {
      if (b.decl->isBlock) {
        diags.error(s.loc, "'input' is only allowed in a network; a block "
                           "applies to the tensor 'in'");
        break;
      }
      if (cur != NoTensor) {
        diags.error(s.loc, "a network has one 'input'");
        break;
      }
      cur = inputLayer(eval(*s.expr, scope), s.expr->loc, b);
      break;
    }
    case ast::NetStmt::Repeat: {
      Value n = eval(*s.expr, scope);
      if (n.kind == Value::Error)
        break;
      if (n.kind != Value::Int || n.i < 0) {
        diags.error(s.expr->loc,
                    "'repeat' needs a count >= 0, got " + describe(n));
        break;
      }
      repeat(s, n.i, b, scope, cur);
      break;
    }
    case ast::NetStmt::Let: {
      if (isTensorExpr(*this, *s.expr, scope)) {
        int t = apply(*s.expr, b, scope, cur);
        Value v;
        v.kind = Value::Tensor;
        v.i = t;
        v.loc = s.loc;
        scope[s.name] = v;
      } else {
        scope[s.name] = eval(*s.expr, scope);
      }
      break;
    }
    case ast::NetStmt::Layer:
      cur = apply(*s.expr, b, scope, cur);
      break;
    }
  }
}

/// Runs a `repeat` body `count` times, within the limits on repeats per
/// network and on nesting; stops at the first iteration that reports an
/// error (the next ones would only repeat it).
void Sema::repeat(const ast::NetStmt &s, int64_t count, Builder &b,
                  Scope &scope, int &cur) {
  if (count > limits::kRepeatIterations - b.repeats) {
    fatal(s.expr->loc, "'repeat " + std::to_string(count) +
                           "' is over the limit: a network runs repeat "
                           "bodies at most " +
                           std::to_string(limits::kRepeatIterations) +
                           " times in all");
    return;
  }
  if (nesting >= limits::kNesting) {
    fatal(s.loc, "repeats and blocks nest deeper than " +
                     std::to_string(limits::kNesting) + " levels here");
    return;
  }
  b.repeats += count;
  int before = diags.reportCount();
  ++nesting;
  for (int64_t i = 0; i < count && !halted && diags.reportCount() == before;
       ++i)
    runBody(s.body, b, scope, cur);
  --nesting;
}

int Sema::apply(const ast::Expr &e, Builder &b, Scope &scope, int cur) {
  if (!spend(1, e.loc))
    return BadTensor;
  switch (e.kind) {
  case ast::Expr::Chain:
    for (const ast::ExprPtr &k : e.kids)
      cur = apply(*k, b, scope, cur);
    return cur;
  case ast::Expr::In: {
    auto it = scope.find("in");
    if (it != scope.end())
      return (int)it->second.i;
    // In a network body `in` is the input layer.
    if (!b.net.layers.empty())
      return 0;
    diags.error(e.loc, "'in' used before the network's 'input'");
    return BadTensor;
  }
  case ast::Expr::Name: {
    auto it = scope.find(e.text);
    if (it != scope.end()) {
      const Value &v = it->second;
      if (v.kind == Value::Tensor)
        return (int)v.i;
      if (v.kind == Value::Error)
        return BadTensor;
      // A parameter may name a layer: `block act_block(act = relu) { act }`.
      if (v.kind == Value::Sym && findLayer(v.s))
        return applyNamed(v.s, e, {}, b, scope, cur);
      diags.error(e.loc, "'" + e.text + "' is " + describe(v) +
                             ", not a layer or tensor");
      return BadTensor;
    }
    return applyNamed(e.text, e, {}, b, scope, cur);
  }
  case ast::Expr::Call:
    return applyNamed(e.text, e, e.args, b, scope, cur);
  case ast::Expr::If: {
    auto c = truth(eval(*e.kids[0], scope), e.kids[0]->loc);
    if (!c)
      return BadTensor;
    return apply(*e.kids[*c ? 1 : 2], b, scope, cur);
  }
  default:
    diags.error(e.loc, "expected a layer, got '" + ast::exprText(e) + "'");
    return BadTensor;
  }
}

int Sema::applyNamed(const std::string &name, const ast::Expr &e,
                     const std::vector<ast::Arg> &args, Builder &b,
                     Scope &scope, int cur) {
  if (name == "input") {
    diags.error(e.loc, "'input' is a statement: input [H, W, C]");
    return BadTensor;
  }
  if (findLayer(name)) {
    if (name == "add" || name == "concat") {
      // The positional arguments are tensors; each may be a chain.
      std::vector<int> inputs;
      std::vector<const ast::Arg *> options;
      for (const ast::Arg &a : args) {
        if (a.key.empty())
          inputs.push_back(apply(*a.value, b, scope, cur));
        else
          options.push_back(&a);
      }
      return addLayer(name, options, e.loc, b, scope, inputs);
    }
    if (cur == NoTensor) {
      diags.error(e.loc, "layer '" + name +
                             "' has no input: a network starts with "
                             "'input [...]'");
      return BadTensor;
    }
    std::vector<const ast::Arg *> ptrs;
    for (const ast::Arg &a : args)
      ptrs.push_back(&a);
    return addLayer(name, ptrs, e.loc, b, scope, {cur});
  }
  if (const ast::NetworkDecl *d = findDecl(name)) {
    if (d->isBlock)
      return applyBlock(*d, e, b, scope, cur);
    diags.error(e.loc, "network '" + name +
                           "' cannot be used as a layer; declare it as a "
                           "block, or compose networks in an experiment");
    return BadTensor;
  }
  std::string hint = suggest(name, e.loc, [&] {
    std::vector<std::string> candidates = layerKinds();
    for (auto &kv : decls)
      if (kv.second->isBlock)
        candidates.push_back(kv.first);
    for (auto &kv : scope)
      if (kv.second.kind == Value::Tensor)
        candidates.push_back(kv.first);
    return candidates;
  });
  diags.error(e.loc, "unknown layer '" + name + "'" + hint);
  return BadTensor;
}

int Sema::applyBlock(const ast::NetworkDecl &decl, const ast::Expr &call,
                     Builder &b, Scope &scope, int cur) {
  std::vector<Value> pos;
  std::vector<std::pair<std::string, Value>> kws;
  evalArgs(call.args, scope, nullptr, pos, kws);
  Scope inner;
  if (!bindDecl(*this, decl, pos, kws, call.loc, inner))
    return BadTensor;
  if (cur == NoTensor) {
    diags.error(call.loc, "block '" + decl.name +
                              "' has no input: a network starts with "
                              "'input [...]'");
    return BadTensor;
  }
  if (cur == BadTensor)
    return BadTensor;
  if (depth > 64) {
    fatal(call.loc, "block '" + decl.name +
                        "' nests more than 64 deep (is it recursive?)");
    return BadTensor;
  }
  if (nesting >= limits::kNesting) {
    fatal(call.loc, "repeats and blocks nest deeper than " +
                        std::to_string(limits::kNesting) + " levels here");
    return BadTensor;
  }
  Value in;
  in.kind = Value::Tensor;
  in.i = cur;
  inner["in"] = in;
  auto savedDefaults = b.defaults;
  if (!spend(limits::kBlockWork, call.loc))
    return BadTensor;
  ++depth;
  ++nesting;
  int t = cur;
  runBody(decl.body, b, inner, t);
  --nesting;
  --depth;
  b.defaults = savedDefaults;
  return t;
}

/// Composition `A -> B`: B's input layer is dropped and its consumers read
/// A's output. Layer and parameter names get the part's network name as a
/// prefix so they stay unique (`LeNet/conv2d/kernel`).
int Sema::compose(const std::vector<std::pair<int, bool>> &parts,
                  SourceLoc loc) {
  // The composition copies its parts: within the limits on layers, checked
  // before its name (which grows as fast) is built.
  int64_t layers = 0, params = 0;
  for (const auto &part : parts) {
    layers += (int64_t)prog->networks[part.first]->layers.size();
    params += (int64_t)prog->networks[part.first]->params.size();
  }
  if (layers > limits::kLayersPerNetwork) {
    fatal(loc, "the composed network has more than " +
                   std::to_string(limits::kLayersPerNetwork) + " layers");
    return -1;
  }
  if (!spend(limits::kLayerWork * (layers + params), loc))
    return -1;
  std::string inst;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Network &n = *prog->networks[parts[i].first];
    inst += (i ? "->" : "") + std::string(parts[i].second ? "freeze(" : "") +
            n.instance + (parts[i].second ? ")" : "");
  }
  auto found = instances.find(inst);
  if (found != instances.end())
    return found->second;
  for (size_t i = 1; i < parts.size(); ++i) {
    const Network &a = *prog->networks[parts[i - 1].first];
    const Network &c = *prog->networks[parts[i].first];
    if (a.outputShape() != c.inputShape()) {
      diags.error(loc, "cannot apply '" + c.name + "' after '" + a.name +
                           "': output " + shapeText(a.outputShape()) +
                           " of layer '" + a.layers[a.output].name +
                           "' does not fit input " + shapeText(c.inputShape()) +
                           " of layer '" + c.layers[0].name + "'");
      instances[inst] = -1;
      return -1;
    }
  }
  Network out;
  std::map<std::string, int> prefixUses;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Network &n = *prog->networks[parts[i].first];
    bool frozen = parts[i].second;
    out.name += (i ? "->" : "") + n.name;
    std::string prefix;
    if (!composite.count(parts[i].first)) {
      int uses = prefixUses[n.name]++;
      prefix = n.name + (uses ? "_" + std::to_string(uses) : "") + "/";
    }
    int layerBase = (int)out.layers.size();
    int paramBase = (int)out.params.size();
    int prevOutput = out.output;
    // Index map from n's layers to out's: n's input maps to the previous
    // part's output.
    std::vector<int> map(n.layers.size());
    for (size_t l = 0; l < n.layers.size(); ++l) {
      if (i > 0 && l == 0) {
        map[l] = prevOutput;
        continue;
      }
      Layer layer = n.layers[l];
      layer.name = prefix + layer.name;
      for (int &in : layer.inputs)
        in = map[in];
      for (int &p : layer.params)
        p += paramBase;
      map[l] = (int)out.layers.size();
      out.layers.push_back(layer);
    }
    (void)layerBase;
    for (const Param &p : n.params) {
      Param q = p;
      q.name = prefix + q.name;
      q.layer = map[p.layer];
      if (frozen)
        q.trainable = false;
      out.params.push_back(q);
    }
    out.output = map[n.output];
  }
  out.instance = inst;
  out.loc = loc;
  prog->networks.push_back(std::make_unique<Network>(std::move(out)));
  int index = (int)prog->networks.size() - 1;
  composite.insert(index);
  instances[inst] = index;
  return index;
}

} // namespace netc
