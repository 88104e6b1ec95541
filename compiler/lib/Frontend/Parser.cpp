//===- Parser.cpp - Run the ANTLR lexer/parser, collect syntax errors -----===//

#include "ASTBuilder.h"
#include "NetLexer.h"
#include "NetParser.h"
#include "SyntaxErrors.h"
#include "netc/Frontend/Diagnostics.h"
#include "netc/Frontend/Frontend.h"
#include "netc/Frontend/Limits.h"

#include "antlr4-runtime.h"

#include <cstdio>
#include <unordered_map>

namespace netc {
namespace {

/// The generated parser with a bound on its recursion: every `expr`,
/// `netStmt` and `expStmt` it enters is one nesting level, and entering one
/// beyond limits::kNesting reports the error and abandons the parse. Without
/// it 100,000 nested parentheses or `not`s overflow the stack, and error
/// recovery over thousands of unclosed brackets takes quadratic time.
class BoundedParser : public netcgrammar::NetParser {
public:
  BoundedParser(antlr4::TokenStream *input, Diagnostics &diags)
      : NetParser(input), diags(diags) {}

  using NetParser::enterRecursionRule;
  void enterRule(antlr4::ParserRuleContext *ctx, size_t state,
                 size_t rule) override {
    check(ctx);
    NetParser::enterRule(ctx, state, rule);
  }
  void enterRecursionRule(antlr4::ParserRuleContext *ctx, size_t state,
                          size_t rule, int precedence) override {
    check(ctx);
    NetParser::enterRecursionRule(ctx, state, rule, precedence);
  }

private:
  /// (Contexts and their parents are all rule contexts: terminal nodes
  /// are only ever leaves.)
  static bool counts(antlr4::tree::ParseTree *t) {
    size_t i = static_cast<antlr4::RuleContext *>(t)->getRuleIndex();
    return i == RuleExpr || i == RuleNetStmt || i == RuleExpStmt;
  }

  /// Nesting level of a context, memoized: contexts are created with their
  /// parent set, and ANTLR copies some (labelled alternatives), so the walk
  /// up stops at the first context already seen, a step or two away.
  int depthOf(antlr4::tree::ParseTree *ctx) {
    std::vector<antlr4::tree::ParseTree *> path;
    int depth = 0;
    for (antlr4::tree::ParseTree *c = ctx; c; c = c->parent) {
      auto it = depths.find(c);
      if (it != depths.end()) {
        depth = it->second;
        break;
      }
      path.push_back(c);
    }
    for (size_t i = path.size(); i-- > 0;) {
      depth += counts(path[i]);
      depths[path[i]] = depth;
    }
    return depth;
  }

  void check(antlr4::ParserRuleContext *ctx) {
    if (depthOf(ctx) <= limits::kNesting)
      return;
    diags.error(locOf(getCurrentToken()),
                "nesting deeper than " + std::to_string(limits::kNesting) +
                    " levels (each bracket, operator, 'repeat' and loop is "
                    "a level)");
    throw ParseAbort();
  }

  Diagnostics &diags;
  std::unordered_map<antlr4::tree::ParseTree *, int> depths;
};

/// Reports the first byte that is not UTF-8 (ANTLR's input stream would
/// throw on it). Columns count characters, as ANTLR's do.
bool checkUtf8(const std::string &source, Diagnostics &diags,
               int firstLine = 1) {
  SourceLoc loc{firstLine, 1};
  for (size_t i = 0; i < source.size();) {
    size_t len = utf8Length(source, i);
    if (len == 0) {
      char byte[8];
      std::snprintf(byte, sizeof byte, "0x%02X", (unsigned char)source[i]);
      diags.error(loc, std::string("invalid UTF-8 (byte ") + byte +
                           "); netc reads source files as UTF-8");
      return false;
    }
    if (source[i] == '\n')
      loc.line++, loc.col = 1;
    else
      loc.col++;
    i += len;
  }
  return true;
}

/// Lexes `text` (its first line numbered `firstLine`) and parses it with
/// `rule` under the nesting bound and the syntax-error strategy; a clean
/// tree goes to `use` with the token stream (both alive only during the
/// call), whose result is returned. Invalid UTF-8, a syntax error or an
/// aborted (too deep) parse returns an empty R.
template <typename R, typename Rule, typename Use>
R parseWith(const std::string &text, int firstLine, Diagnostics &diags,
            Rule rule, Use use) {
  if (!checkUtf8(text, diags, firstLine))
    return R();
  // Every character lexes (BAD_CHAR catches the rest and the parser reports
  // it), so the lexer reports nothing itself.
  antlr4::ANTLRInputStream input(text);
  netcgrammar::NetLexer lexer(&input);
  lexer.removeErrorListeners();
  lexer.setLine(firstLine);
  antlr4::CommonTokenStream tokens(&lexer);
  BoundedParser parser(&tokens, diags);
  parser.removeErrorListeners();
  auto strategy = std::make_shared<SyntaxErrorStrategy>(diags);
  parser.setErrorHandler(strategy);
  const int before = diags.errorCount();
  decltype(rule(parser)) tree = nullptr;
  try {
    tree = rule(parser);
  } catch (const ParseAbort &) {
    return R();
  }
  // After a syntax error the tree has holes; the AST is only built from a
  // tree that parsed cleanly.
  if (diags.errorCount() != before || strategy->errors() != 0)
    return R();
  return use(tree, tokens);
}

} // namespace

std::unique_ptr<ast::Module> parseSource(const std::string &file,
                                         const std::string &source,
                                         Diagnostics &diags) {
  const int before = diags.errorCount();
  return parseWith<std::unique_ptr<ast::Module>>(
      source, 1, diags, [](auto &parser) { return parser.netFile(); },
      [&](auto *tree, auto &) -> std::unique_ptr<ast::Module> {
        ASTBuilder builder(file, diags);
        auto module = builder.build(tree);
        if (diags.errorCount() != before)
          return nullptr;
        return module;
      });
}

ast::ExprPtr parseExpression(const std::string &text, int firstLine,
                             Diagnostics &diags) {
  const int before = diags.errorCount();
  return parseWith<ast::ExprPtr>(
      text, firstLine, diags, [](auto &parser) { return parser.expr(); },
      [&](auto *tree, antlr4::CommonTokenStream &tokens) -> ast::ExprPtr {
        antlr4::Token *next = tokens.LT(1);
        if (next->getType() != antlr4::Token::EOF) {
          diags.error(locOf(next), "unexpected '" + next->getText() +
                                       "' after the expression");
          return nullptr;
        }
        ASTBuilder builder(diags.file(), diags);
        ast::ExprPtr e = builder.buildExpr(tree);
        return diags.errorCount() != before ? nullptr : std::move(e);
      });
}

} // namespace netc
