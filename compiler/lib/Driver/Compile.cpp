//===- Compile.cpp - From a checked Program to IR, LLVM IR and objects ----===//
//
// The compiler's pipeline in one place:
//   MLIRGen (per kernel) -> netc-autodiff            [--stage net]
//   -> netc-export-kernels -> net to fused linalg    [--stage linalg]
//   -> bufferize, loops, LLVM dialect -> LLVM IR, -O3 [--stage llvm]
//   -> object file with the kernel table and the plan.
// --target cuda replaces the step after linalg: bufferize, every loop nest
// in a GPU kernel, netc_cuda_* calls                 [--stage gpu]
//   -> kernels to NVVM, PTX [--stage ptx], fatbin; host code to LLVM.
//
//===----------------------------------------------------------------------===//
#include "netc/Driver/Compile.h"
#include "Codegen.h"
#include "Plan.h"
#include "Target.h"
#include "netc/Conversion/Passes.h"
#include "netc/Dialect/NetDialect.h"
#include "netc/Frontend/Frontend.h"
#include "netc/Transforms/Autodiff.h"
#include "netc/Transforms/MLIRGen.h"
#include "netc/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
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
#include <sstream>

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
/// The entries are defined in `code`, which may be `m` or another module
/// (then `m` declares them).
void addKernelTable(llvm::Module &m, const llvm::Module &code,
                    const KernelPlan &plan,
                    const std::vector<KernelLayout> &layouts) {
  llvm::LLVMContext &ctx = m.getContext();
  auto *ptr = llvm::PointerType::get(ctx, 0);
  auto *entryType = llvm::StructType::get(ctx, {ptr, ptr, ptr, ptr});
  auto fn = [&](const std::string &symbol) -> llvm::Constant * {
    const llvm::Function *f =
        symbol.empty() ? nullptr : code.getFunction(cInterfaceSymbol(symbol));
    if (!f)
      return llvm::ConstantPointerNull::get(ptr);
    return llvm::cast<llvm::Constant>(
        m.getOrInsertFunction(f->getName(), f->getFunctionType()).getCallee());
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
void addProgramGlobals(llvm::Module &m, const llvm::Module &code,
                       const std::string &plan, const KernelPlan &kernels,
                       const std::vector<KernelLayout> &layouts,
                       const TargetCpu &cpu, Target target) {
  addStringGlobal(m, plan, "netc_plan_json");
  addStringGlobal(m, cpu.name, "netc_target_cpu");
  addStringGlobal(m, targetName(target), "netc_target_device");
  std::string features;
  for (const std::string &f : cpu.features)
    features += (features.empty() ? "" : ",") + f;
  addStringGlobal(m, features, "netc_target_features");
  addKernelTable(m, code, kernels, layouts);
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

} // namespace

namespace {

/// What the front half of the compiler hands to LLVM: the kernels' module
/// (unoptimized, without the program globals) and the plan.
struct LoweredProgram {
  std::unique_ptr<llvm::Module> code;
  KernelPlan kernels;
  std::vector<KernelLayout> layouts;
  Plan plan;
};

/// The cuda pipeline's options: the toolkit netc was built with.
GPUPipelineOptions cudaOptions(const std::string &format) {
  GPUPipelineOptions opts;
  opts.format = format;
#ifdef NETC_CUDA_ROOT
  opts.toolkit = NETC_CUDA_ROOT;
  std::string libdevice =
      std::string(NETC_CUDA_ROOT) + "/nvvm/libdevice/libdevice.10.bc";
  if (llvm::sys::fs::exists(libdevice))
    opts.libdevice = libdevice;
#endif
  return opts;
}

/// Prints the kernels' PTX: the objects of every gpu.binary made with the
/// format `isa` (their text ends in a NUL byte, left out).
bool printPTX(ModuleOp module, std::ostream &out) {
  module.walk([&](gpu::BinaryOp binary) {
    for (Attribute a : binary.getObjects()) {
      llvm::StringRef text = cast<gpu::ObjectAttr>(a).getObject().getValue();
      out << "// gpu.binary @" << binary.getSymName().str() << "\n"
          << text.take_until([](char c) { return c == '\0'; }).str();
    }
  });
  return true;
}

/// After the linalg stage: bufferization, loops and the LLVM dialect, for
/// the cpu or (in two halves, the first printed by --stage gpu) for cuda.
/// Null on failure or when printed.
OwningOpRef<ModuleOp> lowerLinalg(OwningOpRef<ModuleOp> module, Stage stage,
                                  Target target, std::ostream &out,
                                  bool &printed) {
  MLIRContext *ctx = module->getContext();
  PassManager low(ctx);
  if (target == Target::Cpu) {
    buildLinalgToLLVMPipeline(low);
    return failed(low.run(*module)) ? nullptr : std::move(module);
  }
  GPUPipelineOptions opts = cudaOptions(stage == Stage::PTX ? "isa" : "fatbin");
  buildLinalgToGPULaunchesPipeline(low, opts);
  if (failed(low.run(*module)))
    return nullptr;
  if (stage == Stage::GPU)
    return printed = printIR(*module, out), nullptr;
  PassManager gpu(ctx);
  buildGPUToLLVMPipeline(gpu, opts);
  if (failed(gpu.run(*module)))
    return nullptr;
  if (stage == Stage::PTX)
    return printed = printPTX(*module, out), nullptr;
  return module;
}

/// MLIRGen, autodiff and the MLIR pipeline down to the LLVM dialect. For
/// the stages Net, Linalg, GPU and PTX prints that stage to `out` and sets
/// `printed`. Null on failure or when printed.
OwningOpRef<ModuleOp> runMLIRPipeline(MLIRContext &ctx, const Program &program,
                                      Stage stage, bool gradcheckF64,
                                      Target target, LoweredProgram &lowered,
                                      std::ostream &out, bool &printed) {
  lowered.kernels = planKernels(program);
  OwningOpRef<ModuleOp> module =
      ModuleOp::create(FileLineColLoc::get(&ctx, program.file, 1, 1));
  if (!buildLossFunctions(*module, lowered.kernels, program.file, gradcheckF64))
    return nullptr;
  PassManager pm(&ctx);
  pm.addPass(createAutodiffPass());
  pm.addPass(createCanonicalizerPass());
  if (failed(pm.run(*module)))
    return nullptr;
  if (stage == Stage::Net)
    return printed = printIR(*module, out), nullptr;
  PassManager lin(&ctx);
  lin.addPass(createExportKernelsPass());
  buildNetToLinalgPipeline(lin);
  if (failed(lin.run(*module)))
    return nullptr;
  if (stage == Stage::Linalg)
    return printed = printIR(*module, out), nullptr;
  lowered.layouts = readLayouts(*module, lowered.kernels);
  stripNetAttributes(*module);
  return lowerLinalg(std::move(module), stage, target, out, printed);
}

/// The front half: the kernels' LLVM module in `llvmCtx` and the plan.
/// False on failure, or with `printed` set after printing the Net or
/// Linalg stage.
bool lowerProgram(const Program &program, Stage stage, bool gradcheckF64,
                  Target target, llvm::LLVMContext &llvmCtx,
                  LoweredProgram &lowered, PhaseTimes &times, std::ostream &out,
                  std::ostream &err, bool &printed) {
  printed = false;
  MLIRContext ctx(compilerRegistry());
  ctx.loadAllAvailableDialects();
  // Diagnostics from MLIR carry the .net file's locations: print them in
  // the compiler convention with the source line and a caret.
  llvm::SourceMgr sourceMgr;
  std::string includedPath;
  sourceMgr.AddIncludeFile(program.file, llvm::SMLoc(), includedPath);
  llvm::raw_os_ostream errStream(err);
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &ctx, errStream);
  OwningOpRef<ModuleOp> module = runMLIRPipeline(
      ctx, program, stage, gradcheckF64, target, lowered, out, printed);
  if (!module)
    return false;
  times.end("mlir");
  lowered.code = translateModuleToLLVMIR(*module, llvmCtx, "netc");
  if (!lowered.code) {
    err << "error: translation to LLVM IR failed\n";
    return false;
  }
  lowered.plan = buildPlan(program, lowered.kernels, lowered.layouts);
  times.end("translate");
  return checkParamLayout(lowered.plan, lowered.layouts, err);
}

/// The build machine's CPU where `cpu` is null.
const TargetCpu *orNative(const TargetCpu *cpu, TargetCpu &native,
                          std::ostream &err) {
  std::string error;
  if (cpu)
    return cpu;
  if (resolveTargetCpu("native", native, error))
    return &native;
  err << "error: " << error << "\n";
  return nullptr;
}

std::unique_ptr<llvm::TargetMachine> targetFor(const TargetCpu &cpu,
                                               std::ostream &err) {
  std::string error;
  std::unique_ptr<llvm::TargetMachine> tm = createTargetMachine(cpu, error);
  if (!tm)
    err << "error: no target for CPU '" << cpu.name << "': " << error << "\n";
  return tm;
}

} // namespace

bool netc::compileProgram(const Program &program, Stage stage,
                          std::ostream &out, std::ostream &err,
                          const std::string &objectPath, const TargetCpu *cpu,
                          bool gradcheckF64, Target target) {
  TargetCpu native;
  if (!(cpu = orNative(cpu, native, err)))
    return false;
  llvm::LLVMContext llvmCtx;
  LoweredProgram lowered;
  PhaseTimes times(false);
  bool printed;
  if (!lowerProgram(program, stage, gradcheckF64, target, llvmCtx, lowered,
                    times, out, err, printed))
    return printed;
  llvm::Module &m = *lowered.code;
  addProgramGlobals(m, m, writePlan(lowered.plan), lowered.kernels,
                    lowered.layouts, *cpu, target);
  std::unique_ptr<llvm::TargetMachine> tm = targetFor(*cpu, err);
  if (!tm)
    return false;
  optimizeModule(m, *tm);
  if (stage == Stage::LLVM)
    return printIR(m, out);
  return emitObject(m, *tm, objectPath, err);
}

namespace {

/// The kernels' objects, from the cache or freshly generated (then stored
/// in the cache, or left in temporary files listed in `temporaries`).
bool kernelObjects(LoweredProgram &lowered, const BuildOptions &options,
                   std::vector<std::string> &objects,
                   std::vector<std::string> &temporaries, PhaseTimes &times,
                   std::ostream &err) {
  // Two partitions whatever the machine: the objects (and the cache's
  // entries) do not depend on the number of cores.
  const unsigned parts = 2;
  ObjectCache cache(options);
  std::string key;
  if (cache.isEnabled()) {
    key = cache.key(*lowered.code, options.cpu, parts);
    times.end("cache lookup");
    if (cache.has(key, parts)) {
      objects = cache.paths(key, parts);
      times.note("cache hit " + key + " in " + cache.directory());
      return true;
    }
    objects = cache.temporaries(key, parts);
  } else {
    for (unsigned i = 0; i < parts; ++i) {
      llvm::SmallString<128> path;
      if (llvm::sys::fs::createTemporaryFile("netc-kernels", "o", path)) {
        err << "error: cannot create a temporary file\n";
        return false;
      }
      objects.push_back(std::string(path));
    }
  }
  temporaries.insert(temporaries.end(), objects.begin(), objects.end());
  std::unique_ptr<llvm::TargetMachine> tm = targetFor(options.cpu, err);
  if (!tm)
    return false;
  optimizeModule(*lowered.code, *tm);
  times.end("llvm opt");
  if (!emitObjects(std::move(lowered.code), options.cpu, objects, err))
    return false;
  times.end("llvm codegen");
  if (!cache.isEnabled())
    return times.note("cache off"), true;
  if (cache.store(key, objects))
    temporaries.clear();
  times.note("cache miss " + key + ", stored in " + cache.directory());
  return true;
}

/// The plan, the kernel table and the target CPU, in an object of their
/// own (the only object a change of hyper-parameters changes).
bool globalsObject(LoweredProgram &lowered, const BuildOptions &options,
                   llvm::Module &code, const std::string &path,
                   std::ostream &err) {
  llvm::Module m("netc_program", code.getContext());
  addProgramGlobals(m, code, writePlan(lowered.plan), lowered.kernels,
                    lowered.layouts, options.cpu, options.target);
  std::unique_ptr<llvm::TargetMachine> tm = targetFor(options.cpu, err);
  if (!tm)
    return false;
  optimizeModule(m, *tm);
  return emitObject(m, *tm, path, err);
}

bool compileAndLink(const Program &program, const std::string &output,
                    const BuildOptions &options,
                    std::vector<std::string> &temporaries, PhaseTimes &times,
                    std::ostream &err) {
  llvm::LLVMContext llvmCtx;
  LoweredProgram lowered;
  std::ostringstream unused;
  bool printed;
  if (!lowerProgram(program, Stage::Object, options.gradcheckF64,
                    options.target, llvmCtx, lowered, times, unused, err,
                    printed))
    return false;
  llvm::SmallString<128> globals;
  if (llvm::sys::fs::createTemporaryFile("netc-program", "o", globals)) {
    err << "error: cannot create a temporary file\n";
    return false;
  }
  temporaries.push_back(std::string(globals));
  if (!globalsObject(lowered, options, *lowered.code, std::string(globals),
                     err))
    return false;
  times.end("program globals");
  std::vector<std::string> objects{std::string(globals)};
  std::vector<std::string> kernels;
  if (!kernelObjects(lowered, options, kernels, temporaries, times, err))
    return false;
  objects.insert(objects.end(), kernels.begin(), kernels.end());
  bool ok = linkProgram(objects, output, err, options.target);
  times.end("link");
  return ok;
}

} // namespace

bool netc::buildProgram(const std::string &file, const std::string &output,
                        const memory::Limit &limit, const BuildOptions &options,
                        std::ostream &err) {
  PhaseTimes times(options.timePhases);
  std::unique_ptr<Program> program = loadProgram(file, err);
  if (!program || !checkMemory(*program, limit, err))
    return false;
  times.end("front end");
  std::vector<std::string> temporaries;
  bool ok = compileAndLink(*program, output, options, temporaries, times, err);
  for (const std::string &t : temporaries)
    llvm::sys::fs::remove(t);
  if (ok)
    times.print(err);
  return ok;
}
