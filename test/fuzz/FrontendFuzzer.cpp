//===- FrontendFuzzer.cpp - libFuzzer target over the front end ----------===//
//
// Arbitrary bytes through everything `netc check` does before MLIR: UTF-8
// check, parse, AST build, elaboration (names, types, shapes, limits,
// experiments unrolled), and the AST dump and summaries of what checked.
// Any crash, sanitizer report, uncaught exception, input over the time
// limit or memory limit is a bug: bad input must be a diagnostic.
// scripts/fuzz.sh builds and runs it.
//
//===----------------------------------------------------------------------===//

#include "netc/Frontend/Diagnostics.h"
#include "netc/Frontend/Frontend.h"

#include <cstddef>
#include <cstdint>
#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string source(reinterpret_cast<const char *>(data), size);
  std::ostringstream out, err;
  netc::Diagnostics diags("fuzz.net", source, err);
  std::unique_ptr<netc::ast::Module> module =
      netc::parseSource("fuzz.net", source, diags);
  if (!module)
    return 0;
  netc::dumpAst(*module, out);
  std::unique_ptr<netc::Program> program = netc::elaborate(*module, diags);
  if (!program)
    return 0;
  for (const auto &network : program->networks)
    netc::printSummary(*network, out);
  return 0;
}
