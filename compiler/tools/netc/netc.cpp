//===- netc.cpp - The netc command line -----------------------------------===//
//
//   netc check FILE.net [--memory-limit SIZE]
//   netc summary FILE.net [NETWORK]
//   netc emit FILE.net --stage ast|net|linalg|gpu|ptx|llvm
//                [--target cpu|cuda] [--cpu NAME]
//   netc build FILE.net -o PROGRAM [--target cpu|cuda] [--cpu NAME]
//                [--gradcheck-f64] [--time-phases] [--no-cache]
//                [--memory-limit SIZE]
//   netc run FILE.net [--target cpu|cuda] [--cpu NAME] [run options of the
//                built program...]
// (--target cuda: netc built with the CUDA toolkit; not with --cpu or
// --gradcheck-f64.)
//
//===----------------------------------------------------------------------===//
#include "netc/Driver/Compile.h"
#include "netc/Frontend/Frontend.h"
#include "netc/RunOptionsHelp.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <algorithm>
#include <cstring>
#include <iostream>
#include <sstream>

using namespace netc;

namespace {

/// A command: its synopsis and what it does.
struct CommandHelp {
  const char *name, *synopsis, *text;
};

const CommandHelp kCommands[] = {
    {"check", "netc check FILE.net [--memory-limit SIZE]",
     "parse and check; diagnostics, exit 1 on error"},
    {"summary", "netc summary FILE.net [NETWORK]",
     "Keras-like table per network: layer, output shape, params"},
    {"emit",
     "netc emit FILE.net --stage ast|net|linalg|gpu|ptx|llvm "
     "[--target cpu|cuda] [--cpu NAME]",
     "print one stage's IR"},
    {"build",
     "netc build FILE.net -o PROGRAM [--target cpu|cuda] [--cpu NAME] "
     "[OPTIONS]",
     "a standalone executable; it takes the program options below"},
    {"run",
     "netc run FILE.net [--experiment NAME] [--target cpu|cuda] [--data DIR]\n"
     "         [--out DIR] [--set KEY=VALUE ...] [OPTIONS]",
     "compile in memory and run, with the program options below"},
};

/// The compiler's own options and the commands that take them.
struct CompilerOption {
  const char *name, *value, *text, *commands;
};

const CompilerOption kCompilerOptions[] = {
    {"NETWORK", "",
     "a network (LeNet) or an instance with arguments (\"PolyReg(degree: "
     "3)\"); default: each one without required parameters",
     " summary "},
    {"--stage", "ast|net|linalg|gpu|ptx|llvm",
     "the stage whose IR is printed (gpu: kernels outlined, ptx: their PTX; "
     "both --target cuda only)",
     " emit "},
    {"-o", "PROGRAM", "the program file to write", " build "},
    {"--target", "cpu|cuda",
     "the target the code is for: cpu (default) or cuda (an NVIDIA GPU; "
     "netc built with the CUDA toolkit)",
     " emit build run "},
    {"--cpu", "NAME",
     "the CPU compiled for: native (default), x86-64, x86-64-v2..v4, or an "
     "LLVM name (znver3)",
     " emit build run "},
    {"--gradcheck-f64", "",
     "also compile float64 train steps, for the program's --gradcheck",
     " emit build run "},
    {"--time-phases", "", "print the seconds of each compilation phase",
     " build run "},
    {"--no-cache", "",
     "compile every kernel again (also NETC_CACHE=0; cache: NETC_CACHE_DIR, "
     "else ~/.cache/netc)",
     " build run "},
    {"--memory-limit", "SIZE",
     "memory a step may need (8G, 512M, none; default: this machine's; "
     "build: what any can hold)",
     " check build "},
};

bool takes(const CompilerOption &o, const std::string &cmd) {
  return std::strstr(o.commands, (" " + cmd + " ").c_str()) != nullptr;
}

/// The program's options (runtime/include/netc/RunOptionsHelp.h).
std::string programOptionsHelp() {
  std::string text;
  for (const OptionHelp &o : kRunOptionsHelp)
    text += optionHelpLine(o.name, o.value, o.text, 24);
  return text;
}

/// `netc COMMAND --help`: the synopsis, the compiler options the command
/// takes and, for build and run, the program's options.
std::string commandHelp(const CommandHelp &c) {
  std::string cmd = c.name;
  std::string text =
      std::string("usage: ") + c.synopsis + "\n\n" + c.text + "\n\noptions:\n";
  for (const CompilerOption &o : kCompilerOptions)
    if (takes(o, cmd))
      text += optionHelpLine(o.name, o.value, o.text, 24);
  if (cmd == "build" || cmd == "run")
    text += std::string("\noptions of the built program") +
            (cmd == "run" ? " (netc run passes them on)" : "") + ":\n" +
            programOptionsHelp();
  return text;
}

/// `netc --help`: every command, every compiler option (with the commands
/// that take it) and every option of a built program.
std::string fullHelp() {
  std::string text = "usage: netc COMMAND FILE.net [OPTIONS]  (netc COMMAND "
                     "--help: one command)\n\ncommands:\n";
  for (const CommandHelp &c : kCommands)
    text += std::string("  ") + c.synopsis + "\n      " + c.text + "\n";
  text += "\noptions of the compiler (the commands that take them):\n";
  for (const CompilerOption &o : kCompilerOptions) {
    std::string commands = o.commands;
    commands = commands.substr(1, commands.size() - 2);
    text += optionHelpLine(
        o.name, o.value, (std::string(o.text) + " [" + commands + "]").c_str(),
        24);
  }
  return text + "\noptions of a built program, also netc run's:\n" +
         programOptionsHelp();
}

const CommandHelp *findCommand(const std::string &name) {
  for (const CommandHelp &c : kCommands)
    if (name == c.name)
      return &c;
  return nullptr;
}

} // namespace

