//===- ASTDump.cpp - `netc emit --stage ast` ------------------------------===//
//
// One node per line, indented by depth, each with its line:col. Expressions
// are printed back as source text on their statement's line, which keeps the
// dump short enough to read and to FileCheck.
//
//===----------------------------------------------------------------------===//

#include "netc/Frontend/AST.h"

#include <ostream>

namespace netc {
namespace ast {

static std::string at(SourceLoc loc) {
  return " @" + std::to_string(loc.line) + ":" + std::to_string(loc.col);
}

static std::string argsText(const std::vector<Arg> &args) {
  std::string s;
  for (size_t i = 0; i < args.size(); ++i) {
    s += i ? ", " : "";
    if (!args[i].key.empty())
      s += args[i].key + ": ";
    s += exprText(*args[i].value);
  }
  return s;
}

static std::string operand(const Expr &e) {
  bool compound =
      e.kind == Expr::Binary || e.kind == Expr::Chain || e.kind == Expr::If;
  return compound ? "(" + exprText(e) + ")" : exprText(e);
}

std::string exprText(const Expr &e) {
  switch (e.kind) {
  case Expr::Int:
  case Expr::Float:
  case Expr::Bool:
  case Expr::Name:
  case Expr::In:
    return e.text;
  case Expr::String:
    return "\"" + e.text + "\"";
  case Expr::Call:
    return e.text + "(" + argsText(e.args) + ")";
  case Expr::List: {
    std::string s = "[";
    for (size_t i = 0; i < e.kids.size(); ++i)
      s += (i ? ", " : "") + exprText(*e.kids[i]);
    return s + "]";
  }
  case Expr::Member:
    return operand(*e.kids[0]) + "." + e.text;
  case Expr::Unary:
    return e.text == "-" ? "-" + operand(*e.kids[0])
                         : "not " + operand(*e.kids[0]);
  case Expr::Binary:
    if (e.text == "..")
      return operand(*e.kids[0]) + ".." + operand(*e.kids[1]);
    return operand(*e.kids[0]) + " " + e.text + " " + operand(*e.kids[1]);
  case Expr::Chain: {
    std::string s;
    for (size_t i = 0; i < e.kids.size(); ++i)
      s += (i ? " -> " : "") + exprText(*e.kids[i]);
    return s;
  }
  case Expr::If:
    return "if " + exprText(*e.kids[0]) + " then " + exprText(*e.kids[1]) +
           " else " + exprText(*e.kids[2]);
  }
  return "";
}

namespace {
struct Dumper {
  std::ostream &os;
  int depth = 0;

  std::ostream &line() { return os << std::string(2 * depth, ' '); }

  void netStmts(const std::vector<NetStmt> &body) {
    ++depth;
    for (const NetStmt &s : body) {
      switch (s.kind) {
      case NetStmt::Defaults: {
        std::string kinds;
        for (size_t i = 0; i < s.kinds.size(); ++i)
          kinds += (i ? ", " : "") + s.kinds[i];
        line() << "Defaults " << kinds << " (" << argsText(s.args) << ")"
               << at(s.loc) << "\n";
        break;
      }
      case NetStmt::Input:
        line() << "Input " << exprText(*s.expr) << at(s.loc) << "\n";
        break;
      case NetStmt::Repeat:
        line() << "Repeat " << exprText(*s.expr) << at(s.loc) << "\n";
        netStmts(s.body);
        break;
      case NetStmt::Let:
        line() << "Let " << s.name << " = " << exprText(*s.expr) << at(s.loc)
               << "\n";
        break;
      case NetStmt::Layer:
        line() << "Layer " << exprText(*s.expr) << at(s.loc) << "\n";
        break;
      }
    }
    --depth;
  }

  void expStmts(const std::vector<ExpStmt> &body) {
    ++depth;
    for (const ExpStmt &s : body) {
      switch (s.kind) {
      case ExpStmt::Let:
        line() << "Let " << s.name << " = " << exprText(*s.expr) << at(s.loc)
               << "\n";
        break;
      case ExpStmt::Train:
        line() << "Train " << exprText(*s.expr) << " on " << exprText(*s.expr2)
               << at(s.loc) << "\n";
        ++depth;
        for (const Arg &a : s.args)
          line() << a.key << ": " << exprText(*a.value) << at(a.loc) << "\n";
        --depth;
        break;
      case ExpStmt::Report: {
        std::string items;
        for (size_t i = 0; i < s.items.size(); ++i)
          items += (i ? ", " : "") + exprText(*s.items[i]);
        line() << "Report " << items << at(s.loc) << "\n";
        break;
      }
      case ExpStmt::For:
        line() << "For " << s.name << " in " << exprText(*s.expr) << at(s.loc)
               << "\n";
        expStmts(s.body);
        break;
      case ExpStmt::CrossValidate:
        line() << "CrossValidate " << s.name << " in " << exprText(*s.expr)
               << (s.args.empty() ? "" : ", " + argsText(s.args)) << at(s.loc)
               << "\n";
        expStmts(s.body);
        break;
      case ExpStmt::Select:
        line() << "Select " << s.name << " " << s.metric
               << (s.args.empty() ? "" : ", " + argsText(s.args)) << at(s.loc)
               << "\n";
        break;
      case ExpStmt::Save:
        line() << "Save " << exprText(*s.expr) << " to " << exprText(*s.expr2)
               << at(s.loc) << "\n";
        break;
      case ExpStmt::Load:
        line() << "Load " << s.name << " from " << exprText(*s.expr)
               << at(s.loc) << "\n";
        break;
      case ExpStmt::ExprStmt:
        line() << "Expr " << exprText(*s.expr) << at(s.loc) << "\n";
        break;
      }
    }
    --depth;
  }
};
} // namespace

void dumpAst(const Module &m, std::ostream &os) {
  Dumper d{os};
  os << "Module \"" << m.file << "\"\n";
  d.depth = 1;
  for (auto [kind, index] : m.order) {
    if (kind == Module::NetworkOrBlock) {
      const NetworkDecl &n = m.networks[index];
      d.line() << (n.isBlock ? "Block " : "Network ") << n.name << at(n.loc)
               << "\n";
      ++d.depth;
      for (const ParamDecl &p : n.params)
        d.line() << "Param " << p.name
                 << (p.defaultValue ? " = " + exprText(*p.defaultValue) : "")
                 << at(p.loc) << "\n";
      --d.depth;
      d.netStmts(n.body);
    } else if (kind == Module::Dataset) {
      const DatasetDecl &ds = m.datasets[index];
      d.line() << "Dataset " << ds.name << " = " << exprText(*ds.value)
               << at(ds.loc) << "\n";
    } else {
      const ExperimentDecl &e = m.experiments[index];
      d.line() << "Experiment " << e.name
               << (e.args.empty() ? "" : " (" + argsText(e.args) + ")")
               << at(e.loc) << "\n";
      d.expStmts(e.body);
    }
  }
}

} // namespace ast
} // namespace netc
