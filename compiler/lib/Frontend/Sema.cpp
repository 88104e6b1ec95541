//===- Sema.cpp - Declarations, datasets, and the elaboration driver ------===//
//
// The driver of checking: declarations first (names, datasets), then every
// network whose parameters all have defaults, then the experiments. The
// work itself is done by the units that share the Context: Evaluator
// (values), Networks (bodies, layers, composition) and ExperimentChecker.
//
//===----------------------------------------------------------------------===//

#include "Experiments.h"

#include "netc/Frontend/Frontend.h"
#include "netc/Frontend/Limits.h"

#include <algorithm>

namespace netc {

namespace {

class Sema {
public:
  Sema(const ast::Module &m, Diagnostics &diags)
      : ctx(m, diags), diags(diags), ev(ctx), nets(ctx, ev) {}
  /// With `call`, also instantiates the network it calls (elaborateCall).
  std::unique_ptr<Program> run(const ast::Expr *call = nullptr,
                               int *instance = nullptr);

private:
  void declare();
  bool unique(const std::string &name, SourceLoc loc, const char *what);
  void dataset(const ast::DatasetDecl &decl);
  bool datasetArgs(const std::string &kind, BoundArgs &b, DatasetDecl &d);
  bool checkDataset(BoundArgs &b, DatasetDecl &d);
  bool csvFiles(BoundArgs &b, DatasetDecl &d, SourceLoc loc);
  void defaultInstances();
  int instantiateCall(const ast::Expr &call);

