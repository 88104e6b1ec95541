//===- Frontend.cpp - check / summary / emit-ast entry points -------------===//

#include "netc/Frontend/Frontend.h"
#include "netc/Frontend/Diagnostics.h"

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

int runSummary(const std::string &file, const std::string &network,
               std::ostream &out, std::ostream &err) {
  auto prog = loadProgram(file, err);
  if (!prog)
    return 1;
  if (network.empty()) {
    bool first = true;
    for (const std::string &name : prog->networkNames) {
      if (const Network *n = prog->findNetwork(name)) {
        if (!first)
          out << "\n";
        printSummary(*n, out);
        first = false;
      }
    }
    return 0;
  }
  if (const Network *n = prog->findNetwork(network)) {
    printSummary(*n, out);
    return 0;
  }
  bool declared = false;
  for (const std::string &name : prog->networkNames)
    declared |= name == network;
  if (declared)
    err << "error: network '" << network
        << "' has parameters without defaults; summarize an instance used "
           "in an experiment instead\n";
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
