//===- KernelCalls.cpp - netc_<Id> -> netc_cuda_<Id>, one gpu.module -----===//
//
// Two small module passes of the cuda lowering (docs/design.md, "The cuda
// target (compiler)"): the runtime kernels that the cuda program calls,
// named from the one table netc/Kernels.def, and the merge of the kernels
// that gpu-kernel-outlining puts in a gpu.module each into one module.
//
//===----------------------------------------------------------------------===//
#include "netc/Conversion/Passes.h"
#include "netc/KernelTable.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

using namespace mlir;

namespace netc {
#define GEN_PASS_DEF_CUDAKERNELCALLSPASS
#define GEN_PASS_DEF_MERGEGPUMODULESPASS
#include "netc/Conversion/Passes.h.inc"
} // namespace netc

namespace {

/// `netc_<Id>` -> `netc_cuda_<Id>`.
std::string cudaName(llvm::StringRef name) {
  return "netc_cuda_" + name.drop_front(llvm::StringRef("netc_").size()).str();
}

struct CudaKernelCallsPass
    : netc::impl::CudaKernelCallsPassBase<CudaKernelCallsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (const netc::abi::RuntimeKernelInfo &k : netc::abi::kRuntimeKernels) {
      if (auto f = module.lookupSymbol<func::FuncOp>(k.nameF64)) {
        f.emitError() << "'" << k.nameF64
                      << "' has no cuda version: float64 steps "
                         "(--gradcheck-f64) are compiled for the cpu target "
                         "only";
        return signalPassFailure();
      }
      auto f = module.lookupSymbol<func::FuncOp>(k.name);
      if (!f)
        continue;
      StringAttr name = StringAttr::get(&getContext(), cudaName(k.name));
      if (module.lookupSymbol(name)) {
        f.emitError() << "'" << name.getValue() << "' is already defined";
        return signalPassFailure();
      }
      if (failed(SymbolTable::replaceAllSymbolUses(f, name, module)))
        return signalPassFailure();
      f.setSymName(name);
    }
  }
};

/// Erases every kernel of `kernels` that is identical to an earlier one (the
/// same signature, attributes and body: the forward nests of the train and
/// eval steps, of kernels that differ in their optimizer or regularizer),
/// so ptxas compiles it once. Returns erased name -> kept name.
llvm::DenseMap<StringAttr, StringAttr> dedupeKernels(gpu::GPUModuleOp kernels) {
  llvm::DenseMap<StringAttr, StringAttr> replaced;
  llvm::StringMap<StringAttr> first; // text without the name -> kept name
  StringAttr blank = StringAttr::get(kernels.getContext(), "k");
  for (gpu::GPUFuncOp f :
       llvm::make_early_inc_range(kernels.getOps<gpu::GPUFuncOp>())) {
    StringAttr name = f.getNameAttr();
    std::string text;
    llvm::raw_string_ostream os(text);
    f.setName(blank);
    f->print(os, OpPrintingFlags().useLocalScope());
    f.setName(name);
    auto [it, inserted] = first.try_emplace(os.str(), name);
    if (!inserted) {
      replaced[name] = it->second;
      f.erase();
    }
  }
  return replaced;
}

struct MergeGPUModulesPass
    : netc::impl::MergeGPUModulesPassBase<MergeGPUModulesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> modules(module.getOps<gpu::GPUModuleOp>());
    if (modules.empty())
      return;
    if (module.lookupSymbol("netc_kernels")) {
      module.emitError("'netc_kernels' is already defined");
      return signalPassFailure();
    }
    auto b = OpBuilder::atBlockEnd(module.getBody());
    auto merged =
        b.create<gpu::GPUModuleOp>(modules.front().getLoc(), "netc_kernels");
    // Old reference (module, function) -> new reference. The outlined
    // modules' names are unique (the functions' are not: each kernel is
    // named after its host function): a module's one kernel takes its name.
    llvm::DenseMap<Attribute, SymbolRefAttr> moved;
    SymbolTable kernels(merged);
    for (gpu::GPUModuleOp m : modules) {
      Block &body = m.getBodyRegion().front();
      auto symbols = llvm::to_vector(body.getOps<SymbolOpInterface>());
      if (symbols.size() != 1 || kernels.lookup(m.getNameAttr())) {
        m.emitError("cannot merge this gpu.module: one kernel expected, "
                    "named uniquely");
        return signalPassFailure();
      }
      SymbolOpInterface kernel = symbols.front();
      StringAttr oldName = kernel.getNameAttr();
      kernel->moveBefore(merged.getBodyRegion().front().getTerminator());
      kernel.setName(m.getNameAttr());
      kernels.insert(kernel);
      moved[SymbolRefAttr::get(m.getNameAttr(),
                               {FlatSymbolRefAttr::get(oldName)})] =
          SymbolRefAttr::get(merged.getNameAttr(),
                             {FlatSymbolRefAttr::get(m.getNameAttr())});
    }
    llvm::DenseMap<StringAttr, StringAttr> replaced = dedupeKernels(merged);
    module.walk([&](gpu::LaunchFuncOp launch) {
      auto it = moved.find(launch.getKernelAttr());
      if (it == moved.end())
        return;
      StringAttr name = it->second.getLeafReference();
      if (auto r = replaced.find(name); r != replaced.end())
        name = r->second;
      launch.setKernelAttr(SymbolRefAttr::get(merged.getNameAttr(),
                                              {FlatSymbolRefAttr::get(name)}));
    });
    for (gpu::GPUModuleOp m : modules)
      m.erase();
  }
};

} // namespace
