//===- Parser.cpp - Run the ANTLR lexer/parser, collect syntax errors -----===//

#include "ASTBuilder.h"
#include "NetLexer.h"
#include "NetParser.h"
#include "netc/Frontend/Diagnostics.h"
#include "netc/Frontend/Frontend.h"

#include "antlr4-runtime.h"

namespace netc {
namespace {

/// Forwards lexer and parser errors to Diagnostics so they get the same
/// `file:line:col: error:` format and caret as semantic errors. ANTLR keeps
/// going after an error (single-token insertion/deletion, then resync), so
/// one run reports every syntax error.
class ErrorListener : public antlr4::BaseErrorListener {
public:
  explicit ErrorListener(Diagnostics &diags) : diags(diags) {}

  void syntaxError(antlr4::Recognizer *, antlr4::Token *offending, size_t line,
                   size_t charPositionInLine, const std::string &msg,
                   std::exception_ptr) override {
    SourceLoc loc{(int)line, (int)charPositionInLine + 1};
    std::string text = msg;
    // ANTLR says "token recognition error at: '$'"; say what it is.
    if (!offending && text.rfind("token recognition error", 0) == 0)
      text = "unexpected character" + text.substr(23);
    diags.error(loc, "syntax error: " + text);
  }

private:
  Diagnostics &diags;
};

} // namespace

std::unique_ptr<ast::Module> parseSource(const std::string &file,
                                         const std::string &source,
                                         Diagnostics &diags) {
  antlr4::ANTLRInputStream input(source);
  netcgrammar::NetLexer lexer(&input);
  ErrorListener listener(diags);
  lexer.removeErrorListeners();
  lexer.addErrorListener(&listener);
  antlr4::CommonTokenStream tokens(&lexer);
  netcgrammar::NetParser parser(&tokens);
  parser.removeErrorListeners();
  parser.addErrorListener(&listener);
  int before = diags.errorCount();
  auto *tree = parser.netFile();
  // After a syntax error the tree has holes; the AST is only built from a
  // tree that parsed cleanly.
  if (diags.errorCount() != before || parser.getNumberOfSyntaxErrors() != 0)
    return nullptr;
  ASTBuilder builder(file);
  return builder.build(tree);
}

} // namespace netc
