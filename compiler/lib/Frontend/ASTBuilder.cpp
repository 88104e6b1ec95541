//===- ASTBuilder.cpp - ANTLR parse tree -> AST ---------------------------===//

#include "ASTBuilder.h"

#include "netc/Frontend/Limits.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>

using namespace netcgrammar;

namespace netc {

SourceLoc locOf(antlr4::Token *tok) {
  SourceLoc loc;
  if (tok) {
    loc.line = (int)tok->getLine();
    loc.col = (int)tok->getCharPositionInLine() + 1;
  }
  return loc;
}

static SourceLoc locOf(antlr4::ParserRuleContext *ctx) {
  return locOf(ctx->getStart());
}

static std::string unquote(const std::string &s) {
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && i + 2 < s.size()) {
      char n = s[++i];
      c = n == 'n' ? '\n' : n == 't' ? '\t' : n;
    }
    out += c;
  }
  return out;
}

// The visitor returns owning raw pointers: antlrcpp::Any (4.9) copies its
// payload, so it cannot hold a unique_ptr.
static antlrcpp::Any give(ast::ExprPtr e) { return e.release(); }

ast::ExprPtr ASTBuilder::expr(antlr4::ParserRuleContext *ctx) {
  if (depth >= limits::kNesting) {
    // Once: the placeholder's siblings are as deep.
    if (!tooDeep)
      diags.error(locOf(ctx), "expression deeper than " +
                                  std::to_string(limits::kNesting) +
                                  " levels (each bracket and operator is a "
                                  "level); split it with 'let'");
    tooDeep = true;
    return std::make_unique<ast::Expr>(ast::Expr::Int, locOf(ctx));
  }
  ++depth;
  antlrcpp::Any r = visit(ctx);
  --depth;
  return ast::ExprPtr(r.as<ast::Expr *>());
}

/// The literal as messages show it: long ones shortened.
static std::string literalText(const std::string &text) {
  return text.size() <= 40 ? text : text.substr(0, 37) + "...";
}

ast::ExprPtr ASTBuilder::binary(NetParser::ExprContext *ctx,
                                const std::string &op,
                                NetParser::ExprContext *lhs,
                                NetParser::ExprContext *rhs) {
  auto e = std::make_unique<ast::Expr>(ast::Expr::Binary, locOf(ctx));
  e->text = op;
  e->kids.push_back(expr(lhs));
  e->kids.push_back(expr(rhs));
  return e;
}

antlrcpp::Any ASTBuilder::visitPrimaryExpr(NetParser::PrimaryExprContext *c) {
  return visit(c->primary());
}

antlrcpp::Any ASTBuilder::visitMemberExpr(NetParser::MemberExprContext *c) {
  auto e = std::make_unique<ast::Expr>(ast::Expr::Member, locOf(c));
  e->kids.push_back(expr(c->expr()));
  e->text = c->memberName()->getText();
  return give(std::move(e));
}

antlrcpp::Any ASTBuilder::visitNegExpr(NetParser::NegExprContext *c) {
  auto inner = expr(c->expr());
  // Fold `-3` and `-1e-4` into literals so they print and compare as written.
  if (inner->kind == ast::Expr::Int || inner->kind == ast::Expr::Float) {
    inner->ival = -inner->ival;
    inner->fval = -inner->fval;
    inner->text = "-" + inner->text;
    inner->loc = locOf(c);
    return give(std::move(inner));
  }
  auto e = std::make_unique<ast::Expr>(ast::Expr::Unary, locOf(c));
  e->text = "-";
  e->kids.push_back(std::move(inner));
  return give(std::move(e));
}

antlrcpp::Any ASTBuilder::visitNotExpr(NetParser::NotExprContext *c) {
  auto e = std::make_unique<ast::Expr>(ast::Expr::Unary, locOf(c));
  e->text = "not";
  e->kids.push_back(expr(c->expr()));
  return give(std::move(e));
}

antlrcpp::Any ASTBuilder::visitMulExpr(NetParser::MulExprContext *c) {
  return give(binary(c, c->op->getText(), c->expr(0), c->expr(1)));
}
antlrcpp::Any ASTBuilder::visitAddExpr(NetParser::AddExprContext *c) {
  return give(binary(c, c->op->getText(), c->expr(0), c->expr(1)));
}
antlrcpp::Any ASTBuilder::visitRangeExpr(NetParser::RangeExprContext *c) {
  return give(binary(c, "..", c->expr(0), c->expr(1)));
}
antlrcpp::Any ASTBuilder::visitCmpExpr(NetParser::CmpExprContext *c) {
  return give(binary(c, c->op->getText(), c->expr(0), c->expr(1)));
}
antlrcpp::Any ASTBuilder::visitAndExpr(NetParser::AndExprContext *c) {
  return give(binary(c, "and", c->expr(0), c->expr(1)));
}
antlrcpp::Any ASTBuilder::visitOrExpr(NetParser::OrExprContext *c) {
  return give(binary(c, "or", c->expr(0), c->expr(1)));
}