static int fail(const std::string &message) {
  std::cerr << "netc: error: " << message
            << "\n(netc --help lists the commands and options)\n";
  return 2;
}

/// Takes `NAME VALUE` or `NAME=VALUE` out of `args` into `value` (left as
/// it is when absent); false after reporting a missing value.
static bool takeOption(std::vector<std::string> &args, const std::string &name,
                       std::string &value) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].rfind(name + "=", 0) == 0) {
      value = args[i].substr(name.size() + 1);
      args.erase(args.begin() + i);
      return true;
    }
    if (args[i] != name)
      continue;
    if (i + 1 >= args.size())
      return fail(name + " needs a value"), false;
    value = args[i + 1];
    args.erase(args.begin() + i, args.begin() + i + 2);
    return true;
  }
  return true;
}

/// Takes `--target X` out of `args` into `target`; false after reporting
/// an unknown target, or cuda in a netc built without the CUDA toolkit.
static bool takeTarget(std::vector<std::string> &args, Target &target) {
  std::string t = "cpu";
  if (!takeOption(args, "--target", t))
    return false;
  if (t == "cpu") {
    target = Target::Cpu;
    return true;
  }
  if (t != "cuda") {
    std::cerr << "netc: error: unknown target '" << t
              << "' (available: cpu, cuda)\n";
    return false;
  }
#ifdef NETC_HAVE_CUDA
  target = Target::Cuda;
  return true;
#else
  std::cerr << "netc: error: target 'cuda' is not available: netc was built "
               "without the CUDA toolkit (configure with CUDA 12 or later, "
               "cuBLAS and cuDNN installed, and NETC_ENABLE_CUDA=ON)\n";
  return false;
#endif
}

/// Rejects what a command does not take: a second file (`netc check a.net
/// b.net` would otherwise check a.net alone) or an unknown argument.
/// `valued` lists the options that take a value.
static bool onlyOptions(const std::string &cmd,
                        const std::vector<std::string> &args,
                        const std::vector<std::string> &valued) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (std::find(valued.begin(), valued.end(), args[i]) != valued.end()) {
      ++i;
      continue;
    }
    const std::string &a = args[i];
    bool file = a.size() > 4 && a.compare(a.size() - 4, 4, ".net") == 0;
    if (file || llvm::sys::fs::exists(a))
      fail("'" + cmd + "' takes one FILE.net; '" + a +
           "' is another (run netc once per file)");
    else
      fail("unexpected argument '" + a + "' for '" + cmd + "'");
    return false;
  }
  return true;
}

