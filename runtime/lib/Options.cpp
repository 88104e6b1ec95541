//===- Options.cpp - Command line of a built program (spec §4) ------------===//

#include "netc/Driver.h"
#include "netc/MemoryEstimate.h"
#include "netc/RunOptionsHelp.h"

#include <cerrno>
#include <cstdlib>

namespace netc::rt {

namespace {

bool parseInteger(const std::string &text, int64_t minimum, int64_t &out) {
  if (text.empty())
    return false;
  errno = 0;
  char *end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno || *end != '\0' || v < minimum)
    return false;
  out = v;
  return true;
}

bool applySet(const std::string &assignment, Options &options,
              std::string &error) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos) {
    error = "--set expects KEY=VALUE, got '" + assignment + "'";
    return false;
  }
  const std::string key = assignment.substr(0, eq);
  const std::string value = assignment.substr(eq + 1);
  int64_t v = 0;
  const int64_t minimum = key == "limit" || key == "seed" ? 0 : 1;
  if (key != "epochs" && key != "batch_size" && key != "limit" &&
      key != "seed") {
    error = "--set: unknown key '" + key +
            "' (known: epochs, batch_size, limit, seed)";
    return false;
  }
  if (!parseInteger(value, minimum, v)) {
    error = "--set " + key +
            ": expected an integer >= " + std::to_string(minimum) + ", got '" +
            value + "'";
    return false;
  }
  if (key == "epochs")
    options.epochs = v;
  else if (key == "batch_size")
    options.batchSize = v;
  else if (key == "limit")
    options.limit = v;
  else
    options.seed = static_cast<uint64_t>(v);
  return true;
}

} // namespace

namespace {

using ApplyOption = bool (*)(Options &, const std::string &value,
                             std::string &error);

/// A positive count for `name`, else an error.
bool positive(const char *name, const std::string &value, int64_t &out,
              std::string &error) {
  out = std::atoll(value.c_str());
  if (out > 0)
    return true;
  error = std::string(name) + " expects a positive number";
  return false;
}

bool memoryLimitOption(Options &o, const std::string &value,
                       std::string &error) {
  int64_t bytes = 0;
  if (value != "none" && !memory::parseSize(value, bytes)) {
    error = "--memory-limit expects a size such as 8G or 512M (or none), "
            "got '" +
            value + "'";
    return false;
  }
  o.memoryLimit = value;
  return true;
}

/// Every option of a built program: its name, whether it takes a value, and
/// what it sets.
struct OptionSpec {
  const char *name;
  bool takesValue;
  ApplyOption apply;
};

// clang-format off
const OptionSpec kOptions[] = {
  {"--help", false, [](Options &o, const std::string &, std::string &) { return o.help = true; }},
  {"-h", false, [](Options &o, const std::string &, std::string &) { return o.help = true; }},
  {"--resume", false, [](Options &o, const std::string &, std::string &) { return o.resume = true; }},
  {"--data-parallel", false, [](Options &o, const std::string &, std::string &) { return o.dataParallel = true; }},
  {"--sync-batchnorm", false, [](Options &o, const std::string &, std::string &) { return o.syncBatchNorm = true; }},
  {"--profile", false, [](Options &o, const std::string &, std::string &) { return o.profile = true; }},
  {"--gradcheck", false, [](Options &o, const std::string &, std::string &) { return o.gradCheck = true; }},
  {"--gradcheck-seeds", true, [](Options &o, const std::string &v, std::string &e) { return positive("--gradcheck-seeds", v, o.gradCheckSeeds, e); }},
  {"--bench-steps", true, [](Options &o, const std::string &v, std::string &e) { return positive("--bench-steps", v, o.benchSteps, e); }},
  {"--steps", true, [](Options &o, const std::string &v, std::string &e) { return positive("--steps", v, o.numericSteps, e); }},
  {"--dump-steps", true, [](Options &o, const std::string &v, std::string &) { o.dumpStepsDir = v; return true; }},
  {"--check-steps", true, [](Options &o, const std::string &v, std::string &) { o.checkStepsDir = v; return true; }},
  {"--experiment", true, [](Options &o, const std::string &v, std::string &) { o.experiments.push_back(v); return true; }},
  {"--data", true, [](Options &o, const std::string &v, std::string &) { o.dataDir = v; return true; }},
  {"--out", true, [](Options &o, const std::string &v, std::string &) { o.outDir = v; return true; }},
  {"--save-weights", true, [](Options &o, const std::string &v, std::string &) { o.saveWeightsDir = v; return true; }},
  {"--memory-limit", true, memoryLimitOption},
  {"--set", true, [](Options &o, const std::string &v, std::string &e) { return applySet(v, o, e); }},
};
// clang-format on

const OptionSpec *findOption(const std::string &name) {
  for (const OptionSpec &spec : kOptions)
    if (name == spec.name)
      return &spec;
  return nullptr;
}

} // namespace

std::string outRoot(const Options &options) {
  return options.outDir.empty() ? "netc-out" : options.outDir;
}

std::string usage(const char *program) {
  std::string text = std::string("usage: ") + program +
                     " [--experiment NAME] [--data DIR] [--out DIR]"
                     " [--set KEY=VALUE ...] [--resume] [OPTIONS]\n\n";
  for (const OptionHelp &o : kRunOptionsHelp)
    text += optionHelpLine(o.name, o.value, o.text);
  // An option without a line in kRunOptionsHelp shows here (and fails the
  // help test) rather than going unmentioned.
  for (const OptionSpec &spec : kOptions)
    if (std::string(spec.name) != "-h" && runOptionHelp(spec.name).empty())
      text += std::string("  ") + spec.name + " (undocumented)\n";
  return text;
}

bool parseOptions(int argc, char **argv, Options &options, std::string &error) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool hasValue = false;
    // Accept both `--opt value` and `--opt=value`.
    const size_t eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      hasValue = true;
    }
    const OptionSpec *spec = findOption(arg);
    if (!spec) {
      error = "unknown option '" + std::string(argv[i]) + "'";
      return false;
    }
    if (spec->takesValue && !hasValue) {
      if (i + 1 >= argc) {
        error = arg + " expects a value";
        return false;
      }
      value = argv[++i];
    }
    if (!spec->apply(options, value, error))
      return false;
  }
  if (options.syncBatchNorm && !options.dataParallel) {
    error = "--sync-batchnorm needs --data-parallel (it synchronizes the "
            "batchnorm statistics of the ranks that train one run together)";
    return false;
  }
  return true;
}

} // namespace netc::rt