antlrcpp::Any ASTBuilder::visitChainExpr(NetParser::ChainExprContext *c) {
  // `a -> b -> c` parses as ((a -> b) -> c); one node with every element
  // keeps a chain of many layers flat (and within the nesting limit).
  std::vector<NetParser::ExprContext *> items;
  NetParser::ExprContext *x = c;
  while (auto *chain = dynamic_cast<NetParser::ChainExprContext *>(x)) {
    items.push_back(chain->expr(1));
    x = chain->expr(0);
  }
  items.push_back(x);
  std::reverse(items.begin(), items.end());
  auto e = std::make_unique<ast::Expr>(ast::Expr::Chain, locOf(c));
  for (NetParser::ExprContext *item : items)
    e->kids.push_back(expr(item));
  return give(std::move(e));
}

antlrcpp::Any ASTBuilder::visitIfExpr(NetParser::IfExprContext *c) {
  auto e = std::make_unique<ast::Expr>(ast::Expr::If, locOf(c));
  for (int i = 0; i < 3; ++i)
    e->kids.push_back(expr(c->expr(i)));
  return give(std::move(e));
}

antlrcpp::Any ASTBuilder::visitIntLit(NetParser::IntLitContext *c) {
  auto e = std::make_unique<ast::Expr>(ast::Expr::Int, locOf(c));
  e->text = c->getText();
  for (char digit : e->text) {
    if (__builtin_mul_overflow(e->ival, 10, &e->ival) ||
        __builtin_add_overflow(e->ival, digit - '0', &e->ival)) {
      diags.error(e->loc, "integer " + literalText(e->text) +
                              " is too large; the largest is " +
                              std::to_string(INT64_MAX));
      e->ival = 0;
      break;
    }
  }
  e->fval = (double)e->ival;
  return give(std::move(e));
}

antlrcpp::Any ASTBuilder::visitFloatLit(NetParser::FloatLitContext *c) {
  auto e = std::make_unique<ast::Expr>(ast::Expr::Float, locOf(c));
  e->text = c->getText();
  e->fval = std::strtod(e->text.c_str(), nullptr);
  size_t exponent = e->text.find_first_of("eE");
  bool nonzero = e->text.substr(0, exponent).find_first_of("123456789") !=
                 std::string::npos;
  if (!std::isfinite(e->fval))
    diags.error(e->loc, "number " + literalText(e->text) +
                            " is too large; the largest is about 1.8e308");
  else if (e->fval == 0 && nonzero)
    diags.error(e->loc, "number " + literalText(e->text) +
                            " is too small: it would be 0; the smallest is "
                            "about 4.9e-324");
  return give(std::move(e));
}

antlrcpp::Any ASTBuilder::visitStringLit(NetParser::StringLitContext *c) {
  auto e = std::make_unique<ast::Expr>(ast::Expr::String, locOf(c));
  e->text = unquote(c->getText());
  return give(std::move(e));
}

antlrcpp::Any ASTBuilder::visitBoolLit(NetParser::BoolLitContext *c) {
  auto e = std::make_unique<ast::Expr>(ast::Expr::Bool, locOf(c));
  e->ival = c->getText() == "true";
  e->text = c->getText();
  return give(std::move(e));
}

antlrcpp::Any ASTBuilder::visitInLit(NetParser::InLitContext *c) {
  auto e = std::make_unique<ast::Expr>(ast::Expr::In, locOf(c));
  e->text = "in";
  return give(std::move(e));
}

antlrcpp::Any ASTBuilder::visitCallLit(NetParser::CallLitContext *c) {
  auto e = std::make_unique<ast::Expr>(ast::Expr::Call, locOf(c));
  e->text = c->ID()->getText();
  if (c->argList())
    e->args = args(c->argList());
  return give(std::move(e));
}

antlrcpp::Any ASTBuilder::visitNameLit(NetParser::NameLitContext *c) {
  auto e = std::make_unique<ast::Expr>(ast::Expr::Name, locOf(c));
  e->text = c->getText();
  return give(std::move(e));
}

