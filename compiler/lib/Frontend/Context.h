//===- Context.h - What the checking units share (private) ------*- C++ -*-===//
//
// The front end's checking units (Evaluator, Networks, ExperimentChecker and
// the Sema driver) share one Context: the module being checked, the
// diagnostics engine, the Program being built, the declarations by name, and
// the limits on work that keep a hostile file from running for ever.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_LIB_FRONTEND_CONTEXT_H
#define NETC_LIB_FRONTEND_CONTEXT_H

#include "Sema.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace netc {

class Context {
public:
  Context(const ast::Module &m, Diagnostics &diags)
      : diags(diags), mod(m), prog(std::make_unique<Program>()) {}

  /// The shared diagnostics engine.
  Diagnostics &diags;

  const ast::Module &module() const { return mod; }
  Program &program() { return *prog; }
  /// Hands the finished Program over; the Context is done with.
  std::unique_ptr<Program> takeProgram() { return std::move(prog); }

  // --- Declarations ---------------------------------------------------------
  void declareNetwork(const ast::NetworkDecl &d);
  /// Adds a checked dataset to the Program and makes its name known.
  void addDataset(const DatasetDecl &d);
  /// The network or block declared by `name`, or null.
  const ast::NetworkDecl *findDecl(const std::string &name) const;
  /// Networks and blocks by name, in name order.
  const std::map<std::string, const ast::NetworkDecl *> &networkDecls() const {
    return decls;
  }
  /// The index of dataset `name` in Program::datasets, or -1.
  int findDataset(const std::string &name) const;
  /// Names a value lookup could have meant: `scope` (less `in`), networks,
  /// blocks and datasets.
  std::vector<std::string> visibleNames(const Scope &scope) const;
  /// The record shape of dataset `index`; empty when known only at run time.
  std::vector<int64_t> datasetShape(int index) const;

  // --- Limits (Limits.h) ----------------------------------------------------
  /// Reports an error that ends elaboration: past a limit, further checking
  /// would only repeat it or take unbounded time.
  void fatal(SourceLoc loc, const std::string &msg);
  /// True once a fatal error was reported.
  bool halted() const { return stopped; }
  /// Counts `n` steps of work against limits::kWork; false (after one
  /// report) once the budget is spent or elaboration was halted.
  bool spend(int64_t n, SourceLoc loc);
  /// False (after reporting) if a tensor of this shape would have more than
  /// limits::kTensorElements elements. `what` names it in the message.
  bool checkElements(const std::vector<int64_t> &shape, SourceLoc loc,
                     const std::string &what);
  /// didYouMean() over the `names` of the program, once per location (an
  /// error in a loop recurs) and counted as work: a file of many unknown
  /// names among many declarations is quadratic.
  std::string suggest(const std::string &name, SourceLoc loc,
                      const std::function<std::vector<std::string>()> &names);

private:
  const ast::Module &mod;
  std::unique_ptr<Program> prog;
  std::map<std::string, const ast::NetworkDecl *> decls; // networks+blocks
  /// The same, for lookup by name (the hottest path of elaboration).
  std::unordered_map<std::string, const ast::NetworkDecl *> declIndex;
  std::map<std::string, int> datasetIndex;
  /// suggest() results by location and name.
  std::map<std::pair<std::pair<int, int>, std::string>, std::string>
      suggestions;
  int64_t work = 0;     // steps spent, against limits::kWork
  bool stopped = false; // a fatal error was reported
};

} // namespace netc

#endif