  Context ctx;
  Diagnostics &diags;
  Evaluator ev;
  Networks nets;
  std::map<std::string, SourceLoc> seen; // declared names, for redefinitions
};

} // namespace

/// False (after reporting) if `name` was declared before or, but for a
/// dataset, names a built-in layer.
bool Sema::unique(const std::string &name, SourceLoc loc, const char *what) {
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
}

void Sema::declare() {
  const ast::Module &mod = ctx.module();
  for (const ast::NetworkDecl &d : mod.networks) {
    if (!unique(d.name, d.nameLoc, d.isBlock ? "block" : "network"))
      continue;
    ctx.declareNetwork(d);
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

/// The arguments of a dataset of `kind`.
static std::vector<ArgSpec> datasetSpecs(const std::string &kind) {
  using P = ArgSpec;
  std::vector<P> specs;
  if (kind != "polynomial")
    specs.push_back({"path",
                     P::String,
                     kind != "fashion_mnist" && kind != "csv",
                     0,
                     "",
                     {}});
  if (kind == "image_folder")
    specs.push_back({"size", P::NumList, true, 0, "", {}});
  if (kind == "csv") {
    specs.push_back({"label", P::Any, true, 0, "", {}});
    // csv(train: "a.csv", test: "b.csv", label: ...): both splits named.
    specs.push_back({"train", P::String, false, 0, "", {}});
    specs.push_back({"test", P::String, false, 0, "", {}});
  }
  if (kind == "polynomial") {
    specs.push_back({"samples", P::PosInt, false, 100, "", {}});
    specs.push_back({"coefficients", P::NumList, true, 0, "", {}});
    specs.push_back({"noise", P::Number, false, 0, "", {}});
    specs.push_back({"x_range", P::NumList, false, 0, "", {}});
    specs.push_back({"seed", P::Int, false, 0, "", {}});
  }
  specs.push_back({"scale", P::Number, false, 1, "", {}});
  specs.push_back({"limit", P::Int, false, 0, "", {}});
  specs.push_back({"validation_split", P::Number, false, 0, "", {}});
  return specs;
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
  std::vector<ArgSpec> specs = datasetSpecs(e.text);
  Scope scope;
  std::vector<Value> pos;
  Keywords kws;
  ev.evalArgs(e.args, scope, nullptr, pos, kws);
  BoundArgs b = ev.bind(e.text, specs, pos, kws, e.loc);
  DatasetDecl d;
  d.name = decl.name;
  d.kind = e.text;
  d.loc = decl.loc;
  bool ok = datasetArgs(e.text, b, d);
  if (ok)
    ok = checkDataset(b, d);
  if (ok && d.kind == "csv")
    ok = csvFiles(b, d, e.loc);
  // Keep only what was given or has a meaningful default.
  for (auto it = d.listArgs.begin(); it != d.listArgs.end();)
    it = it->second.empty() ? d.listArgs.erase(it) : std::next(it);
  for (const ArgSpec &p : specs)
    if (p.type == ArgSpec::Number || p.type == ArgSpec::Int ||
        p.type == ArgSpec::PosInt)
      if (!d.args.count(p.name) && p.name != "limit")
        d.args[p.name] = p.num;
  if (!b.values.count("limit"))
    d.args.erase("limit");
  if (d.kind == "polynomial" && !d.listArgs.count("x_range"))
    d.listArgs["x_range"] = {-1, 1};
  if (ok)
    ctx.addDataset(d);
}

/// Sorts the bound arguments into the DatasetDecl's maps by type; false
/// (after reporting) when the label column is neither a name nor an index.
bool Sema::datasetArgs(const std::string &kind, BoundArgs &b, DatasetDecl &d) {
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
      diags.error(v.loc, "argument '" + kv.first + "' of '" + kind +
                             "' must be a column name or index, got " +
                             describe(v));
      ok = false;
    }
  }
  return ok;
}

/// The ranges of dataset arguments that their types do not express.
bool Sema::checkDataset(BoundArgs &b, DatasetDecl &d) {
  bool ok = true;
  auto check = [&](const char *name, bool good, const std::string &what) {
    if (good || !b.values.count(name))
      return;
    diags.error(b.values[name].loc,
                std::string("'") + name + "' must be " + what);
    ok = false;
  };
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
  return ok;
}

/// csv's files: the train file as the first argument or as `train:` (not
/// both), an optional `test:` file; neither may be empty.
bool Sema::csvFiles(BoundArgs &b, DatasetDecl &d, SourceLoc loc) {
  auto train = b.values.find("train");
  if (train != b.values.end() && b.values.count("path")) {
    diags.error(train->second.loc,
                "the train file of 'csv' is given twice: as the first "
                "argument and as 'train:'; keep one");
    return false;
  }
  if (train != b.values.end()) {
    d.path = train->second.s;
    d.strArgs.erase("train");
  } else if (!b.values.count("path")) {
    diags.error(loc, "'csv' needs its file: csv(\"data.csv\", label: ...) "
                     "or csv(train: \"a.csv\", test: \"b.csv\", "
                     "label: ...)");
    return false;
  }
  for (const char *name : {"path", "train", "test"}) {
    auto it = b.values.find(name);
    if (it != b.values.end() && it->second.s.empty()) {
      diags.error(it->second.loc,
                  std::string("the ") +
                      (std::string(name) == "test" ? "test" : "train") +
                      " file of 'csv' is empty; name a .csv file");
      return false;
    }
  }
  return true;
}

/// Instantiates every network whose parameters all have defaults (what
/// `netc summary` shows).
void Sema::defaultInstances() {
  Program &prog = ctx.program();
  for (const ast::NetworkDecl &d : ctx.module().networks) {
    if (d.isBlock || ctx.findDecl(d.name) != &d)
      continue;
    prog.networkNames.push_back(d.name);
    bool allDefaults = true;
    for (const ast::ParamDecl &p : d.params)
      allDefaults &= p.defaultValue != nullptr;
    if (!allDefaults)
      continue;
    int index = nets.instantiate(d, {}, {}, d.nameLoc);
    if (index >= 0)
      prog.defaultInstances[d.name] = index;
  }
}

/// The network `call` names (`Net` or `Net(args)`), its arguments evaluated
/// as in the file; its index in Program::networks, or -1 after a report.
int Sema::instantiateCall(const ast::Expr &call) {
  if (call.kind != ast::Expr::Call && call.kind != ast::Expr::Name) {
    diags.error(call.loc, "expected a network, such as Net or "
                          "Net(param: value, ...)");
    return -1;
  }
  const ast::NetworkDecl *decl = ctx.findDecl(call.text);
  if (!decl || decl->isBlock) {
    diags.error(call.loc,
                decl ? "'" + call.text + "' is a block, not a network"
                     : "unknown network '" + call.text + "'" +
                           didYouMean(call.text, ctx.program().networkNames));
    return -1;
  }
  Scope scope;
  std::vector<Value> pos;
  Keywords kws;
  const int before = diags.reportCount();
  ev.evalArgs(call.args, scope, nullptr, pos, kws);
  if (diags.reportCount() != before)
    return -1;
  return nets.instantiate(*decl, pos, kws, call.loc);
}

std::unique_ptr<Program> Sema::run(const ast::Expr *call, int *instance) {
  ctx.program().file = ctx.module().file;
  declare();
  defaultInstances();
  for (const ast::ExperimentDecl &e : ctx.module().experiments)
    ExperimentChecker(ctx, ev, nets).check(e);
  if (call)
    *instance = instantiateCall(*call);
  if (diags.hasErrors())
    return nullptr;
  return ctx.takeProgram();
}

std::unique_ptr<Program> elaborateCall(const ast::Module &module,
                                       const ast::Expr &call,
                                       Diagnostics &diags, int &instance) {
  instance = -1;
  Sema sema(module, diags);
  return sema.run(&call, &instance);
}

std::unique_ptr<Program> elaborate(const ast::Module &module,
                                   Diagnostics &diags) {
  Sema sema(module, diags);
  return sema.run();
}

} // namespace netc
