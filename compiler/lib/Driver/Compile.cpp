//===- Compile.cpp - From a checked Program to IR, LLVM IR and objects ----===//
//
// The compiler's pipeline in one place:
//   MLIRGen (per kernel) -> netc-autodiff            [--stage net]
//   -> netc-export-kernels -> net to fused linalg    [--stage linalg]
//   -> bufferize, loops, LLVM dialect -> LLVM IR, -O3 [--stage llvm]
//   -> object file with the kernel table and the plan.
//
//===----------------------------------------------------------------------===//
#include "netc/Driver/Compile.h"
#include "Plan.h"
#include "Target.h"
#include "netc/Conversion/Passes.h"
#include "netc/Dialect/NetDialect.h"
#include "netc/Transforms/Autodiff.h"
#include "netc/Transforms/MLIRGen.h"
#include "netc/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_os_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <map>

using namespace netc;
using namespace mlir;

namespace {

/// Reads the train entry's parameter and optimizer state layout.
void readStateLayout(net::NetDialect *dialect, func::FuncOp fn,
                     KernelLayout &l) {
  if (auto a = dialect->getParamOffsetsAttrHelper().getAttr(fn))
    l.paramOffsets.assign(a.asArrayRef().begin(), a.asArrayRef().end());
  if (auto a = dialect->getStateFloatsAttrHelper().getAttr(fn))
    l.spec.stateFloats = a.getInt();
  if (auto a = dialect->getStateInitAttrHelper().getAttr(fn))
    for (Attribute e : a) {
      auto t = cast<ArrayAttr>(e);
      l.spec.stateInit.push_back({cast<IntegerAttr>(t[0]).getInt(),
                                  cast<IntegerAttr>(t[1]).getInt(),
                                  cast<FloatAttr>(t[2]).getValueAsDouble()});
    }
}

/// Reads the layout decisions that compilation recorded on the entry points
/// (`net.kernel` names the KernelUnit, `net.entry` the role), and the entry
/// functions' symbols for the kernel table.
std::vector<KernelLayout> readLayouts(ModuleOp module, const KernelPlan &plan) {
  std::map<std::string, size_t> indexOf;
  for (size_t i = 0; i < plan.kernels.size(); ++i)
    indexOf[plan.kernels[i].name] = i;
  std::vector<KernelLayout> layouts(plan.kernels.size());
  auto *dialect = module.getContext()->getOrLoadDialect<net::NetDialect>();
  module.walk([&](func::FuncOp fn) {
    auto kernel = dialect->getKernelAttrHelper().getAttr(fn);
    auto entry = dialect->getEntryAttrHelper().getAttr(fn);
    if (!kernel || !entry)
      return;
    auto it = indexOf.find(kernel.getValue().str());
    if (it == indexOf.end())
      return;
    KernelLayout &l = layouts[it->second];
    int64_t ws = 0, fixed = 0;
    if (auto a = dialect->getWsPerSampleAttrHelper().getAttr(fn))
      ws = a.getInt();
    if (auto a = dialect->getWsFixedAttrHelper().getAttr(fn))
      fixed = a.getInt();
    std::string symbol = fn.getSymName().str();
    if (entry.getValue() == "train_f64") {
      l.spec.hasTrainF64 = true;
      l.spec.trainF64WsPerSample = ws;
      l.spec.trainF64WsFixed = fixed;
      l.trainF64Symbol = symbol;
    } else if (entry.getValue() == "train") {
      l.spec.trainWsPerSample = ws;
      l.spec.trainWsFixed = fixed;
      l.trainSymbol = symbol;
      readStateLayout(dialect, fn, l);
    } else {
      l.spec.evalWsPerSample = ws;
      l.spec.evalWsFixed = fixed;
      l.evalSymbol = symbol;
    }
  });
  return layouts;
}

/// Whether every train entry views its parameters where the plan puts them
/// (the plan's offsets come from layOutParams, the export pass lays the
/// flat buffer out in the same order); says which if not.
bool checkParamLayout(const Plan &plan,
                      const std::vector<KernelLayout> &layouts,
                      std::ostream &err) {
  for (size_t i = 0; i < layouts.size(); ++i) {
    const std::vector<int64_t> &offsets = layouts[i].paramOffsets;
    const NetworkSpec &net = plan.networks[plan.kernels[i].network];
    bool same = offsets.empty() || offsets.size() == net.params.size();
    for (size_t p = 0; same && p < offsets.size(); ++p)
      same = offsets[p] == net.params[p].offset;
    if (!same) {
      err << "error: internal: kernel " << plan.kernels[i].name
          << " lays out the parameters of " << net.instance
          << " differently from the plan\n";
      return false;
    }
  }
  return true;
}

/// The net.* attributes have been read into the plan; LLVM IR has no use for
/// them (and the translation warns about unknown argument attributes).
void stripNetAttributes(ModuleOp module) {
  module.walk([](func::FuncOp fn) {
    for (unsigned i = 0; i < fn.getNumArguments(); ++i)
      if (DictionaryAttr attrs = fn.getArgAttrDict(i))
        for (NamedAttribute a : attrs)
          if (a.getName().getValue().starts_with("net."))
            fn.removeArgAttr(i, a.getName());
    for (NamedAttribute a : fn->getAttrs())
      if (a.getName().getValue().starts_with("net."))
        fn->removeAttr(a.getName());
  });
}

void addStringGlobal(llvm::Module &m, const std::string &text,
                     const char *symbol) {
  auto *init = llvm::ConstantDataArray::getString(m.getContext(), text, true);
  new llvm::GlobalVariable(m, init->getType(), true,
                           llvm::GlobalValue::ExternalLinkage, init, symbol);
}

/// The wrapper that MLIR's func-to-llvm lowering emits for a function
/// tagged `llvm.emit_c_interface` (MLIR's naming convention): what the
/// runtime calls, with memref descriptors passed by pointer.
std::string cInterfaceSymbol(const std::string &function) {
  return "_mlir_ciface_" + function;
}

/// The table `netc_kernels` of netc/Abi.h: per kernel its name and the C
/// interfaces of its entries (null where there is none).
void addKernelTable(llvm::Module &m, const KernelPlan &plan,
                    const std::vector<KernelLayout> &layouts) {
  llvm::LLVMContext &ctx = m.getContext();
  auto *ptr = llvm::PointerType::get(ctx, 0);
  auto *entryType = llvm::StructType::get(ctx, {ptr, ptr, ptr, ptr});
  auto fn = [&](const std::string &symbol) -> llvm::Constant * {
    llvm::Function *f =
        symbol.empty() ? nullptr : m.getFunction(cInterfaceSymbol(symbol));
    return f ? (llvm::Constant *)f : llvm::ConstantPointerNull::get(ptr);
  };
  std::vector<llvm::Constant *> entries;
  for (size_t i = 0; i < plan.kernels.size(); ++i) {
    const std::string &k = plan.kernels[i].name;
    const KernelLayout &l = layouts[i];
    auto *name = llvm::ConstantDataArray::getString(ctx, k, true);
    auto *nameVar = new llvm::GlobalVariable(m, name->getType(), true,
                                             llvm::GlobalValue::PrivateLinkage,
                                             name, "netc_kernel_name_" + k);
    entries.push_back(llvm::ConstantStruct::get(
        entryType,
        {nameVar, fn(l.trainSymbol), fn(l.evalSymbol), fn(l.trainF64Symbol)}));
  }
  auto *arrayType = llvm::ArrayType::get(entryType, entries.size());
  new llvm::GlobalVariable(
      m, arrayType, true, llvm::GlobalValue::ExternalLinkage,
      llvm::ConstantArray::get(arrayType, entries), "netc_kernels");
  auto *i64 = llvm::Type::getInt64Ty(ctx);
  new llvm::GlobalVariable(m, i64, true, llvm::GlobalValue::ExternalLinkage,
                           llvm::ConstantInt::get(i64, entries.size()),
                           "netc_num_kernels");
}

/// The symbols the runtime looks for: the plan text, the kernel table and
/// the CPU the kernels need (checked at start-up).
void addProgramGlobals(llvm::Module &m, const std::string &plan,
                       const KernelPlan &kernels,
                       const std::vector<KernelLayout> &layouts,
                       const TargetCpu &cpu) {
  addStringGlobal(m, plan, "netc_plan_json");
  addStringGlobal(m, cpu.name, "netc_target_cpu");
  std::string features;
  for (const std::string &f : cpu.features)
    features += (features.empty() ? "" : ",") + f;
  addStringGlobal(m, features, "netc_target_features");
  addKernelTable(m, kernels, layouts);
}

void optimize(llvm::Module &m, llvm::TargetMachine &tm) {
  m.setDataLayout(tm.createDataLayout());
  m.setTargetTriple(tm.getTargetTriple().str());
  for (llvm::Function &f : m)
    if (!f.isDeclaration()) {
      f.addFnAttr("target-cpu", tm.getTargetCPU());
      f.addFnAttr("target-features", tm.getTargetFeatureString());
    }
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3).run(m, mam);
}

