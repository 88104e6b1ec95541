//===- Compile.h - From a checked Program to an executable ------*- C++ -*-===//
#ifndef NETC_DRIVER_COMPILE_H
#define NETC_DRIVER_COMPILE_H

#include "netc/Frontend/Program.h"
#include "netc/MemoryEstimate.h"
#include "netc/Transforms/MLIRGen.h"

#include <ostream>
#include <string>
#include <vector>

namespace netc {

/// GPU and PTX exist for Target::Cuda only: the module after the GPU
/// mapping and kernel outlining, and the kernels' PTX text.
enum class Stage { Net, Linalg, GPU, PTX, LLVM, Object };

/// What the code is compiled for (`--target`): the CPU, or an NVIDIA GPU
/// through CUDA (netc built with NETC_HAVE_CUDA; docs/design.md, "The cuda
/// target (compiler)").
enum class Target { Cpu, Cuda };

/// "cpu" or "cuda", as the program's `netc_target_device` says.
inline const char *targetName(Target t) {
  return t == Target::Cuda ? "cuda" : "cpu";
}

/// The CPU the kernels are compiled for (`--cpu`).
struct TargetCpu {
  std::string requested = "native";  // as given on the command line
  std::string name;                  // LLVM's CPU name (native: the host's)
  std::string featureString;         // for the target machine (native only)
  std::vector<std::string> features; // enabled features, LLVM's names
};

/// Resolves a `--cpu` value: `native` (this machine's CPU and features),
/// x86-64, x86-64-v2/v3/v4 or any LLVM CPU name. False with `error` set
/// (naming examples) for an unknown name.
bool resolveTargetCpu(const std::string &requested, TargetCpu &cpu,
                      std::string &error);

/// Which kernel each Train/Evaluate step uses, and the kernels themselves.
struct KernelPlan {
  std::vector<KernelUnit> kernels;
  std::vector<int> networkOf; // kernel -> index into Program::networks
  /// (experiment, run, step) -> kernel, for Train and Evaluate steps.
  std::vector<std::vector<std::vector<int>>> stepKernel;
};

/// Groups train/evaluate steps into kernels: networks of the same structure
/// with the same loss and optimizer share compiled code.
KernelPlan planKernels(const Program &program);

/// Compiles every kernel. For Stage::Net/Linalg/LLVM prints that stage's IR
/// to `out`; for Stage::Object writes an object file (compiled kernels, the
/// kernel table, the plan and the target CPU) to `objectPath`. Diagnostics go
/// to `err`. `cpu` null: the build machine's (`native`). `gradcheckF64` adds
/// each kernel's train step in float64 (the entry `train_f64` that the
/// program's --gradcheck runs).
bool compileProgram(const Program &program, Stage stage, std::ostream &out,
                    std::ostream &err, const std::string &objectPath = "",
                    const TargetCpu *cpu = nullptr, bool gradcheckF64 = false,
                    Target target = Target::Cpu);

/// The memory estimate of every train and evaluate step at its batch size
/// (parameters, optimizer state, activations, workspace; the model of
/// netc/MemoryEstimate.h). Reports each step over `limit` as an error at the
/// layer (or network) that needs the memory, to `err`; false if any.
bool checkMemory(const Program &program, const memory::Limit &limit,
                 std::ostream &err);

/// Whether a program can be written to `output` (not a directory, in an
/// existing, writable directory); if not, says why on `err`. Called before
/// compiling, so the linker's raw message never stands for it.
bool checkOutputPath(const std::string &output, std::ostream &err);

/// Links objects (from compileProgram or buildProgram) with the runtime
/// into `output`; for Target::Cuda with the cuda runtime library
/// (whole-archive), cuDNN and cuBLAS too.
bool linkProgram(const std::vector<std::string> &objects,
                 const std::string &output, std::ostream &err,
                 Target target = Target::Cpu);

/// How `netc build` and `netc run` compile.
struct BuildOptions {
  TargetCpu cpu;               // resolved --cpu (cuda: the host code's)
  Target target = Target::Cpu; // --target
  bool gradcheckF64 = false;   // --gradcheck-f64
  bool timePhases = false;     // --time-phases: seconds per phase to `err`
  bool cache = true;           // --no-cache (or NETC_CACHE=0): off
  /// Empty: NETC_CACHE_DIR, else $XDG_CACHE_HOME/netc, else ~/.cache/netc.
  std::string cacheDir;
};

/// netc build: loads and checks `file` (steps over `limit` are errors),
/// compiles it and links the program `output`. The kernels' objects come
/// from the compile cache when the same kernels were compiled before by
/// this netc for the same CPU (docs/design.md, "Compile time and the
/// compile cache").
bool buildProgram(const std::string &file, const std::string &output,
                  const memory::Limit &limit, const BuildOptions &options,
                  std::ostream &err);

} // namespace netc

#endif
