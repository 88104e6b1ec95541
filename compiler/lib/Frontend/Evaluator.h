//===- Evaluator.h - Values and arguments (private) -------------*- C++ -*-===//
//
// The Evaluator computes compile-time values (arithmetic, lists, ranges,
// names, vocabulary calls), binds call arguments to parameter specs, and
// converts values to the Program's Call, InitSpec and RegSpec. It knows
// nothing of layers or experiments: inside an experiment, network names,
// calls and `->` are handed to an ExperimentCalls.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_LIB_FRONTEND_EVALUATOR_H
#define NETC_LIB_FRONTEND_EVALUATOR_H

#include "Context.h"

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace netc {

/// Evaluation inside an experiment: a network name or call makes a network
/// (a slot), built-ins such as `evaluate(...)` act, `->` composes.
/// Implemented by ExperimentChecker.
class ExperimentCalls {
public:
  virtual ~ExperimentCalls() = default;
  /// A call or bare name that is not a vocabulary function.
  virtual Value call(const ast::Expr &e, Scope &scope) = 0;
  /// `a -> b -> ...` between networks.
  virtual Value chain(const ast::Expr &e, Scope &scope) = 0;
};

/// Positional and keyword arguments, evaluated.
using Keywords = std::vector<std::pair<std::string, Value>>;

/// Removes the "@key" marker evalArg attaches to a keyword's value; returns
/// where the key was written.
SourceLoc takeKeyLoc(Value &v);

class Evaluator {
public:
  explicit Evaluator(Context &ctx) : ctx(ctx), diags(ctx.diags) {}

  /// The value of `e` in `scope`; Value::error() after a report. `exp` is
  /// set inside experiments.
  Value eval(const ast::Expr &e, Scope &scope, ExperimentCalls *exp = nullptr);
  /// The truth of a boolean; reports anything else (but an error value).
  std::optional<bool> truth(const Value &v, SourceLoc loc);

  // --- Argument binding (Value.cpp) -----------------------------------------
  void evalArg(const ast::Arg &a, Scope &scope, ExperimentCalls *exp,
               std::vector<Value> &pos, Keywords &kws);
  void evalArgs(const std::vector<ast::Arg> &args, Scope &scope,
                ExperimentCalls *exp, std::vector<Value> &pos, Keywords &kws);
  /// Binds evaluated call arguments (`pos`, `kws`) to `specs`; reports
  /// unknown keywords (with suggestion), duplicates, too many positionals,
  /// missing required ones and type errors. `what` names the callee.
  BoundArgs bind(const std::string &what, const std::vector<ArgSpec> &specs,
                 const std::vector<Value> &pos, const Keywords &kws,
                 SourceLoc callLoc);
  /// Checks `v` against `p` (reporting as an argument of `what`) and
  /// normalizes it: a size `3` becomes `[3, 3]`, a string choice a symbol.
  bool checkType(const std::string &what, const ArgSpec &p, Value &v);

  // --- Conversions (Specs.cpp) ----------------------------------------------
  /// A vocabulary call of `category` (loss, optimizer, ...) with its
  /// arguments checked and defaults filled; `what` names the value.
  std::optional<netc::Call> toCall(const Value &v, const std::string &category,
                                   const std::string &what);
  std::optional<InitSpec> toInit(const Value &v, const std::string &what);
  std::optional<RegSpec> toReg(const Value &v, const std::string &what);

private:
  // One per expression kind (Value.cpp).
  Value evalIn(const ast::Expr &e, Scope &scope);
  Value evalName(const ast::Expr &e, Scope &scope, ExperimentCalls *exp);
  Value evalCall(const ast::Expr &e, Scope &scope, ExperimentCalls *exp);
  Value evalList(const ast::Expr &e, Scope &scope, ExperimentCalls *exp);
  Value evalMember(const ast::Expr &e, Scope &scope, ExperimentCalls *exp);
  Value evalUnary(const ast::Expr &e, Scope &scope, ExperimentCalls *exp);
  Value evalBinary(const ast::Expr &e, const Value &a, const Value &b);
  Value arithmetic(const ast::Expr &e, const Value &a, const Value &b);
  Value range(const ast::Expr &e, const Value &a, const Value &b);

  // Parts of checkType.
  bool checkActivation(const std::string &what, const ArgSpec &p, Value &v);
  bool checkSymbol(const std::string &what, const ArgSpec &p, Value &v);
  bool mismatch(const std::string &what, const ArgSpec &p, const Value &v,
                const std::string &expected);

  // Parts of toCall (Specs.cpp).
  bool checkCallValues(const std::string &category, const std::string &name,
                       BoundArgs &b);
  std::optional<netc::Call> makeCall(const std::string &name, const FuncSpec &f,
                                     BoundArgs &b, const std::string &what);

  Context &ctx;
  Diagnostics &diags;
  std::unordered_map<std::string, netc::Call> callCache; // toCall results
};

} // namespace netc

#endif