/// Every dialect the pipeline uses, with their LLVM IR translations.
DialectRegistry compilerRegistry() {
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registry.insert<net::NetDialect>();
  registerGradientRules(registry);
  return registry;
}

/// Prints a stage's IR (`netc emit --stage`); true.
bool printIR(ModuleOp module, std::ostream &out) {
  llvm::raw_os_ostream os(out);
  module.print(os);
  return true;
}
bool printIR(llvm::Module &module, std::ostream &out) {
  llvm::raw_os_ostream os(out);
  module.print(os, nullptr);
  return true;
}

/// Each kernel's loss function, and with `gradcheckF64` its float64 twin.
bool buildLossFunctions(ModuleOp module, const KernelPlan &kernels,
                        const std::string &file, bool gradcheckF64) {
  bool ok = true;
  for (const KernelUnit &k : kernels.kernels) {
    ok &= succeeded(buildLossFunction(module, k, file));
    if (ok && gradcheckF64)
      ok &= succeeded(buildLossFunction(module, k, file, Precision::F64));
  }
  return ok;
}

/// Writes `m` as an object file for `tm` to `path`.
bool emitObject(llvm::Module &m, llvm::TargetMachine &tm,
                const std::string &path, std::ostream &err) {
  std::error_code ec;
  llvm::raw_fd_ostream file(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    err << "error: cannot write '" << path << "': " << ec.message() << "\n";
    return false;
  }
  llvm::legacy::PassManager codegen;
  if (tm.addPassesToEmitFile(codegen, file, nullptr,
                             llvm::CodeGenFileType::ObjectFile)) {
    err << "error: this target cannot emit object files\n";
    return false;
  }
  codegen.run(m);
  file.flush();
  return true;
}

} // namespace