/// --cpu NAME, resolved (native when absent). A cuda program's host code
/// only allocates, calls libraries and launches kernels: it is compiled for
/// any x86-64, so the program runs on whichever machine has the GPU, and
/// --cpu is refused.
static bool takeCpu(std::vector<std::string> &args, Target target,
                    TargetCpu &cpu) {
  std::string name = "native", error;
  bool given = std::any_of(args.begin(), args.end(), [](const std::string &a) {
    return a == "--cpu" || a.rfind("--cpu=", 0) == 0;
  });
  if (!takeOption(args, "--cpu", name))
    return false;
  if (target == Target::Cuda) {
    if (given)
      return fail("--cpu chooses the CPU of --target cpu; the host code of a "
                  "cuda program is compiled for any x86-64"),
             false;
    name = "x86-64";
  }
  if (resolveTargetCpu(name, cpu, error))
    return true;
  std::cerr << "netc: error: " << error << "\n";
  return false;
}

/// --memory-limit SIZE, else `fallback`.
static bool takeMemoryLimit(std::vector<std::string> &args,
                            const memory::Limit &fallback,
                            memory::Limit &limit) {
  std::string text;
  if (!takeOption(args, "--memory-limit", text))
    return false;
  limit = fallback;
  if (text.empty())
    return true;
  limit = memory::Limit();
  limit.source = "--memory-limit " + text;
  if (text == "none" || memory::parseSize(text, limit.bytes))
    return true;
  return fail("--memory-limit expects a size such as 8G or 512M (or none), "
              "got '" +
              text + "'"),
         false;
}

/// Takes `flag` out of `args`; returns whether it was there.
static bool takeFlag(std::vector<std::string> &args, const char *flag) {
  auto it = std::find(args.begin(), args.end(), flag);
  if (it == args.end())
    return false;
  args.erase(it);
  return true;
}

/// netc check: beyond names, types and shapes, the memory every step needs;
/// then generate and differentiate the train steps (the `net` stage), which
/// checks that each loss fits its network (binary_crossentropy after a
/// sigmoid, ...), without lowering further.
static int runCheck(const std::string &file, std::vector<std::string> &args) {
  memory::Limit limit;
  if (!takeMemoryLimit(args, memory::machineLimit(), limit) ||
      !onlyOptions("check", args, {}))
    return 2;
  std::unique_ptr<Program> program = loadProgram(file, std::cerr);
  if (!program || !checkMemory(*program, limit, std::cerr))
    return 1;
  std::ostringstream discard;
  return compileProgram(*program, Stage::Net, discard, std::cerr) ? 0 : 1;
}

/// netc summary FILE [NETWORK]: the optional argument names a network
/// (`LeNet`) or an instance (`"PolyReg(degree: 3)"`), never a file or an
/// option.
static int runSummaryCommand(const std::string &file,
                             std::vector<std::string> &args) {
  std::string network;
  if (!args.empty()) {
    const std::string &a = args[0];
    bool file = a.size() > 4 && a.compare(a.size() - 4, 4, ".net") == 0;
    if (!file && a.rfind("-", 0) != 0) {
      network = a;
      args.erase(args.begin());
    }
  }
  if (!onlyOptions("summary", args, {}))
    return 2;
  return runSummary(file, network, std::cout, std::cerr);
}

/// What emit, build and run share: --target, --cpu and --gradcheck-f64
/// (also with emit, to show the float64 step's IR); --time-phases and
/// --no-cache for build and run.
using CodegenOptions = BuildOptions;

/// The value of `name VALUE` in `args` (options already validated), else "".
static std::string valueOf(const std::vector<std::string> &args,
                           const char *name) {
  std::string value;
  for (size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == name)
      value = args[i + 1];
  return value;
}

