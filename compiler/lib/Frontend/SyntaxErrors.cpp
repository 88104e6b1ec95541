//===- SyntaxErrors.cpp - Syntax errors in plain language -----------------===//

#include "SyntaxErrors.h"

#include "ASTBuilder.h"
#include "netc/Frontend/Limits.h"

#include <cstdio>
#include <set>

using antlr4::Token;
using netcgrammar::NetParser;

namespace netc {
namespace {

using TokenSet = std::set<ssize_t>;

/// Token types by their spelling in the grammar, e.g. "(" -> T__4.
class Spellings {
public:
  static const Spellings &get(antlr4::Parser *p) {
    static const Spellings s(p->getVocabulary());
    return s;
  }
  ssize_t type(const std::string &text) const {
    auto it = types.find(text);
    return it == types.end() ? -2 : it->second;
  }
  TokenSet of(std::initializer_list<const char *> texts) const {
    TokenSet out;
    for (const char *t : texts)
      out.insert(type(t));
    return out;
  }

private:
  explicit Spellings(const antlr4::dfa::Vocabulary &v) {
    for (size_t t = 1; t <= v.getMaxTokenType(); ++t) {
      std::string lit = v.getLiteralName(t);
      if (lit.size() >= 2)
        types[lit.substr(1, lit.size() - 2)] = (ssize_t)t;
    }
  }
  std::map<std::string, ssize_t> types;
};

const char *openers[] = {"(", "[", "{"};
const char *closers[] = {")", "]", "}"};

/// At most `max` characters of `text`, cut at a character boundary.
std::string abbreviate(const std::string &text, size_t max = 32) {
  size_t i = 0, chars = 0;
  while (i < text.size() && chars < max) {
    size_t len = utf8Length(text, i);
    i += len ? len : 1;
    ++chars;
  }
  return i < text.size() ? text.substr(0, i) + "..." : text;
}

size_t characterCount(const std::string &text) {
  size_t n = 0;
  for (size_t i = 0; i < text.size(); ++n) {
    size_t len = utf8Length(text, i);
    i += len ? len : 1;
  }
  return n;
}

/// The position just after a token (tokens do not span lines).
SourceLoc endOf(Token *tok) {
  SourceLoc loc = locOf(tok);
  loc.col += (int)characterCount(tok->getText());
  return loc;
}

/// The token before `tok` in the stream, or null.
Token *previous(antlr4::Parser *p, Token *tok) {
  size_t i = tok->getTokenIndex();
  if (i == 0 || i == (size_t)-1)
    return nullptr;
  return p->getTokenStream()->get(i - 1);
}

/// The innermost bracket the parser is inside that has no closing partner
/// yet: the context stack holds it as a child of one of the rules being
/// parsed (each rule has at most one bracket pair).
Token *openBracket(antlr4::ParserRuleContext *ctx, int &kind) {
  for (antlr4::tree::ParseTree *c = ctx; c; c = c->parent) {
    for (int k = 0; k < 3; ++k) {
      Token *open = nullptr;
      bool closed = false;
      for (antlr4::tree::ParseTree *child : c->children) {
        auto *t = dynamic_cast<antlr4::tree::TerminalNode *>(child);
        if (!t)
          continue;
        std::string text = t->getSymbol()->getText();
        if (text == openers[k])
          open = t->getSymbol(), closed = false;
        else if (text == closers[k] && open)
          closed = true;
      }
      if (open && !closed) {
        kind = k;
        return open;
      }
    }
  }
  return nullptr;
}

/// "a, b or c".
std::string joinOr(const std::vector<std::string> &items) {
  std::string s;
  for (size_t i = 0; i < items.size(); ++i)
    s += (i == 0 ? "" : i + 1 == items.size() ? " or " : ", ") + items[i];
  return s;
}

bool containsAll(const TokenSet &set, const TokenSet &sub) {
  for (ssize_t t : sub)
    if (!set.count(t))
      return false;
  return true;
}

void removeAll(TokenSet &set, const TokenSet &sub) {
  for (ssize_t t : sub)
    set.erase(t);
}

/// Tokens that may continue an expression: always possible after one, so
/// never worth listing when something else was expected too.
TokenSet continuations(const Spellings &sp) {
  return sp.of({".", "*", "/", "+", "-", "..", "==", "!=", "<", "<=", ">",
                ">=", "and", "or", "->"});
}

std::string tokenTypeName(ssize_t t, antlr4::Parser *p) {
  if (t == (ssize_t)Token::EOF)
    return "end of file";
  switch (t) {
  case NetParser::ID:
    return "a name";
  case NetParser::INT:
    return "an integer";
  case NetParser::FLOAT:
    return "a number";
  case NetParser::STRING:
    return "a string";
  default:
    return p->getVocabulary().getLiteralName(t);
  }
}

/// What the parser expected, in words: "an expression or ')'".
std::string expectedText(antlr4::Parser *p,
                         const antlr4::misc::IntervalSet &expected) {
  const Spellings &sp = Spellings::get(p);
  TokenSet set;
  for (ssize_t t : expected.toList())
    set.insert(t);
  // What may begin a statement that is an expression (stmtExpr), and what
  // else may begin any expression.
  TokenSet stmtStart = sp.of({"true", "false", "in", "[", "if"});
  for (ssize_t t :
       {NetParser::ID, NetParser::INT, NetParser::FLOAT, NetParser::STRING})
    stmtStart.insert(t);
  TokenSet exprStart = stmtStart;
  for (ssize_t t : sp.of({"(", "-", "not"}))
    exprStart.insert(t);
  TokenSet netWords = sp.of({"defaults", "input", "repeat", "let"});
  TokenSet expWords = sp.of({"let", "train", "report", "for", "crossvalidate",
                             "select", "save", "load"});
  TokenSet declWords = sp.of({"network", "block", "dataset", "experiment"});
  std::vector<std::string> items;
  if (containsAll(set, exprStart)) {
    items.push_back("an expression");
    removeAll(set, exprStart);
  } else if (containsAll(set, stmtStart) && containsAll(set, netWords)) {
    items = {"a layer", "a statement"};
    removeAll(set, stmtStart), removeAll(set, netWords);
  } else if (containsAll(set, stmtStart) && containsAll(set, expWords)) {
    items.push_back("a statement");
    removeAll(set, stmtStart), removeAll(set, expWords);
  }
  if (containsAll(set, declWords)) {
    items.push_back("a declaration (network, block, dataset or experiment)");
    removeAll(set, declWords);
  }
  TokenSet rest = set;
  removeAll(rest, continuations(sp));
  if (rest.empty() && items.empty() && !set.empty())
    return "an operator";
  for (ssize_t t : rest)
    items.push_back(tokenTypeName(t, p));
  return joinOr(items);
}

} // namespace

std::string tokenDescription(Token *tok) {
  if (tok->getType() == Token::EOF)
    return "end of file";
  std::string text = tok->getText();
  if (tok->getType() == NetParser::STRING)
    return "string " + abbreviate(text);
  if (tok->getType() != NetParser::BAD_CHAR)
    return "'" + abbreviate(text) + "'";
  if (text == "\"")
    return "'\"' (a string must end on the line it starts)";
  unsigned char c = text.empty() ? 0 : text[0];
  if (text.size() == 1 && c >= 0x20 && c < 0x7F)
    return "character '" + text + "'";
  char buf[32];
  std::u32string cps =
      antlrcpp::utf8_to_utf32(text.data(), text.data() + text.size());
  std::snprintf(buf, sizeof buf, "character U+%04X",
                cps.empty() ? 0u : (unsigned)cps[0]);
  return buf;
}

bool SyntaxErrorStrategy::reportMissingCloser(
    antlr4::Parser *p, Token *bad, Token *prev,
    const antlr4::misc::IntervalSet &expected, bool missing) {
  int kind = 0;
  Token *open = openBracket(p->getContext(), kind);
  if (!open || !expected.contains(Spellings::get(p).type(closers[kind])))
    return false;
  TokenSet rest;
  for (ssize_t t : expected.toList())
    rest.insert(t);
  removeAll(rest, continuations(Spellings::get(p)));
  rest.erase(Spellings::get(p).type(","));
  bool nextLine = bad->getLine() > prev->getLine() && rest.size() == 1;
  // (Not for braces: in a body a stray ')' is more often left over from an
  // earlier error than a sign of a missing '}'.)
  std::string text = bad->getText();
  bool otherCloser = closers[kind] != std::string("}") &&
                     (text == ")" || text == "]" || text == "}");
  if (bad->getType() != Token::EOF && !nextLine && !missing && !otherCloser)
    return false;
  SourceLoc at = locOf(open);
  diags.error(endOf(prev), std::string("expected '") + closers[kind] +
                               "' to close '" + openers[kind] + "' opened at " +
                               std::to_string(at.line) + ":" +
                               std::to_string(at.col));
  diags.note(at, std::string("to match this '") + openers[kind] + "'");
  return true;
}

void SyntaxErrorStrategy::report(antlr4::Parser *p, Token *bad,
                                 const antlr4::misc::IntervalSet &expected,
                                 bool missing) {
  if (++count > limits::kSyntaxErrors) {
    diags.error(SourceLoc{}, "too many syntax errors (more than " +
                                 std::to_string(limits::kSyntaxErrors) +
                                 "); stopping here");
    throw ParseAbort();
  }
  Token *prev = previous(p, bad);
  if (prev && reportMissingCloser(p, bad, prev, expected, missing))
    return;
  SourceLoc after = prev ? endOf(prev) : locOf(bad);
  std::string want = expectedText(p, expected);
  if (missing && prev && !want.empty()) {
    diags.error(after, "expected " + want);
    return;
  }
  diags.error(locOf(bad), "unexpected " + tokenDescription(bad) +
                              (want.empty() ? "" : "; expected " + want));
}

void SyntaxErrorStrategy::reportNoViableAlternative(
    antlr4::Parser *p, const antlr4::NoViableAltException &e) {
  // Prediction may have failed tokens after the decision started; the set
  // expected at the decision only describes its first token.
  Token *bad = e.getOffendingToken();
  bool first = e.getStartToken() == bad;
  report(p, bad, first ? e.getExpectedTokens() : antlr4::misc::IntervalSet(),
         false);
}

void SyntaxErrorStrategy::reportInputMismatch(
    antlr4::Parser *p, const antlr4::InputMismatchException &e) {
  report(p, e.getOffendingToken(), e.getExpectedTokens(), false);
}

void SyntaxErrorStrategy::reportFailedPredicate(
    antlr4::Parser *p, const antlr4::FailedPredicateException &e) {
  report(p, e.getOffendingToken(), antlr4::misc::IntervalSet(), false);
}

void SyntaxErrorStrategy::reportUnwantedToken(antlr4::Parser *p) {
  if (inErrorRecoveryMode(p))
    return;
  beginErrorCondition(p);
  report(p, p->getCurrentToken(), getExpectedTokens(p), false);
}

void SyntaxErrorStrategy::reportMissingToken(antlr4::Parser *p) {
  if (inErrorRecoveryMode(p))
    return;
  beginErrorCondition(p);
  report(p, p->getCurrentToken(), getExpectedTokens(p), true);
}

} // namespace netc
