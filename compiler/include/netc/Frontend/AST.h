//===- AST.h - Syntax tree of a .net file -----------------------*- C++ -*-===//
//
// Plain structs built from the ANTLR parse tree (ASTBuilder.cpp). Nothing here
// depends on ANTLR, so Sema and the dumper compile without its headers. Every
// node carries the 1-based line:col of its first token for diagnostics.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_FRONTEND_AST_H
#define NETC_FRONTEND_AST_H

#include "netc/Frontend/Program.h"

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

namespace netc {
namespace ast {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

/// A call argument: positional when `key` is empty.
struct Arg {
  std::string key;
  SourceLoc loc; // of the key, or of the value when positional
  ExprPtr value;
};

/// One expression node. A single struct with a kind tag keeps the tree easy
/// to walk from both the layer elaborator and the compile-time evaluator,
/// which interpret the same syntax differently.
struct Expr {
  enum Kind {
    Int,    // ival
    Float,  // fval (text keeps the spelling)
    String, // text (unescaped)
    Bool,   // ival 0/1
    Name,   // text
    In,     // the block's input tensor
    Call,   // text = callee, args
    List,   // kids
    Member, // kids[0] . text
    Unary,  // text = "-" | "not", kids[0]
    Binary, // text = operator (+ - * / == != < <= > >= and or ..), kids[0..1]
    Chain,  // kids[0] -> kids[1] -> ... (two or more)
    If,     // kids = cond, then, else
  };
  Kind kind;
  SourceLoc loc;
  int64_t ival = 0;
  double fval = 0;
  std::string text;
  std::vector<ExprPtr> kids;
  std::vector<Arg> args;

  Expr(Kind k, SourceLoc l) : kind(k), loc(l) {}
};

/// Source-like text of an expression (used by the dumper and in messages).
std::string exprText(const Expr &e);

struct ParamDecl {
  std::string name;
  SourceLoc loc;
  ExprPtr defaultValue; // null: required
};

struct NetStmt {
  enum Kind { Defaults, Input, Repeat, Let, Layer };
  Kind kind;
  SourceLoc loc;
  std::vector<std::string> kinds; // Defaults: the layer kinds
  std::vector<SourceLoc> kindLocs;
  std::vector<Arg> args; // Defaults
  std::string name;      // Let
  ExprPtr expr; // Input shape, Repeat count, Let value, Layer expression
  std::vector<NetStmt> body; // Repeat
};

/// `network` or `block`: same shape, blocks are applied to a tensor `in`.
struct NetworkDecl {
  bool isBlock = false;
  std::string name;
  SourceLoc loc, nameLoc;
  bool hasParens = false;
  std::vector<ParamDecl> params;
  std::vector<NetStmt> body;
};

struct DatasetDecl {
  std::string name;
  SourceLoc loc, nameLoc;
  ExprPtr value;
};

struct ExpStmt {
  enum Kind {
    Let,
    Train,
    Report,
    For,
    CrossValidate,
    Select,
    Save,
    Load,
    ExprStmt
  };
  Kind kind;
  SourceLoc loc;
  std::string name; // Let/For/CrossValidate variable, Load target,
                    // Select mode (min|max)
  SourceLoc nameLoc;
  std::string metric; // Select
  SourceLoc metricLoc;
  ExprPtr expr;               // Let value, Train net, For/CV domain, Save net,
                              // Load file, Expr
  ExprPtr expr2;              // Train data, Save file
  std::vector<ExprPtr> items; // Report
  std::vector<Arg> args;      // Train items, CrossValidate/Select options
  std::vector<ExpStmt> body;  // For, CrossValidate
};

struct ExperimentDecl {
  std::string name;
  SourceLoc loc, nameLoc;
  std::vector<ExpStmt> body;
  std::vector<Arg> args; // `experiment e (seeds: 5)`: seed, seeds
};

/// A whole file. Declarations are kept per kind plus their source order.
struct Module {
  std::string file;
  std::vector<NetworkDecl> networks; // networks and blocks
  std::vector<DatasetDecl> datasets;
  std::vector<ExperimentDecl> experiments;
  enum DeclKind { NetworkOrBlock, Dataset, Experiment };
  std::vector<std::pair<DeclKind, size_t>> order;
};

/// Readable indented tree with line:col (`netc emit --stage ast`).
void dumpAst(const Module &m, std::ostream &os);

} // namespace ast

using ast::dumpAst;

} // namespace netc

#endif
