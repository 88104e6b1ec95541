//===- Compile.h - From a checked Program to an executable -------*- C++
//-*-===//
#ifndef NETC_DRIVER_COMPILE_H
#define NETC_DRIVER_COMPILE_H

#include "netc/Frontend/Program.h"
#include "netc/Transforms/MLIRGen.h"

#include <ostream>
#include <string>
#include <vector>

namespace netc {

enum class Stage { Net, Linalg, LLVM, Object };

/// Which kernel each Train/Evaluate step uses, and the kernels themselves.
struct KernelPlan {
  std::vector<KernelSpec> kernels;
  std::vector<int> networkOf; // kernel -> index into Program::networks
  /// (experiment, run, step) -> kernel, for Train and Evaluate steps.
  std::vector<std::vector<std::vector<int>>> stepKernel;
};

/// Groups train/evaluate steps into kernels: networks of the same structure
/// with the same loss and optimizer share compiled code.
KernelPlan planKernels(const Program &program);

/// Compiles every kernel. For Stage::Net/Linalg/LLVM prints that stage's IR
/// to `out`; for Stage::Object writes an object file (compiled kernels, the
/// kernel table and the plan) to `objectPath`. Diagnostics go to `err`.
/// `gradcheckF64` adds each kernel's train step in float64 (the entry
/// `train_f64` that the program's --gradcheck runs).
bool compileProgram(const Program &program, Stage stage, std::ostream &out,
                    std::ostream &err, const std::string &objectPath = "",
                    bool gradcheckF64 = false);

/// Links an object from compileProgram with the runtime into `output`.
bool linkProgram(const std::string &objectPath, const std::string &output,
                 std::ostream &err);

} // namespace netc

#endif
