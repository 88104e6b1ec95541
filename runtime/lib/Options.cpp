//===- Options.cpp - Command line of a built program (spec §4) ------------===//

#include "netc/Driver.h"
#include "netc/MemoryEstimate.h"

#include <cerrno>
#include <cstdlib>

namespace netc {

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

std::string usage(const char *program) {
  return std::string("usage: ") + program +
         " [--experiment NAME] [--data DIR] [--out DIR] [--set KEY=VALUE ...]"
         " [--resume] [--save-weights DIR] [--memory-limit SIZE]\n"
         "\n"
         "  --experiment NAME   run only this experiment (repeatable; default: "
         "all, in order)\n"
         "  --data DIR          data set paths are relative to DIR (default: "
         ".)\n"
         "  --out DIR           results directory (default: "
         "./netc-out/EXPERIMENT/)\n"
         "  --set KEY=VALUE     override for every run: epochs, batch_size, "
         "limit, seed\n"
         "  --resume            skip the runs already in --out's "
         "results.json\n"
         "  --save-weights DIR  save every trained network as "
         "DIR/<run>.safetensors\n"
         "  --memory-limit SIZE refuse to start when the estimate exceeds SIZE "
         "(8G, 512M;\n"
         "                      default: this machine's memory; none: no "
         "check)\n"
         "  --help              this text\n";
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
    auto takeValue = [&]() -> bool {
      if (hasValue)
        return true;
      if (i + 1 >= argc) {
        error = arg + " expects a value";
        return false;
      }
      value = argv[++i];
      return true;
    };
    if (arg == "--help" || arg == "-h") {
      options.help = true;
    } else if (arg == "--resume") {
      options.resume = true;
    } else if (arg == "--gradcheck") {
      options.gradCheck = true;
    } else if (arg == "--gradcheck-seeds") {
      if (!takeValue())
        return false;
      options.gradCheckSeeds = std::atoll(value.c_str());
      if (options.gradCheckSeeds <= 0) {
        error = "--gradcheck-seeds expects a positive number";
        return false;
      }
    } else if (arg == "--bench-steps") {
      if (!takeValue())
        return false;
      options.benchSteps = std::atoll(value.c_str());
      if (options.benchSteps <= 0) {
        error = "--bench-steps expects a positive number";
        return false;
      }
    } else if (arg == "--dump-steps") {
      if (!takeValue())
        return false;
      options.dumpStepsDir = value;
    } else if (arg == "--check-steps") {
      if (!takeValue())
        return false;
      options.checkStepsDir = value;
    } else if (arg == "--steps") {
      if (!takeValue())
        return false;
      options.numericSteps = std::atoll(value.c_str());
      if (options.numericSteps <= 0) {
        error = "--steps expects a positive number";
        return false;
      }
    } else if (arg == "--experiment") {
      if (!takeValue())
        return false;
      options.experiments.push_back(value);
    } else if (arg == "--data") {
      if (!takeValue())
        return false;
      options.dataDir = value;
    } else if (arg == "--out") {
      if (!takeValue())
        return false;
      options.outDir = value;
    } else if (arg == "--save-weights") {
      if (!takeValue())
        return false;
      options.saveWeightsDir = value;
    } else if (arg == "--memory-limit") {
      int64_t bytes = 0;
      if (!takeValue())
        return false;
      if (value != "none" && !memory::parseSize(value, bytes)) {
        error = "--memory-limit expects a size such as 8G or 512M (or none), "
                "got '" +
                value + "'";
        return false;
      }
      options.memoryLimit = value;
    } else if (arg == "--set") {
      if (!takeValue() || !applySet(value, options, error))
        return false;
    } else {
      error = "unknown option '" + std::string(argv[i]) + "'";
      return false;
    }
  }
  return true;
}

} // namespace netc
