//===- Sema.cpp - Declarations, datasets, and the elaboration driver ------===//

#include "Sema.h"

#include "netc/Frontend/Frontend.h"
#include "netc/Frontend/Limits.h"

#include <algorithm>

namespace netc {

const ast::NetworkDecl *Sema::findDecl(const std::string &name) const {
  auto it = declIndex.find(name);
  return it == declIndex.end() ? nullptr : it->second;
}

std::vector<std::string> Sema::visibleNames(const Scope &scope) const {
  std::vector<std::string> names;
  for (auto &kv : scope)
    if (kv.first != "in")
      names.push_back(kv.first);
  for (auto &kv : decls)
    names.push_back(kv.first);
  for (auto &kv : datasetIndex)
    names.push_back(kv.first);
  return names;
}

void Sema::fatal(SourceLoc loc, const std::string &msg) {
  if (!halted)
    diags.error(loc, msg);
  halted = true;
}

bool Sema::spend(int64_t n, SourceLoc loc) {
  if (halted)
    return false;
  work += n;
  if (work > limits::kWork)
    fatal(loc, "checking this file takes more than " +
                   std::to_string(limits::kWork) +
                   " steps; stopped here (are repeats, loops or blocks "
                   "nested too deeply?)");
  return !halted;
}

bool Sema::checkElements(const std::vector<int64_t> &shape, SourceLoc loc,
                         const std::string &what) {
  int64_t n = 1;
  bool over = false;
  for (int64_t d : shape)
    over |= __builtin_mul_overflow(n, d, &n) || n > limits::kTensorElements;
  if (!over)
    return true;
  diags.error(loc, what + " " + shapeText(shape) + " has more than 2^40 (" +
                       std::to_string(limits::kTensorElements) + ") elements");
  return false;
}

std::string
Sema::suggest(const std::string &name, SourceLoc loc,
              const std::function<std::vector<std::string>()> &names) {
  // An error in a loop body comes back each iteration; its suggestion is
  // the same.
  auto key = std::make_pair(std::make_pair(loc.line, loc.col), name);
  auto it = suggestions.find(key);
  if (it != suggestions.end())
    return it->second;
  std::vector<std::string> candidates = names();
  if (!spend(limits::kSuggestWork * (int64_t)candidates.size(), loc))
    return "";
  return suggestions[key] = didYouMean(name, candidates);
}

std::vector<int64_t> Sema::datasetShape(int index) const {
  const DatasetDecl &d = prog->datasets[index];
  if (d.kind == "mnist" || d.kind == "fashion_mnist")
    return {28, 28, 1};
  if (d.kind == "cifar10")
    return {32, 32, 3};
  if (d.kind == "stl10")
    return {96, 96, 3};
  if (d.kind == "polynomial")
    return {1};
  if (d.kind == "image_folder") {
    auto it = d.listArgs.find("size");
    if (it != d.listArgs.end() && it->second.size() == 2)
      return {(int64_t)it->second[0], (int64_t)it->second[1], 3};
  }
  return {}; // csv: known only when the file is read
}

void Sema::declare() {
  std::map<std::string, SourceLoc> seen;
  auto unique = [&](const std::string &name, SourceLoc loc, const char *what) {
    auto it = seen.find(name);
    if (it != seen.end()) {
      diags.error(loc, std::string("redefinition of '") + name + "'");
      diags.note(it->second, "previous definition is here");
      return false;
    }
    seen[name] = loc;
    if (findLayer(name) && std::string(what) != "dataset") {
      diags.error(loc, "'" + name +
                           "' is a built-in layer; choose another "
                           "name for this " +
                           what);
      return false;
    }
    return true;
  };
  for (const ast::NetworkDecl &d : mod.networks) {
    if (!unique(d.name, d.nameLoc, d.isBlock ? "block" : "network"))
      continue;
    decls[d.name] = &d;
    declIndex[d.name] = &d;
    std::set<std::string> params;
    for (const ast::ParamDecl &p : d.params)
      if (!params.insert(p.name).second)
        diags.error(p.loc, "duplicate parameter '" + p.name + "'");
  }
  std::map<std::string, SourceLoc> expSeen;
  for (const ast::ExperimentDecl &e : mod.experiments) {
    auto it = expSeen.find(e.name);
    if (it != expSeen.end()) {
      diags.error(e.nameLoc, "redefinition of experiment '" + e.name + "'");
      diags.note(it->second, "previous definition is here");
    }
    expSeen[e.name] = e.nameLoc;
  }
  for (const ast::DatasetDecl &d : mod.datasets)
    if (unique(d.name, d.nameLoc, "dataset"))
      dataset(d);
}

void Sema::dataset(const ast::DatasetDecl &decl) {
  static const std::vector<std::string> kinds = {
      "mnist",        "fashion_mnist", "cifar10",   "stl10",
      "image_folder", "csv",           "polynomial"};
  const ast::Expr &e = *decl.value;
  if (e.kind != ast::Expr::Call) {
    diags.error(e.loc, "a dataset is declared as kind(\"path\", ...), e.g. "
                       "cifar10(\"cifar-10-batches-bin\")");
    return;
  }
  if (std::find(kinds.begin(), kinds.end(), e.text) == kinds.end()) {
    diags.error(e.loc, "unknown dataset kind '" + e.text + "'" +
                           didYouMean(e.text, kinds));
    return;
  }
  using P = ArgSpec;
  std::vector<P> specs;
  bool pathless = e.text == "polynomial";
  if (!pathless)
    specs.push_back({"path", P::String, e.text != "fashion_mnist", 0, "", {}});
  if (e.text == "image_folder")
    specs.push_back({"size", P::NumList, true, 0, "", {}});
  if (e.text == "csv")
    specs.push_back({"label", P::Any, true, 0, "", {}});
  if (e.text == "polynomial") {
    specs.push_back({"samples", P::PosInt, false, 100, "", {}});
    specs.push_back({"coefficients", P::NumList, true, 0, "", {}});
    specs.push_back({"noise", P::Number, false, 0, "", {}});
    specs.push_back({"x_range", P::NumList, false, 0, "", {}});
    specs.push_back({"seed", P::Int, false, 0, "", {}});
  }
  specs.push_back({"scale", P::Number, false, 1, "", {}});
  specs.push_back({"limit", P::Int, false, 0, "", {}});
  specs.push_back({"validation_split", P::Number, false, 0, "", {}});

  Scope scope;
  std::vector<Value> pos;
  std::vector<std::pair<std::string, Value>> kws;
  evalArgs(e.args, scope, nullptr, pos, kws);
  BoundArgs b = bind(e.text, specs, pos, kws, e.loc);
  DatasetDecl d;
  d.name = decl.name;
  d.kind = e.text;
  d.loc = decl.loc;
  bool ok = b.ok;
  for (auto &kv : b.values) {
    const Value &v = kv.second;
    if (kv.first == "path")
      d.path = v.s;
    else if (v.kind == Value::List) {
      for (const Value &x : v.list)
        d.listArgs[kv.first].push_back(x.num());
    } else if (v.kind == Value::Str || v.kind == Value::Sym)
      d.strArgs[kv.first] = v.s;
    else if (v.isNumber())
      d.args[kv.first] = v.num();
    else {
      diags.error(v.loc, "argument '" + kv.first + "' of '" + e.text +
                             "' must be a column name or index, got " +
                             describe(v));
      ok = false;
    }
  }
  auto check = [&](const char *name, bool good, const std::string &what) {
    if (good || !b.values.count(name))
      return;
    diags.error(b.values[name].loc,
                std::string("'") + name + "' must be " + what);
    ok = false;
  };
  if (ok) {
    check("validation_split",
          d.args["validation_split"] >= 0 && d.args["validation_split"] < 1,
          "in [0, 1)");
    check("limit", d.args["limit"] >= 0, ">= 0");
    check("size",
          d.listArgs["size"].size() == 2 && d.listArgs["size"][0] >= 1 &&
              d.listArgs["size"][1] >= 1,
          "[height, width]");
    check("x_range",
          d.listArgs["x_range"].size() == 2 &&
              d.listArgs["x_range"][0] < d.listArgs["x_range"][1],
          "[low, high] with low < high");
    check("coefficients", !d.listArgs["coefficients"].empty(),
          "a non-empty list");
  }
  // Keep only what was given or has a meaningful default.
  for (auto it = d.listArgs.begin(); it != d.listArgs.end();)
    it = it->second.empty() ? d.listArgs.erase(it) : std::next(it);
  for (const P &p : specs)
    if (p.type == P::Number || p.type == P::Int || p.type == P::PosInt)
      if (!d.args.count(p.name) && p.name != "limit")
        d.args[p.name] = p.num;
  if (!b.values.count("limit"))
    d.args.erase("limit");
  if (pathless && !d.listArgs.count("x_range"))
    d.listArgs["x_range"] = {-1, 1};
  if (!ok)
    return;
  datasetIndex[d.name] = (int)prog->datasets.size();
  prog->datasets.push_back(d);
}

std::unique_ptr<Program> Sema::run() {
  prog = std::make_unique<Program>();
  prog->file = mod.file;
  declare();
  for (const ast::NetworkDecl &d : mod.networks) {
    if (d.isBlock || findDecl(d.name) != &d)
      continue;
    prog->networkNames.push_back(d.name);
    bool allDefaults = true;
    for (const ast::ParamDecl &p : d.params)
      allDefaults &= p.defaultValue != nullptr;
    if (!allDefaults)
      continue;
    int index = instantiate(d, {}, {}, d.nameLoc);
    if (index >= 0)
      prog->defaultInstances[d.name] = index;
  }
  for (const ast::ExperimentDecl &e : mod.experiments)
    experiment(e);
  if (diags.hasErrors())
    return nullptr;
  return std::move(prog);
}

std::unique_ptr<Program> elaborate(const ast::Module &module,
                                   Diagnostics &diags) {
  Sema sema(module, diags);
  return sema.run();
}

} // namespace netc
