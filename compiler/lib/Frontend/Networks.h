//===- Networks.h - Networks, blocks and layers (private) -------*- C++ -*-===//
//
// Networks instantiates network declarations with concrete arguments: it
// runs their bodies (Networks.cpp), binds and checks each layer's arguments
// and infers its output shape and parameters (Layers.cpp), and composes
// networks for `A -> B` in experiments. Every distinct instance is made
// once and added to Program::networks.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_LIB_FRONTEND_NETWORKS_H
#define NETC_LIB_FRONTEND_NETWORKS_H

#include "Evaluator.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace netc {

/// Tensor handles in a body: a layer index, or one of these.
constexpr int NoTensor = -1;  // nothing yet (before `input`)
constexpr int BadTensor = -2; // an error was reported; stay quiet downstream

class Networks {
public:
  Networks(Context &ctx, Evaluator &ev) : ctx(ctx), diags(ctx.diags), ev(ev) {}

  /// Instantiates network `decl` with argument values; returns its index in
  /// Program::networks (existing one if the instance was made before) or -1.
  int instantiate(const ast::NetworkDecl &decl, const std::vector<Value> &pos,
                  const Keywords &kws, SourceLoc callLoc);
  /// The network `parts[0] -> parts[1] -> ...` (network index, frozen); its
  /// index in Program::networks or -1.
  int compose(const std::vector<std::pair<int, bool>> &parts, SourceLoc loc);

  /// A layer's arguments by name, after binding and defaults.
  using Args = std::map<std::string, Value>;

private:
  struct Builder; // a network under construction

  // --- Bodies (Networks.cpp) ------------------------------------------------
  bool bindDecl(const ast::NetworkDecl &d, const std::vector<Value> &pos,
                const Keywords &kws, SourceLoc callLoc, Scope &out);
  bool isTensorExpr(const ast::Expr &e, const Scope &scope) const;
  void runBody(const std::vector<ast::NetStmt> &body, Builder &b, Scope &scope,
               int &cur);
  void defaults(const ast::NetStmt &s, Builder &b, Scope &scope);
  void input(const ast::NetStmt &s, Builder &b, Scope &scope, int &cur);
  void repeat(const ast::NetStmt &s, Builder &b, Scope &scope, int &cur);
  void runRepeat(const ast::NetStmt &s, int64_t count, Builder &b, Scope &scope,
                 int &cur);
  void let(const ast::NetStmt &s, Builder &b, Scope &scope, int cur);
  int apply(const ast::Expr &e, Builder &b, Scope &scope, int cur);
  int applyName(const ast::Expr &e, Builder &b, Scope &scope, int cur);
  int applyNamed(const std::string &name, const ast::Expr &e,
                 const std::vector<ast::Arg> &args, Builder &b, Scope &scope,
                 int cur);
  int applyLayer(const std::string &name, const ast::Expr &e,
                 const std::vector<ast::Arg> &args, Builder &b, Scope &scope,
                 int cur);
  int applyBlock(const ast::NetworkDecl &decl, const ast::Expr &call,
                 Builder &b, Scope &scope, int cur);
  bool withinNesting(SourceLoc loc);
  /// Drops the layers the output does not depend on (an unused `let`
  /// branch), as Keras drops unconnected layers, with a warning for each
  /// unused `let` (Unconnected.cpp).
  void dropUnconnected(Builder &b);
  // --- Composition (Networks.cpp) -------------------------------------------
  bool withinComposeLimits(const std::vector<std::pair<int, bool>> &parts,
                           SourceLoc loc);
  std::string composedName(const std::vector<std::pair<int, bool>> &parts);
  bool partsFit(const std::vector<std::pair<int, bool>> &parts, SourceLoc loc);
  void appendPart(Network &out, const Network &n, bool frozen, bool first,
                  std::map<std::string, int> &prefixUses, bool composed);

  // --- Layers (Layers.cpp) --------------------------------------------------
  int addLayer(const std::string &kind,
               const std::vector<const ast::Arg *> &args, SourceLoc loc,
               Builder &b, Scope &scope, const std::vector<int> &inputs);
  BoundArgs bindLayer(const std::string &kind,
                      const std::vector<ArgSpec> &specs,
                      const std::vector<const ast::Arg *> &args, SourceLoc loc,
                      Builder &b, Scope &scope);
  int inferLayer(Layer &layer, Args &args, Builder &b);
  int inputLayer(const Value &shape, SourceLoc loc, Builder &b);
  /// False (after a fatal report) when one more layer would pass the limits
  /// on layers per network or per file.
  bool roomForLayer(Builder &b, SourceLoc loc);
  bool argsInRange(const Layer &l, const Args &v);
  void weights(Layer &l, Args &v);
  void addParam(Network &net, Layer &layer, int layerIndex,
                const std::string &suffix, std::vector<int64_t> shape,
                const InitSpec &init, const RegSpec &reg, bool trainable);
  // Shape rules, one per layer family: false after reporting an error.
  using Shape = std::vector<int64_t>;
  bool inferConv(Layer &l, Args &v, const Shape &in, Builder &b);
  bool inferDense(Layer &l, Args &v, const Shape &in, Builder &b);
  bool inferBatchnorm(Layer &l, Args &v, const Shape &in, Builder &b);
  bool inferDropout(Layer &l, Args &v, const Shape &in, Builder &b);
  bool inferPool(Layer &l, Args &v, const Shape &in, Builder &b);
  bool inferGlobalPool(Layer &l, Args &v, const Shape &in, Builder &b);
  bool inferFlatten(Layer &l, Args &v, const Shape &in, Builder &b);
  bool inferZeropad(Layer &l, Args &v, const Shape &in, Builder &b);
  bool inferAdd(Layer &l, Args &v, const Shape &in, Builder &b);
  bool inferConcat(Layer &l, Args &v, const Shape &in, Builder &b);
  bool inferPolyfeatures(Layer &l, Args &v, const Shape &in, Builder &b);
  bool inferActivation(Layer &l, Args &v, const Shape &in, Builder &b);
  using ShapeRule = bool (Networks::*)(Layer &, Args &, const Shape &,
                                       Builder &);
  static ShapeRule shapeRule(const std::string &kind);
  bool fail(const Layer &l, const std::string &msg);

  Context &ctx;
  Diagnostics &diags;
  Evaluator &ev;
  std::map<std::string, int> instances; // instance text -> network index
  std::set<int> composite;              // networks made by composition
  int depth = 0;                        // block nesting, against recursion
  int nesting = 0;        // repeat bodies and blocks being run, together
  int64_t layersMade = 0; // in all instances, against kLayersPerFile
};

struct Networks::Builder {
  Network net;
  const ast::NetworkDecl *decl = nullptr;
  std::map<std::string, int> counts; // per kind, for Keras-style names
  /// `defaults` in effect: kind -> keyword -> value. Blocks see the defaults
  /// of the body that uses them, and their own `defaults` end with them.
  std::map<std::string, std::map<std::string, Value>> defaults;
  int errorsAtStart = 0;
  int64_t repeats = 0; // iterations of repeat bodies, against the limit
  /// Tensors named by `let`, for the warning on unused ones.
  struct LetTensor {
    std::string name;
    int tensor;
    SourceLoc loc;
  };
  std::vector<LetTensor> lets;
};

} // namespace netc

#endif