bool netc::compileProgram(const Program &program, Stage stage,
                          std::ostream &out, std::ostream &err,
                          const std::string &objectPath, const TargetCpu *cpu,
                          bool gradcheckF64) {
  TargetCpu native;
  std::string error;
  if (!cpu) {
    if (!resolveTargetCpu("native", native, error)) {
      err << "error: " << error << "\n";
      return false;
    }
    cpu = &native;
  }
  MLIRContext ctx(compilerRegistry());
  ctx.loadAllAvailableDialects();

  // Diagnostics from MLIR carry the .net file's locations: print them in
  // the compiler convention with the source line and a caret.
  llvm::SourceMgr sourceMgr;
  std::string includedPath;
  sourceMgr.AddIncludeFile(program.file, llvm::SMLoc(), includedPath);
  llvm::raw_os_ostream errStream(err);
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &ctx, errStream);

  KernelPlan kernels = planKernels(program);
  OwningOpRef<ModuleOp> module =
      ModuleOp::create(FileLineColLoc::get(&ctx, program.file, 1, 1));
  if (!buildLossFunctions(*module, kernels, program.file, gradcheckF64))
    return false;

  PassManager pm(&ctx);
  pm.addPass(createAutodiffPass());
  pm.addPass(createCanonicalizerPass());
  if (failed(pm.run(*module)))
    return false;
  if (stage == Stage::Net)
    return printIR(*module, out);

  PassManager lin(&ctx);
  lin.addPass(createExportKernelsPass());
  buildNetToLinalgPipeline(lin);
  if (failed(lin.run(*module)))
    return false;
  if (stage == Stage::Linalg)
    return printIR(*module, out);
  std::vector<KernelLayout> layouts = readLayouts(*module, kernels);
  stripNetAttributes(*module);

  PassManager low(&ctx);
  buildLinalgToLLVMPipeline(low);
  if (failed(low.run(*module)))
    return false;

  llvm::LLVMContext llvmCtx;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(*module, llvmCtx, "netc");
  if (!llvmModule) {
    err << "error: translation to LLVM IR failed\n";
    return false;
  }
  Plan plan = buildPlan(program, kernels, layouts);
  if (!checkParamLayout(plan, layouts, err))
    return false;
  addProgramGlobals(*llvmModule, writePlan(plan), kernels, layouts, *cpu);
  std::unique_ptr<llvm::TargetMachine> tm = createTargetMachine(*cpu, error);
  if (!tm) {
    err << "error: no target for CPU '" << cpu->name << "': " << error << "\n";
    return false;
  }
  optimize(*llvmModule, *tm);
  if (stage == Stage::LLVM)
    return printIR(*llvmModule, out);

  return emitObject(*llvmModule, *tm, objectPath, err);
}
