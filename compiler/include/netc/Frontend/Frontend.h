//===- Frontend.h - Public entry points of the frontend ---------*- C++ -*-===//
//
// What the `netc` driver calls. This header, AST.h, Program.h and
// Diagnostics.h are the whole public surface: no ANTLR types leak out, so the
// driver can be built with LLVM's -fno-exceptions flags.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_FRONTEND_FRONTEND_H
#define NETC_FRONTEND_FRONTEND_H

#include "netc/Frontend/AST.h"
#include "netc/Frontend/Program.h"

#include <iosfwd>
#include <memory>
#include <string>

namespace netc {

class Diagnostics;

/// Parses `source` (named `file` in messages). Reports every syntax error to
/// `diags`; returns null if there was any.
std::unique_ptr<ast::Module> parseSource(const std::string &file,
                                         const std::string &source,
                                         Diagnostics &diags);

/// Parses `text` as one expression of the language (the network of `netc
/// summary FILE "PolyReg(degree: 3)"`), its first line numbered `firstLine`
/// (Diagnostics::addText); null after reporting syntax errors.
ast::ExprPtr parseExpression(const std::string &text, int firstLine,
                             Diagnostics &diags);

/// Elaborates `module` as elaborate() does, then instantiates the network
/// call or name `call`; `instance` is its index in Program::networks. Null
/// after reporting errors (in the file or in `call`).
std::unique_ptr<Program> elaborateCall(const ast::Module &module,
                                       const ast::Expr &call,
                                       Diagnostics &diags, int &instance);

/// Checks and elaborates a module into a Program; null after reporting all
/// errors to `diags`.
std::unique_ptr<Program> elaborate(const ast::Module &module,
                                   Diagnostics &diags);

/// Parses + checks FILE; prints diagnostics to `err`; returns null on error
/// (after reporting ALL errors).
std::unique_ptr<Program> loadProgram(const std::string &file,
                                     std::ostream &err);

/// `netc check FILE`: exit code 0/1.
int runCheck(const std::string &file, std::ostream &out, std::ostream &err);

/// `netc summary FILE [NETWORK]`. An empty `network` prints every network
/// declared without required parameters.
int runSummary(const std::string &file, const std::string &network,
               std::ostream &out, std::ostream &err);

/// `netc emit FILE --stage ast`.
int runEmitAst(const std::string &file, std::ostream &out, std::ostream &err);

/// Keras-like table: Layer (type) | Output Shape | Param #, then totals.
void printSummary(const Network &net, std::ostream &os);

/// "25,730,506".
std::string withThousands(int64_t n);

} // namespace netc

#endif