static int runEmit(const std::string &file, std::vector<std::string> &args,
                   const CodegenOptions &opts) {
  if (!onlyOptions("emit", args, {"--stage"}))
    return 2;
  const std::string stage = valueOf(args, "--stage");
  if (stage == "ast")
    return runEmitAst(file, std::cout, std::cerr);
  Stage s;
  if (stage == "net")
    s = Stage::Net;
  else if (stage == "linalg")
    s = Stage::Linalg;
  else if (stage == "llvm")
    s = Stage::LLVM;
  else if (stage == "gpu")
    s = Stage::GPU;
  else if (stage == "ptx")
    s = Stage::PTX;
  else
    return fail("--stage must be ast, net, linalg, gpu, ptx or llvm");
  if ((s == Stage::GPU || s == Stage::PTX) && opts.target != Target::Cuda)
    return fail("--stage " + stage + " needs --target cuda");
  std::unique_ptr<Program> program = loadProgram(file, std::cerr);
  if (!program)
    return 1;
  return compileProgram(*program, s, std::cout, std::cerr, "", &opts.cpu,
                        opts.gradcheckF64, opts.target)
             ? 0
             : 1;
}

static int runBuild(const std::string &file, std::vector<std::string> &args,
                    const CodegenOptions &opts) {
  // The program checks its memory where it runs; here, without
  // --memory-limit, only what no machine can hold.
  memory::Limit limit;
  if (!takeMemoryLimit(args, memory::addressSpaceLimit(), limit) ||
      !onlyOptions("build", args, {"-o"}))
    return 2;
  const std::string out = valueOf(args, "-o");
  if (out.empty())
    return fail("build needs -o PROGRAM");
  if (!checkOutputPath(out, std::cerr))
    return 1;
  return buildProgram(file, out, limit, opts, std::cerr) ? 0 : 1;
}

/// netc run: builds a temporary program and runs it with the remaining
/// arguments; its exit code is netc's.
static int runRun(const std::string &file, std::vector<std::string> &args,
                  const CodegenOptions &opts) {
  llvm::SmallString<128> exe;
  if (llvm::sys::fs::createTemporaryFile("netc-program", "", exe))
    return fail("cannot create a temporary file");
  if (!buildProgram(file, std::string(exe), memory::addressSpaceLimit(), opts,
                    std::cerr)) {
    llvm::sys::fs::remove(exe);
    return 1;
  }
  std::vector<llvm::StringRef> programArgs{exe};
  for (const std::string &a : args)
    programArgs.push_back(a);
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(exe, programArgs, std::nullopt, {}, 0, 0,
                                     &message);
  llvm::sys::fs::remove(exe);
  if (rc < 0) {
    std::cerr << "netc: error: the program failed: " << message << "\n";
    return 1;
  }
  return rc;
}

static bool isHelp(const char *arg) {
  return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

int main(int argc, char **argv) {
  if (argc < 2 || isHelp(argv[1])) {
    (argc < 2 ? std::cerr : std::cout) << fullHelp();
    return argc < 2 ? 2 : 0;
  }
  std::string cmd = argv[1];
  const CommandHelp *command = findCommand(cmd);
  if (!command)
    return fail("unknown command '" + cmd +
                "' (commands: check, summary, emit, build, run)");
  if (std::any_of(argv + 2, argv + argc, isHelp)) {
    std::cout << commandHelp(*command);
    return 0;
  }
  if (argc < 3)
    return fail("missing FILE.net");
  std::string file = argv[2];
  std::vector<std::string> args(argv + 3, argv + argc);
  if (cmd == "check")
    return runCheck(file, args);
  if (cmd == "summary")
    return runSummaryCommand(file, args);
  CodegenOptions opts;
  if (!takeTarget(args, opts.target))
    return 1;
  if (!takeCpu(args, opts.target, opts.cpu))
    return opts.target == Target::Cuda ? 2 : 1;
  opts.gradcheckF64 = takeFlag(args, "--gradcheck-f64");
  if (opts.gradcheckF64 && opts.target == Target::Cuda)
    return fail("--gradcheck-f64 compiles float64 steps, which only "
                "--target cpu has (check gradients with a cpu build)");
  if (cmd != "emit") {
    opts.timePhases = takeFlag(args, "--time-phases");
    opts.cache = !takeFlag(args, "--no-cache");
  }
  if (cmd == "emit")
    return runEmit(file, args, opts);
  if (cmd == "build")
    return runBuild(file, args, opts);
  return runRun(file, args, opts);
}
