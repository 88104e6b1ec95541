//===- Sema.h - Values and the vocabulary (private) -------------*- C++ -*-===//
//
// Checking and elaboration turn the AST into a Program: datasets are
// checked, every network without required parameters is instantiated with
// its defaults, and experiments are unrolled, which instantiates the
// networks they call with concrete arguments. Networks and blocks are
// templates: their bodies are only checked when instantiated, since shapes
// and `repeat` counts depend on the arguments.
//
// This header holds what every checking unit uses: compile-time values and
// the vocabulary tables (Specs.cpp). The units, which share one Context
// (Context.h: diagnostics, the Program, declarations, limits):
//   Evaluator (Evaluator.h; Value.cpp, Specs.cpp)  values, argument binding
//   Networks (Networks.h; Networks.cpp, Layers.cpp) bodies, layers, shapes
//   ExperimentChecker (Experiments.h/.cpp)         unrolling experiments
//   Sema (Sema.cpp)                                declarations, datasets,
//                                                  the driver
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

} // namespace netc

#endif