antlrcpp::Any ASTBuilder::visitListLit(NetParser::ListLitContext *c) {
  auto e = std::make_unique<ast::Expr>(ast::Expr::List, locOf(c));
  for (auto *k : c->expr())
    e->kids.push_back(expr(k));
  return give(std::move(e));
}

antlrcpp::Any ASTBuilder::visitParenExpr(NetParser::ParenExprContext *c) {
  return give(expr(c->expr()));
}

ast::ExprPtr ASTBuilder::stmtExpr(NetParser::StmtExprContext *ctx) {
  if (auto *c = dynamic_cast<NetParser::StmtIfContext *>(ctx)) {
    auto e = std::make_unique<ast::Expr>(ast::Expr::If, locOf(c));
    for (int i = 0; i < 3; ++i)
      e->kids.push_back(expr(c->expr(i)));
    return e;
  }
  auto *c = dynamic_cast<NetParser::StmtChainContext *>(ctx);
  ast::ExprPtr head = expr(c->primary());
  if (!c->expr())
    return head;
  // `a -> b -> c` here is a -> (b -> c): one chain, as in an expression.
  auto e = std::make_unique<ast::Expr>(ast::Expr::Chain, locOf(c));
  e->kids.push_back(std::move(head));
  ast::ExprPtr rest = expr(c->expr());
  if (rest->kind == ast::Expr::Chain)
    for (ast::ExprPtr &k : rest->kids)
      e->kids.push_back(std::move(k));
  else
    e->kids.push_back(std::move(rest));
  return e;
}

ast::Arg ASTBuilder::arg(NetParser::ArgContext *c) {
  ast::Arg a;
  a.loc = locOf(c);
  if (c->argName())
    a.key = c->argName()->getText();
  a.value = expr(c->expr());
  return a;
}

std::vector<ast::Arg> ASTBuilder::args(NetParser::ArgListContext *c) {
  std::vector<ast::Arg> out;
  for (auto *a : c->arg())
    out.push_back(arg(a));
  return out;
}

ast::NetStmt ASTBuilder::netStmt(NetParser::NetStmtContext *ctx) {
  ast::NetStmt s;
  s.loc = locOf(ctx);
  if (auto *c = dynamic_cast<NetParser::DefaultsStmtContext *>(ctx)) {
    s.kind = ast::NetStmt::Defaults;
    for (auto *id : c->ID()) {
      s.kinds.push_back(id->getText());
      s.kindLocs.push_back(locOf(id->getSymbol()));
    }
    if (c->argList())
      s.args = args(c->argList());
  } else if (auto *c = dynamic_cast<NetParser::InputStmtContext *>(ctx)) {
    s.kind = ast::NetStmt::Input;
    s.expr = expr(c->expr());
  } else if (auto *c = dynamic_cast<NetParser::RepeatStmtContext *>(ctx)) {
    s.kind = ast::NetStmt::Repeat;
    s.expr = expr(c->expr());
    for (auto *b : c->netStmt())
      s.body.push_back(netStmt(b));
  } else if (auto *c = dynamic_cast<NetParser::NetLetStmtContext *>(ctx)) {
    s.kind = ast::NetStmt::Let;
    s.name = c->ID()->getText();
    s.expr = expr(c->expr());
  } else {
    auto *l = dynamic_cast<NetParser::LayerStmtContext *>(ctx);
    s.kind = ast::NetStmt::Layer;
    s.expr = stmtExpr(l->stmtExpr());
  }
  return s;
}

