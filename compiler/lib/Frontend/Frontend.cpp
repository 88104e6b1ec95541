//===- Frontend.cpp - check / summary / emit-ast entry points -------------===//

#include "netc/Frontend/Frontend.h"
#include "netc/Frontend/Diagnostics.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <ostream>
#include <sstream>
#include <sys/stat.h>

namespace netc {

/// Reads FILE; on failure reports `error: cannot open 'FILE': reason`.
static bool readFile(const std::string &file, std::string &out,
                     std::ostream &err) {
  struct stat st;
  if (::stat(file.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    err << "error: cannot read '" << file
        << "': it is a directory; give one .net file\n";
    return false;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    err << "error: cannot open '" << file << "': " << std::strerror(errno)
        << "\n";
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    err << "error: cannot read '" << file << "': " << std::strerror(errno)
        << "\n";
    return false;
  }
  out = ss.str();
  return true;
}

std::unique_ptr<Program> loadProgram(const std::string &file,
                                     std::ostream &err) {
  std::string source;
  if (!readFile(file, source, err))
    return nullptr;
  Diagnostics diags(file, source, err);
  auto module = parseSource(file, source, diags);
  if (!module)
    return nullptr;
  return elaborate(*module, diags);
}

int runCheck(const std::string &file, std::ostream &, std::ostream &err) {
  return loadProgram(file, err) ? 0 : 1;
}

/// The parameters of network `name` that have no default, as "a, b".
static std::string requiredParams(const ast::Module &module,
                                  const std::string &name) {
  std::string out;
  for (const ast::NetworkDecl &d : module.networks)
    if (d.name == name && !d.isBlock)
      for (const ast::ParamDecl &p : d.params)
        if (!p.defaultValue)
          out += (out.empty() ? "" : ", ") + p.name;
  return out;
}

/// "PolyReg(degree: ...)", for messages.
static std::string callExample(const std::string &name,
                               const std::string &params) {
  std::string text = name + "(", rest = params;
  for (size_t comma; (comma = rest.find(", ")) != std::string::npos;
       rest = rest.substr(comma + 2))
    text += rest.substr(0, comma) + ": ..., ";
  return text + rest + ": ...)";
}

/// Every network whose parameters all have defaults; a note for the others.
static int summarizeAll(const ast::Module &module, const Program &prog,
                        std::ostream &out, std::ostream &err) {
  bool first = true;
  for (const std::string &name : prog.networkNames) {
    if (const Network *n = prog.findNetwork(name)) {
      if (!first)
        out << "\n";
      printSummary(*n, out);
      first = false;
      continue;
    }
    const std::string params = requiredParams(module, name);
    err << "note: network '" << name << "' has parameters without defaults ("
        << params << "); summarize an instance with netc summary " << prog.file
        << " \"" << callExample(name, params) << "\"\n";
  }
  return 0;
}

/// True when `text` is a plain name (`LeNet`), not an expression.
static bool isName(const std::string &text) {
  return !text.empty() && !std::isdigit((unsigned char)text[0]) &&
         text.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
             std::string::npos;
}

/// `netc summary FILE "Net(args)"`: the argument is parsed and evaluated
/// with the language's own rules; its errors point into it, shown as
/// `<command line>:1:COL`.
static int summarizeCall(const std::string &file, const std::string &source,
                         const std::string &text, std::ostream &out,
                         std::ostream &err) {
  Diagnostics diags(file, source, err);
  const int firstLine = diags.addText("<command line>", text);
  auto module = parseSource(file, source, diags);
  ast::ExprPtr call = parseExpression(text, firstLine, diags);
  if (!module || !call)
    return 1;
  int index = -1;
  auto prog = elaborateCall(*module, *call, diags, index);
  if (!prog || index < 0)
    return 1;
  printSummary(*prog->networks[index], out);
  return 0;
}

int runSummary(const std::string &file, const std::string &network,
               std::ostream &out, std::ostream &err) {
  std::string source;
  if (!readFile(file, source, err))
    return 1;
  if (!network.empty() && !isName(network))
    return summarizeCall(file, source, network, out, err);
  Diagnostics diags(file, source, err);
  auto module = parseSource(file, source, diags);
  if (!module)
    return 1;
  auto prog = elaborate(*module, diags);
  if (!prog)
    return 1;
  if (network.empty())
    return summarizeAll(*module, *prog, out, err);
  if (const Network *n = prog->findNetwork(network)) {
    printSummary(*n, out);
    return 0;
  }
  const std::string params = requiredParams(*module, network);
  if (!params.empty())
    err << "error: network '" << network
        << "' has parameters without defaults (" << params
        << "); give them: netc summary " << file << " \""
        << callExample(network, params) << "\"\n";
  else
    err << "error: unknown network '" << network << "'"
        << didYouMean(network, prog->networkNames) << "\n";
  return 1;
}

int runEmitAst(const std::string &file, std::ostream &out, std::ostream &err) {
  std::string source;
  if (!readFile(file, source, err))
    return 1;
  Diagnostics diags(file, source, err);
  auto module = parseSource(file, source, diags);
  if (!module)
    return 1;
  dumpAst(*module, out);
  return 0;
}

} // namespace netc
