//===- ASTBuilder.h - ANTLR parse tree -> AST (private) ---------*- C++ -*-===//
//
// Private to the frontend library: it includes the generated ANTLR headers,
// which need exceptions and RTTI.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_LIB_FRONTEND_ASTBUILDER_H
#define NETC_LIB_FRONTEND_ASTBUILDER_H

#include "netc/Frontend/AST.h"
#include "netc/Frontend/Diagnostics.h"

#include "NetBaseVisitor.h"
#include "NetParser.h"

namespace netc {

/// Walks a parse tree that parsed without syntax errors. Expressions go
/// through the generated visitor (one visit method per labelled
/// alternative); statements and declarations are walked directly because
/// their shapes are few and fixed. It reports what the grammar cannot say:
/// literals out of range, and expressions deeper than limits::kNesting (the
/// parser bounds its own recursion, but `1+1+...+1` parses in a loop into a
/// left-deep tree that every later walk would recurse through).
class ASTBuilder : public netcgrammar::NetBaseVisitor {
public:
  ASTBuilder(std::string file, Diagnostics &diags)
      : file(std::move(file)), diags(diags) {}

  std::unique_ptr<ast::Module> build(netcgrammar::NetParser::NetFileContext *);
  /// One expression parsed on its own (parseExpression).
  ast::ExprPtr buildExpr(netcgrammar::NetParser::ExprContext *ctx) {
    return expr(ctx);
  }

  // Expression alternatives; each returns an owning ast::Expr* in the Any.
  antlrcpp::Any
  visitPrimaryExpr(netcgrammar::NetParser::PrimaryExprContext *) override;
  antlrcpp::Any
  visitMemberExpr(netcgrammar::NetParser::MemberExprContext *) override;
  antlrcpp::Any visitNegExpr(netcgrammar::NetParser::NegExprContext *) override;
  antlrcpp::Any visitMulExpr(netcgrammar::NetParser::MulExprContext *) override;
  antlrcpp::Any visitAddExpr(netcgrammar::NetParser::AddExprContext *) override;
  antlrcpp::Any
  visitRangeExpr(netcgrammar::NetParser::RangeExprContext *) override;
  antlrcpp::Any visitCmpExpr(netcgrammar::NetParser::CmpExprContext *) override;
  antlrcpp::Any visitNotExpr(netcgrammar::NetParser::NotExprContext *) override;
  antlrcpp::Any visitAndExpr(netcgrammar::NetParser::AndExprContext *) override;
  antlrcpp::Any visitOrExpr(netcgrammar::NetParser::OrExprContext *) override;
  antlrcpp::Any
  visitChainExpr(netcgrammar::NetParser::ChainExprContext *) override;
  antlrcpp::Any visitIfExpr(netcgrammar::NetParser::IfExprContext *) override;
  antlrcpp::Any visitIntLit(netcgrammar::NetParser::IntLitContext *) override;
  antlrcpp::Any
  visitFloatLit(netcgrammar::NetParser::FloatLitContext *) override;
  antlrcpp::Any
  visitStringLit(netcgrammar::NetParser::StringLitContext *) override;
  antlrcpp::Any visitBoolLit(netcgrammar::NetParser::BoolLitContext *) override;
  antlrcpp::Any visitInLit(netcgrammar::NetParser::InLitContext *) override;
  antlrcpp::Any visitCallLit(netcgrammar::NetParser::CallLitContext *) override;
  antlrcpp::Any visitNameLit(netcgrammar::NetParser::NameLitContext *) override;
  antlrcpp::Any visitListLit(netcgrammar::NetParser::ListLitContext *) override;
  antlrcpp::Any
  visitParenExpr(netcgrammar::NetParser::ParenExprContext *) override;

private:
  ast::ExprPtr expr(antlr4::ParserRuleContext *ctx);
  ast::ExprPtr binary(netcgrammar::NetParser::ExprContext *ctx,
                      const std::string &op,
                      netcgrammar::NetParser::ExprContext *lhs,
                      netcgrammar::NetParser::ExprContext *rhs);
  ast::ExprPtr stmtExpr(netcgrammar::NetParser::StmtExprContext *ctx);
  std::vector<ast::Arg> args(netcgrammar::NetParser::ArgListContext *ctx);
  ast::Arg arg(netcgrammar::NetParser::ArgContext *ctx);
  ast::NetworkDecl
  network(bool isBlock, antlr4::Token *start, antlr4::tree::TerminalNode *name,
          netcgrammar::NetParser::ParamListContext *params,
          const std::vector<netcgrammar::NetParser::NetStmtContext *> &body);
  ast::NetStmt netStmt(netcgrammar::NetParser::NetStmtContext *ctx);
  ast::ExpStmt expStmt(netcgrammar::NetParser::ExpStmtContext *ctx);

  std::string file;
  Diagnostics &diags;
  int depth = 0;        // of expr() calls
  bool tooDeep = false; // reported an expression beyond the limit
};

/// 1-based line and column of a token (ANTLR columns are 0-based).
SourceLoc locOf(antlr4::Token *tok);

} // namespace netc

#endif
