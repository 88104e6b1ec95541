//===- RunOptionsHelp.h - One line of help per program option ---*- C++ -*-===//
//
// The options of a built program (runtime/lib/Options.cpp parses them), each
// with its value's name and a one-line description. Header-only, so that
// `netc run --help` (which passes these options on to the program it builds)
// prints the same text as `PROGRAM --help` without linking the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_RUNOPTIONSHELP_H
#define NETC_RUNOPTIONSHELP_H

#include <cstring>
#include <string>

namespace netc {

struct OptionHelp {
  const char *name;  // "--out"
  const char *value; // "DIR", or "" for a flag
  const char *text;  // one line
};

/// Every option of a built program, in the order help lists them.
inline constexpr OptionHelp kRunOptionsHelp[] = {
    {"--experiment", "NAME",
     "run only this experiment (repeatable; default: all, in order)"},
    {"--data", "DIR", "data set paths are relative to DIR (default: .)"},
    {"--out", "DIR",
     "results root: each experiment writes DIR/EXPERIMENT/ (default: "
     "netc-out)"},
    {"--set", "KEY=VALUE",
     "override for every run: epochs, batch_size, limit (records per split), "
     "seed"},
    {"--resume", "", "skip the runs already in --out's results.json files"},
    {"--save-weights", "DIR",
     "save every trained network as DIR/EXPERIMENT/RUN.safetensors"},
    {"--memory-limit", "SIZE",
     "refuse to start when the estimate exceeds SIZE (8G, 512M, none; "
     "default: this machine's)"},
    {"--data-parallel", "",
     "under mpirun: all ranks train each run together, each on its shard of "
     "every batch (default: the ranks share out the runs)"},
    {"--sync-batchnorm", "",
     "with --data-parallel: batchnorm statistics over the whole global "
     "batch (default: each rank's shard)"},
    {"--profile", "", "after the run, time per op family on stderr"},
    {"--bench-steps", "N",
     "time N train steps of each kernel on random data; print one line each"},
    {"--gradcheck", "",
     "finite-difference check of every kernel's gradients (needs a build "
     "with --gradcheck-f64)"},
    {"--gradcheck-seeds", "N", "seeds --gradcheck checks (default: 5)"},
    {"--dump-steps", "DIR",
     "write the weights after each of --steps train steps into DIR"},
    {"--check-steps", "DIR",
     "compare --steps train steps with reference weights in DIR"},
    {"--steps", "N",
     "train steps of --dump-steps and --check-steps (default: 3)"},
    {"--help", "", "this text (also -h)"},
};

/// "  --out DIR            results root: ...\n": the option and its value
/// in a column of `width`, then the description.
inline std::string optionHelpLine(const char *name, const char *value,
                                  const char *text, size_t width = 22) {
  std::string head = std::string("  ") + name;
  if (*value)
    head += std::string(" ") + value;
  head += head.size() + 1 < width ? std::string(width - head.size(), ' ')
                                  : std::string(" ");
  return head + text + "\n";
}

/// The help line of program option `name`, or "" when it has none.
inline std::string runOptionHelp(const char *name) {
  for (const OptionHelp &o : kRunOptionsHelp)
    if (!std::strcmp(o.name, name))
      return optionHelpLine(o.name, o.value, o.text);
  return "";
}

} // namespace netc

#endif
