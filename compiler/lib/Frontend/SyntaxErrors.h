//===- SyntaxErrors.h - Syntax errors in plain words (private) --*- C++ -*-===//
//
// ANTLR's default strategy recovers well (single-token insertion and
// deletion, then resynchronization) but words its reports for grammar
// authors: `mismatched input 'dense' expecting {...}` at the next token, which
// after a forgotten `)` is on the next line. This strategy keeps the recovery
// and reports as clang does: a missing token just after the last token before
// it, a missing closing bracket with a note at the bracket it closes, and
// what was expected by name ("an expression", "')'").
//
//===----------------------------------------------------------------------===//
#ifndef NETC_LIB_FRONTEND_SYNTAXERRORS_H
#define NETC_LIB_FRONTEND_SYNTAXERRORS_H

#include "netc/Frontend/Diagnostics.h"

#include "antlr4-runtime.h"

namespace netc {

/// Thrown to stop the parse after the error has been reported: nesting
/// beyond limits::kNesting, or more than limits::kSyntaxErrors errors.
struct ParseAbort {};

class SyntaxErrorStrategy : public antlr4::DefaultErrorStrategy {
public:
  explicit SyntaxErrorStrategy(Diagnostics &diags) : diags(diags) {}
  int errors() const { return count; }

protected:
  void
  reportNoViableAlternative(antlr4::Parser *p,
                            const antlr4::NoViableAltException &e) override;
  void reportInputMismatch(antlr4::Parser *p,
                           const antlr4::InputMismatchException &e) override;
  void
  reportFailedPredicate(antlr4::Parser *p,
                        const antlr4::FailedPredicateException &e) override;
  void reportUnwantedToken(antlr4::Parser *p) override;
  void reportMissingToken(antlr4::Parser *p) override;

private:
  /// One report. `missing`: a token is missing before `bad` (rather than
  /// `bad` being wrong).
  void report(antlr4::Parser *p, antlr4::Token *bad,
              const antlr4::misc::IntervalSet &expected, bool missing);
  /// Reports a missing closing bracket, after `prev`, when that explains
  /// the error: the parser could close its innermost open bracket here, and
  /// what follows is the end of the file, another closing bracket, what the
  /// bracket would be followed by (`missing`), or on another line when
  /// nothing but the bracket (or a comma or an operator) could come next.
  bool reportMissingCloser(antlr4::Parser *p, antlr4::Token *bad,
                           antlr4::Token *prev,
                           const antlr4::misc::IntervalSet &expected,
                           bool missing);

  Diagnostics &diags;
  int count = 0;
};

/// "'dense'", "end of file", "character '$'": a token as messages name it.
std::string tokenDescription(antlr4::Token *tok);

} // namespace netc

#endif