ast::ExpStmt ASTBuilder::expStmt(NetParser::ExpStmtContext *ctx) {
  ast::ExpStmt s;
  s.loc = locOf(ctx);
  if (auto *c = dynamic_cast<NetParser::ExpLetStmtContext *>(ctx)) {
    s.kind = ast::ExpStmt::Let;
    s.name = c->ID()->getText();
    s.nameLoc = locOf(c->ID()->getSymbol());
    s.expr = expr(c->expr());
  } else if (auto *c = dynamic_cast<NetParser::TrainStmtContext *>(ctx)) {
    s.kind = ast::ExpStmt::Train;
    s.expr = expr(c->expr(0));
    s.expr2 = expr(c->expr(1));
    for (auto *item : c->trainItem()) {
      ast::Arg a;
      a.key = item->ID()->getText();
      a.loc = locOf(item);
      a.value = expr(item->expr());
      s.args.push_back(std::move(a));
    }
  } else if (auto *c = dynamic_cast<NetParser::ReportStmtContext *>(ctx)) {
    s.kind = ast::ExpStmt::Report;
    for (auto *e : c->expr())
      s.items.push_back(expr(e));
  } else if (auto *c = dynamic_cast<NetParser::ForStmtContext *>(ctx)) {
    s.kind = ast::ExpStmt::For;
    s.name = c->ID()->getText();
    s.nameLoc = locOf(c->ID()->getSymbol());
    s.expr = expr(c->expr());
    for (auto *b : c->expStmt())
      s.body.push_back(expStmt(b));
  } else if (auto *c =
                 dynamic_cast<NetParser::CrossValidateStmtContext *>(ctx)) {
    s.kind = ast::ExpStmt::CrossValidate;
    s.name = c->ID()->getText();
    s.nameLoc = locOf(c->ID()->getSymbol());
    s.expr = expr(c->expr());
    for (auto *a : c->arg())
      s.args.push_back(arg(a));
    for (auto *b : c->expStmt())
      s.body.push_back(expStmt(b));
  } else if (auto *c = dynamic_cast<NetParser::SelectStmtContext *>(ctx)) {
    s.kind = ast::ExpStmt::Select;
    s.name = c->ID(0)->getText();
    s.nameLoc = locOf(c->ID(0)->getSymbol());
    s.metric = c->ID(1)->getText();
    s.metricLoc = locOf(c->ID(1)->getSymbol());
    for (auto *a : c->arg())
      s.args.push_back(arg(a));
  } else if (auto *c = dynamic_cast<NetParser::SaveStmtContext *>(ctx)) {
    s.kind = ast::ExpStmt::Save;
    s.expr = expr(c->expr(0));
    s.expr2 = expr(c->expr(1));
  } else if (auto *c = dynamic_cast<NetParser::LoadStmtContext *>(ctx)) {
    s.kind = ast::ExpStmt::Load;
    s.name = c->ID()->getText();
    s.nameLoc = locOf(c->ID()->getSymbol());
    s.expr = expr(c->expr());
  } else {
    auto *e = dynamic_cast<NetParser::ExpExprStmtContext *>(ctx);
    s.kind = ast::ExpStmt::ExprStmt;
    s.expr = stmtExpr(e->stmtExpr());
  }
  return s;
}

ast::NetworkDecl
ASTBuilder::network(bool isBlock, antlr4::Token *start,
                    antlr4::tree::TerminalNode *name,
                    NetParser::ParamListContext *params,
                    const std::vector<NetParser::NetStmtContext *> &body) {
  ast::NetworkDecl d;
  d.isBlock = isBlock;
  d.loc = locOf(start);
  d.name = name->getText();
  d.nameLoc = locOf(name->getSymbol());
  if (params) {
    d.hasParens = true;
    for (auto *p : params->paramDecl()) {
      ast::ParamDecl pd;
      pd.name = p->ID()->getText();
      pd.loc = locOf(p);
      if (p->expr())
        pd.defaultValue = expr(p->expr());
      d.params.push_back(std::move(pd));
    }
  }
  for (auto *s : body)
    d.body.push_back(netStmt(s));
  return d;
}

std::unique_ptr<ast::Module>
ASTBuilder::build(NetParser::NetFileContext *file) {
  auto m = std::make_unique<ast::Module>();
  m->file = this->file;
  for (auto *top : file->topDecl()) {
    if (auto *n = top->networkDecl()) {
      m->order.push_back({ast::Module::NetworkOrBlock, m->networks.size()});
      m->networks.push_back(
          network(false, n->getStart(), n->ID(), n->paramList(), n->netStmt()));
    } else if (auto *b = top->blockDecl()) {
      m->order.push_back({ast::Module::NetworkOrBlock, m->networks.size()});
      m->networks.push_back(
          network(true, b->getStart(), b->ID(), b->paramList(), b->netStmt()));
    } else if (auto *d = top->datasetDecl()) {
      ast::DatasetDecl dd;
      dd.loc = locOf(d);
      dd.name = d->ID()->getText();
      dd.nameLoc = locOf(d->ID()->getSymbol());
      dd.value = expr(d->expr());
      m->order.push_back({ast::Module::Dataset, m->datasets.size()});
      m->datasets.push_back(std::move(dd));
    } else if (auto *e = top->experimentDecl()) {
      ast::ExperimentDecl ed;
      ed.loc = locOf(e);
      ed.name = e->ID()->getText();
      ed.nameLoc = locOf(e->ID()->getSymbol());
      for (auto *s : e->expStmt())
        ed.body.push_back(expStmt(s));
      if (e->argList())
        ed.args = args(e->argList());
      m->order.push_back({ast::Module::Experiment, m->experiments.size()});
      m->experiments.push_back(std::move(ed));
    }
  }
  return m;
}

} // namespace netc
