//===- Target.cpp - Which CPU the kernels are compiled for ----------------===//
//
// `--cpu native` (the default) is the build machine's CPU name and features,
// as LLVM detects them; any other name is one of LLVM's X86 CPUs (x86-64,
// x86-64-v2/v3/v4, znver3, skylake-avx512, ...), validated against the X86
// target's own CPU table, with the features LLVM's TargetParser gives it.
// The features are recorded in the program, whose start-up compares them
// with the running CPU (runtime/lib/Cpu.cpp).
//
//===----------------------------------------------------------------------===//
#include "Target.h"
#include "netc/Frontend/Diagnostics.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/TargetParser/X86TargetParser.h"

#include <algorithm>

using namespace netc;

namespace {

const llvm::Target *processTarget(std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  return llvm::TargetRegistry::lookupTarget(llvm::sys::getProcessTriple(),
                                            error);
}

/// Whether the X86 target knows `name` as a 64-bit CPU.
bool isKnownCpu(const llvm::Target &target, const std::string &name) {
  std::string triple = llvm::sys::getProcessTriple();
  std::unique_ptr<llvm::MCSubtargetInfo> sti(
      target.createMCSubtargetInfo(triple, "", ""));
  if (!sti || !sti->isCPUStringValid(name))
    return false;
  if (!llvm::Triple(triple).isX86())
    return true;
  return llvm::X86::parseArchX86(name, /*Only64Bit=*/true) !=
         llvm::X86::CK_None;
}

std::string unknownCpuMessage(const std::string &name) {
  std::string message = "unknown CPU '" + name + "' for --cpu";
  if (llvm::Triple(llvm::sys::getProcessTriple()).isX86()) {
    llvm::SmallVector<llvm::StringRef> valid;
    llvm::X86::fillValidCPUArchList(valid, /*Only64Bit=*/true);
    std::vector<std::string> names{"native"};
    for (llvm::StringRef v : valid)
      names.push_back(v.str());
    message += didYouMean(name, names);
  }
  return message +
         " (examples: native, x86-64, x86-64-v2, x86-64-v3, x86-64-v4, "
         "znver3, skylake-avx512; 'llc-19 -mtriple=x86_64 -mcpu=help' lists "
         "them all)";
}

} // namespace

bool netc::resolveTargetCpu(const std::string &requested, TargetCpu &cpu,
                            std::string &error) {
  cpu = TargetCpu();
  cpu.requested = requested;
  if (requested == "native") {
    cpu.name = llvm::sys::getHostCPUName().str();
    for (auto &f : llvm::sys::getHostCPUFeatures()) {
      cpu.featureString += (cpu.featureString.empty() ? "" : ",") +
                           std::string(f.second ? "+" : "-") + f.first().str();
      if (f.second)
        cpu.features.push_back(f.first().str());
    }
    return true;
  }
  const llvm::Target *target = processTarget(error);
  if (!target)
    return false;
  if (!isKnownCpu(*target, requested)) {
    error = unknownCpuMessage(requested);
    return false;
  }
  cpu.name = requested;
  if (llvm::Triple(llvm::sys::getProcessTriple()).isX86()) {
    // The CPU's features and all they imply (avx2 implies avx, sse4.2 ...).
    llvm::SmallVector<llvm::StringRef> features;
    llvm::X86::getFeaturesForCPU(requested, features);
    llvm::StringMap<bool> all;
    for (llvm::StringRef f : features) {
      all[f] = true;
      llvm::X86::updateImpliedFeatures(f, true, all);
    }
    for (auto &f : all)
      if (f.second)
        cpu.features.push_back(f.first().str());
    std::sort(cpu.features.begin(), cpu.features.end());
  }
  return true;
}

std::unique_ptr<llvm::TargetMachine>
netc::createTargetMachine(const TargetCpu &cpu, std::string &error) {
  const llvm::Target *target = processTarget(error);
  if (!target)
    return nullptr;
  llvm::TargetOptions options;
  return std::unique_ptr<llvm::TargetMachine>(target->createTargetMachine(
      llvm::sys::getProcessTriple(), cpu.name, cpu.featureString, options,
      llvm::Reloc::PIC_, std::nullopt, llvm::CodeGenOptLevel::Aggressive));
}
