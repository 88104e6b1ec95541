//===- Sema.h - Checking and elaboration (private) ---------------*- C++
//-*-===//
//
// Sema turns the AST into a Program in one pass per declaration kind:
// datasets are checked, every network without required parameters is
// instantiated with its defaults, and experiments are unrolled, which
// instantiates the networks they call with concrete arguments. Networks and
// blocks are templates: their bodies are only checked when instantiated,
// since shapes and `repeat` counts depend on the arguments.
//
// Split by concept: Value.cpp (compile-time values and arithmetic),
// Specs.cpp (initializers, regularizers, optimizers, losses), Layers.cpp
// (layer arguments and shape inference), Networks.cpp (bodies, blocks,
// composition), Experiments.cpp (unrolling), Sema.cpp (declarations).
//
//===----------------------------------------------------------------------===//
#ifndef NETC_LIB_FRONTEND_SEMA_H
#define NETC_LIB_FRONTEND_SEMA_H

#include "netc/Frontend/AST.h"
#include "netc/Frontend/Diagnostics.h"
#include "netc/Frontend/Program.h"

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace netc {

/// A compile-time value. Numbers, booleans, strings, symbols (bare
/// vocabulary words such as `relu`, `adam` or loop values like `scratch`),
/// lists, calls of vocabulary functions (`l2(1e-4)`), and handles: a tensor
/// (layer index) inside a network body, a network slot or a dataset split
/// inside an experiment. `Error` marks a value whose error was already
/// reported, so that callers stay quiet instead of cascading.
struct Value {
  enum Kind {
    Error,
    None,
    Int,
    Float,
    Bool,
    Str,
    Sym,
    List,
    Call,
    Tensor,
    Slot,
    Data,
    Eval
  };
  Kind kind = None;
  SourceLoc loc;
  int64_t i = 0;           // Int, Bool, Tensor/Slot/Data/Eval index
  double f = 0;            // Float
  std::string s;           // Str, Sym, Call name, Data split
  std::vector<Value> list; // List; Call positionals
  std::vector<std::pair<std::string, Value>> kw; // Call keywords

  static Value error() {
    Value v;
    v.kind = Error;
    return v;
  }
  bool isNumber() const { return kind == Int || kind == Float; }
  double num() const { return kind == Int ? (double)i : f; }
};

/// "3", "0.0001", "relu", "l2(0.0001)", "[1, 2]"; strings quoted if asked.
std::string valueText(const Value &v, bool quoteStrings = true);
/// "integer", "number", "name 'relu'", ...: for "expected X, got Y".
std::string describe(const Value &v);
/// Values in `v`, itself included: what copying it costs, in checking steps.
int64_t valueSize(const Value &v);
/// Shortest decimal text that reads back as the same double.
std::string numberText(double d);
std::string shapeText(const std::vector<int64_t> &shape);

/// A lexical scope: names bound to values; parent scopes are copied in,
/// which keeps unrolled loop iterations independent.
using Scope = std::map<std::string, Value>;

/// One positional-or-keyword parameter of a layer or a vocabulary function.
struct ArgSpec {
  std::string name;
  enum Type {
    Number,
    PosInt,
    Int,
    IntPair,
    Bool,
    Padding,
    Activation,
    Init,
    Reg,
    Symbol,
    String,
    NumList,
    Tensors,
    LearningRate, // a number or a schedule call (exponential_decay, ...)
    Any
  } type;
  bool required = false;
  double num = 0;                   // default number / bool
  std::string str;                  // default symbol text
  std::vector<std::string> choices; // Symbol
};

struct LayerSpec {
  std::string kind;
  std::string kerasType; // for `netc summary`
  std::vector<ArgSpec> params;
};
const std::vector<LayerSpec> &layerSpecs();
const LayerSpec *findLayer(const std::string &kind);
std::vector<std::string> layerKinds();

/// Vocabulary functions usable as values: initializers, regularizers,
/// optimizers, learning-rate schedules, losses, metrics.
struct FuncSpec {
  std::string name;
  std::string category; // initializer, regularizer, optimizer, loss, metric
  std::vector<ArgSpec> params;
  bool fillDefaults = true; // record defaults in the Call (runtime reads them)
};
const FuncSpec *findFunc(const std::string &name);
std::vector<std::string> funcNames(const std::string &category);
/// Other bare words that are values: same, valid, none, fan_in, ...
bool isVocabularyWord(const std::string &name);
/// Every built-in name (layers, functions, words), for suggestions.
std::vector<std::string> vocabulary();

/// Argument values bound to a ArgSpec list (positional first).
struct BoundArgs {
  std::map<std::string, Value> values;
  bool ok = true;
};

class Sema {
public:
  Sema(const ast::Module &m, Diagnostics &diags) : mod(m), diags(diags) {}
  std::unique_ptr<Program> run();

  // --- Value.cpp: compile-time evaluation --------------------------------
  struct ExpCtx; // experiment state, defined in Experiments.cpp
  Value eval(const ast::Expr &e, Scope &scope, ExpCtx *exp = nullptr);
  Value evalBinary(const ast::Expr &e, const Value &a, const Value &b);
  Value range(const ast::Expr &e, const Value &a, const Value &b);
  std::optional<bool> truth(const Value &v, SourceLoc loc);

  // --- Argument binding ----------------------------------------------------
  /// Binds evaluated call arguments (`pos`, `kws`) to `specs`; reports
  /// unknown keywords (with suggestion), duplicates, too many positionals,
  /// missing required ones and type errors. `what` names the callee.
  BoundArgs bind(const std::string &what, const std::vector<ArgSpec> &specs,
                 const std::vector<Value> &pos,
                 const std::vector<std::pair<std::string, Value>> &kws,
                 SourceLoc callLoc);
  bool checkType(const std::string &what, const ArgSpec &p, Value &v);
  void evalArg(const ast::Arg &a, Scope &scope, ExpCtx *exp,
               std::vector<Value> &pos,
               std::vector<std::pair<std::string, Value>> &kws);
  void evalArgs(const std::vector<ast::Arg> &args, Scope &scope, ExpCtx *exp,
                std::vector<Value> &pos,
                std::vector<std::pair<std::string, Value>> &kws);

  // --- Specs.cpp ------------------------------------------------------------
  std::optional<netc::Call> toCall(const Value &v, const std::string &category,
                                   const std::string &what);
  std::optional<InitSpec> toInit(const Value &v, const std::string &what);
  std::optional<RegSpec> toReg(const Value &v, const std::string &what);

  // --- Networks.cpp ---------------------------------------------------------
  struct Builder; // a network under construction
  /// Instantiates network `decl` with argument values; returns its index in
  /// Program::networks (existing one if the instance was made before) or -1.
  int instantiate(const ast::NetworkDecl &decl, const std::vector<Value> &pos,
                  const std::vector<std::pair<std::string, Value>> &kws,
                  SourceLoc callLoc);
  int compose(const std::vector<std::pair<int, bool>> &parts, SourceLoc loc);
  void runBody(const std::vector<ast::NetStmt> &body, Builder &b, Scope &scope,
               int &cur);
  void repeat(const ast::NetStmt &s, int64_t count, Builder &b, Scope &scope,
              int &cur);
  int apply(const ast::Expr &e, Builder &b, Scope &scope, int cur);
  int applyNamed(const std::string &name, const ast::Expr &e,
                 const std::vector<ast::Arg> &args, Builder &b, Scope &scope,
                 int cur);
  int applyBlock(const ast::NetworkDecl &decl, const ast::Expr &call,
                 Builder &b, Scope &scope, int cur);

  // --- Layers.cpp
  // -------------------------------------------------------------
  int addLayer(const std::string &kind,
               const std::vector<const ast::Arg *> &args, SourceLoc loc,
               Builder &b, Scope &scope, const std::vector<int> &inputs);
  int inferLayer(Layer &layer, BoundArgs &args, Builder &b);
  int inputLayer(const Value &shape, SourceLoc loc, Builder &b);
  /// False (after a fatal report) when one more layer would pass the limits
  /// on layers per network or per file.
  bool roomForLayer(Builder &b, SourceLoc loc);

  // --- Experiments.cpp
  // --------------------------------------------------------
  void experiment(const ast::ExperimentDecl &decl);
  Value evalExpCall(const ast::Expr &e, Scope &scope, ExpCtx &exp);
  Value evalExpChain(const ast::Expr &e, Scope &scope, ExpCtx &exp);

  // --- Sema.cpp -------------------------------------------------------------
  void declare();
  void dataset(const ast::DatasetDecl &decl);
  const ast::NetworkDecl *findDecl(const std::string &name) const;
  std::vector<std::string> visibleNames(const Scope &scope) const;
  /// didYouMean() over the `names` of the program, once per location (an
  /// error in a loop recurs) and counted as work: a file of many unknown
  /// names among many declarations is quadratic.
  std::string suggest(const std::string &name, SourceLoc loc,
                      const std::function<std::vector<std::string>()> &names);
  std::vector<int64_t> datasetShape(int index) const;

  // --- Limits (Limits.h) ----------------------------------------------------
  /// Reports an error that ends elaboration: past a limit, further checking
  /// would only repeat it or take unbounded time.
  void fatal(SourceLoc loc, const std::string &msg);
  /// Counts `n` steps of work against limits::kWork; false (after one
  /// report) once the budget is spent or elaboration was halted.
  bool spend(int64_t n, SourceLoc loc);
  /// False (after reporting) if a tensor of this shape would have more than
  /// limits::kTensorElements elements. `what` names it in the message.
  bool checkElements(const std::vector<int64_t> &shape, SourceLoc loc,
                     const std::string &what);

  const ast::Module &mod;
  Diagnostics &diags;
  std::unique_ptr<Program> prog;
  std::map<std::string, const ast::NetworkDecl *> decls; // networks+blocks
  /// The same, for lookup by name (the hottest path of elaboration).
  std::unordered_map<std::string, const ast::NetworkDecl *> declIndex;
  std::map<std::string, int> datasetIndex;
  std::map<std::string, int> instances; // instance text -> network index
  std::set<int> composite;              // networks made by composition
  std::unordered_map<std::string, netc::Call> callCache; // toCall results
  /// suggest() results by location and name.
  std::map<std::pair<std::pair<int, int>, std::string>, std::string>
      suggestions;
  int depth = 0;          // block nesting, against recursion
  int nesting = 0;        // repeat bodies and blocks being run, together
  int64_t work = 0;       // steps spent, against limits::kWork
  int64_t layersMade = 0; // in all instances, against kLayersPerFile
  bool halted = false;    // a fatal error was reported
};

/// Tensor handles in a body: a layer index, or one of these.
constexpr int NoTensor = -1;  // nothing yet (before `input`)
constexpr int BadTensor = -2; // an error was reported; stay quiet downstream

struct Sema::Builder {
  Network net;
  const ast::NetworkDecl *decl = nullptr;
  std::map<std::string, int> counts; // per kind, for Keras-style names
  /// `defaults` in effect: kind -> keyword -> value. Blocks see the defaults
  /// of the body that uses them, and their own `defaults` end with them.
  std::map<std::string, std::map<std::string, Value>> defaults;
  int errorsAtStart = 0;
  int64_t repeats = 0; // iterations of repeat bodies, against the limit
};

} // namespace netc

#endif
