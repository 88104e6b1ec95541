//===- Context.cpp - Declarations by name and the limits on work ----------===//

#include "Context.h"

#include "netc/Frontend/Limits.h"

namespace netc {

void Context::declareNetwork(const ast::NetworkDecl &d) {
  decls[d.name] = &d;
  declIndex[d.name] = &d;
}

void Context::addDataset(const DatasetDecl &d) {
  datasetIndex[d.name] = (int)prog->datasets.size();
  prog->datasets.push_back(d);
}

const ast::NetworkDecl *Context::findDecl(const std::string &name) const {
  auto it = declIndex.find(name);
  return it == declIndex.end() ? nullptr : it->second;
}

int Context::findDataset(const std::string &name) const {
  auto it = datasetIndex.find(name);
  return it == datasetIndex.end() ? -1 : it->second;
}

std::vector<std::string> Context::visibleNames(const Scope &scope) const {
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

void Context::fatal(SourceLoc loc, const std::string &msg) {
  if (!stopped)
    diags.error(loc, msg);
  stopped = true;
}

bool Context::spend(int64_t n, SourceLoc loc) {
  if (stopped)
    return false;
  work += n;
  if (work > limits::kWork)
    fatal(loc, "checking this file takes more than " +
                   std::to_string(limits::kWork) +
                   " steps; stopped here (are repeats, loops or blocks "
                   "nested too deeply?)");
  return !stopped;
}

bool Context::checkElements(const std::vector<int64_t> &shape, SourceLoc loc,
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
Context::suggest(const std::string &name, SourceLoc loc,
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

std::vector<int64_t> Context::datasetShape(int index) const {
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

} // namespace netc
