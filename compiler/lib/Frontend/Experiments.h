//===- Experiments.h - Unrolling an experiment (private) --------*- C++ -*-===//
//
// An ExperimentChecker unrolls one experiment declaration into
// Experiment::runs of Steps: it runs the statements at compile time (one
// handler per statement kind), instantiates the networks they call through
// Networks, and answers the Evaluator for network names, built-ins and `->`
// inside the experiment (ExperimentCalls).
//
//===----------------------------------------------------------------------===//
#ifndef NETC_LIB_FRONTEND_EXPERIMENTS_H
#define NETC_LIB_FRONTEND_EXPERIMENTS_H

#include "Networks.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace netc {

class ExperimentChecker : public ExperimentCalls {
public:
  ExperimentChecker(Context &ctx, Evaluator &ev, Networks &nets)
      : ctx(ctx), diags(ctx.diags), ev(ev), nets(nets) {}

  /// Appends the unrolled experiment `decl` to Program::experiments.
  void check(const ast::ExperimentDecl &decl);

  Value call(const ast::Expr &e, Scope &scope) override;
  Value chain(const ast::Expr &e, Scope &scope) override;

private:
  // Statements, one handler per kind.
  void process(const std::vector<ast::ExpStmt> &body, Scope &scope);
  void let(const ast::ExpStmt &st, Scope &scope);
  void train(const ast::ExpStmt &st, Scope &scope);
  void report(const ast::ExpStmt &st, Scope &scope);
  void forLoop(const ast::ExpStmt &st, Scope &scope);
  void crossValidate(const ast::ExpStmt &st, Scope &scope);
  void select(const ast::ExpStmt &st, Scope &scope);
  void save(const ast::ExpStmt &st, Scope &scope);
  void load(const ast::ExpStmt &st, Scope &scope);
  void exprStmt(const ast::ExpStmt &st, Scope &scope);

  // Seeds and data set variants (Seeds.cpp).
  /// The seeds of `experiment e (seed: S)` or `(seeds: N | [..])`; empty
  /// without; false after an error.
  bool experimentSeeds(const ast::ExperimentDecl &decl,
                       std::vector<int64_t> &seeds, bool &repeated);
  /// Runs the body once per seed (seed-major), or once with none.
  void repeatOverSeeds(const ast::ExperimentDecl &decl);
  /// A loop value as results show it: a data set by its name.
  std::string loopValueText(const Value &v);
  /// `poly(seed: draw)`: the data set `poly` with another seed.
  Value datasetVariant(const ast::Expr &e, Scope &scope);

  // Loops.
  Value loopDomain(const ast::Expr &e, Scope &scope);
  bool freshLoopVariable(const ast::ExpStmt &st);
  bool withinIterations(const ast::ExpStmt &st, const Value &domain,
                        int64_t folds);
  void iterate(const ast::ExpStmt &st, const Value &domain, Scope &scope,
               int folds);

  // Training.
  bool trainCalls(const ast::ExpStmt &st, BoundArgs &b, TrainSpec &t);
  bool trainMetric(const Value &metrics, TrainSpec &t);
  bool oneMetric(const Value &metric, TrainSpec &t);
  // Callbacks.cpp: `callbacks: [...]` of a train block.
  bool trainCallbacks(const Value &list, int dataset, TrainSpec &t);
  bool checkCallback(const Value &v, const Call &c, int dataset,
                     const TrainSpec &t);
  bool checkMonitor(const Value &v, const Call &c, int dataset,
                    const TrainSpec &t);

  // Network calls and built-ins.
  Value newNetwork(const ast::NetworkDecl &d, const ast::Expr &e, Scope &scope);
  Value builtin(const ast::Expr &e, Scope &scope);
  Value evaluate(const ast::Expr &e, int slot, const Value &data);

  // Checks and steps.
  bool needSlot(const Value &v, const char *what);
  bool fits(int net, const Value &data, SourceLoc loc);
  bool holdsClasses(int net, const Value &data, const std::string &loss,
                    SourceLoc loc);
  Step &emit(Step::Kind kind, SourceLoc loc);
  /// A fresh slot holding Program::networks[net], made by step `kind`.
  Step &newSlot(Step::Kind kind, int net, SourceLoc loc);

  Context &ctx;
  Diagnostics &diags;
  Evaluator &ev;
  Networks &nets;

  Experiment *exp = nullptr;
  // Experiment-wide.
  int nextSlot = 0;
  std::map<int, int> slotNet; // slot -> network index
  std::set<int> frozen;
  bool sawCrossValidate = false;
  /// The experiment's crossvalidate statement: it may run again, inside a
  /// loop or once per seed, but no other may.
  const ast::ExpStmt *crossValidateStmt = nullptr;
  // The seed of the runs being unrolled (-1: the default rule) and their
  // repetition (-1: not repeated over seeds).
  int64_t seed = -1;
  int repetition = -1;
  // The run being filled; saved and restored around loops.
  std::vector<std::pair<std::string, std::string>> params;
  int fold = -1;
  int run = -1; // index into exp->runs, -1: start one on the next step
  bool shared = false;
  int64_t iterations = 0; // loop iterations so far, against the limit
  /// Names bound by `let` and loop variables in scope: where, and whether
  /// by a loop. Saved and restored around loop bodies like the scope.
  struct Binding {
    SourceLoc loc;
    bool loop = false;
  };
  std::map<std::string, Binding> names;
  /// The loss each slot was last trained with (what `evaluate` uses).
  std::map<int, std::string> slotLoss;
};

} // namespace netc

#endif
