//===- KernelCalls.cpp - The cuda lowering's small passes -----------------===//
//
// Small module passes of the cuda lowering (docs/design.md, "The cuda
// target (compiler)"): the preparation of the linalg ops for the GPU (no
// host constants, parallel loops outermost), the runtime kernels that the
// cuda program calls, named from the one table netc/Kernels.def, and the
// merge of the kernels that gpu-kernel-outlining puts in a gpu.module each
// into one module.
//
//===----------------------------------------------------------------------===//
#include "netc/Conversion/Passes.h"
#include "netc/KernelTable.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"

using namespace mlir;

namespace netc {
#define GEN_PASS_DEF_CUDAKERNELCALLSPASS
#define GEN_PASS_DEF_MERGEGPUMODULESPASS
#define GEN_PASS_DEF_CUDAPREPARELINALGPASS
#define GEN_PASS_DEF_CUDAROUNDEDSQRTPASS
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

/// Replaces each use of the splat tensor constant `c` by a linalg.fill of a
/// tensor.empty built just before the user (a fresh buffer per use, so no
/// use's in-place write needs a copy); erases `c`.
void splatToFills(RewriterBase &rewriter, arith::ConstantOp c,
                  SplatElementsAttr splat) {
  auto type = cast<RankedTensorType>(c.getType());
  for (OpOperand &use : llvm::make_early_inc_range(c->getUses())) {
    Operation *user = use.getOwner();
    rewriter.setInsertionPoint(user);
    Location loc = c.getLoc();
    Value scalar = rewriter.create<arith::ConstantOp>(
        loc, cast<TypedAttr>(splat.getSplatValue<Attribute>()));
    Value empty = rewriter.create<tensor::EmptyOp>(loc, type.getShape(),
                                                   type.getElementType());
    Value fill =
        rewriter.create<linalg::FillOp>(loc, scalar, empty).getResult(0);
    rewriter.modifyOpInPlace(user, [&] { use.set(fill); });
  }
  rewriter.eraseOp(c);
}

/// The loop order of `op` with its parallel loops first, each group in its
/// original order; empty if that is the order already.
SmallVector<unsigned> parallelFirst(linalg::GenericOp op) {
  SmallVector<unsigned> parallel, reduction;
  for (auto [d, it] : llvm::enumerate(op.getIteratorTypesArray()))
    (it == utils::IteratorType::parallel ? parallel : reduction).push_back(d);
  if (reduction.empty() || parallel.empty() || parallel.back() < reduction[0])
    return {};
  parallel.append(reduction);
  return parallel;
}

/// netc-cuda-prepare-linalg: on tensors, before bufferization. Splat tensor
/// constants become fills (bufferized, a constant is a host memref.global
/// that kernels would read: the device cannot address it); linalg.generic
/// ops with a reduction loop before a parallel one get their parallel loops
/// first, so linalg -> parallel loops makes one GPU thread per output, which
/// sums in the order of the original loops (the cpu target's order).
struct CudaPrepareLinalgPass
    : netc::impl::CudaPrepareLinalgPassBase<CudaPrepareLinalgPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<std::pair<arith::ConstantOp, SplatElementsAttr>> splats;
    SmallVector<linalg::GenericOp> generics;
    getOperation().walk([&](Operation *op) {
      if (auto c = dyn_cast<arith::ConstantOp>(op)) {
        auto splat = dyn_cast<SplatElementsAttr>(c.getValue());
        if (splat && isa<RankedTensorType>(c.getType()))
          splats.push_back({c, splat});
      } else if (auto g = dyn_cast<linalg::GenericOp>(op)) {
        generics.push_back(g);
      }
    });
    for (auto [c, splat] : splats)
      splatToFills(rewriter, c, splat);
    for (linalg::GenericOp g : generics) {
      SmallVector<unsigned> order = parallelFirst(g);
      if (order.empty())
        continue;
      rewriter.setInsertionPoint(g);
      if (failed(linalg::interchangeGenericOp(rewriter, g, order))) {
        g.emitError("cannot put the parallel loops first");
        return signalPassFailure();
      }
    }
  }
};

/// netc-cuda-rounded-sqrt, on a gpu.module after convert-gpu-to-nvvm: the
/// calls of libdevice's __nv_sqrtf / __nv_sqrt that math.sqrt became ->
/// llvm.intr.sqrt, which NVPTX compiles to the correctly rounded sqrt.rn,
/// as the cpu target's sqrt (__nv_sqrtf is sqrt.approx.f32 unless the
/// reflect value __CUDA_PREC_SQRT is 1, which LLVM 19's NVVMReflect gives no
/// way to set; convert-gpu-to-nvvm refuses llvm.intr.sqrt before it).
struct CudaRoundedSqrtPass
    : netc::impl::CudaRoundedSqrtPassBase<CudaRoundedSqrtPass> {
  void runOnOperation() override {
    gpu::GPUModuleOp module = getOperation();
    module.walk([](LLVM::CallOp call) {
      std::optional<StringRef> callee = call.getCallee();
      if (!callee || (*callee != "__nv_sqrtf" && *callee != "__nv_sqrt") ||
          call.getNumOperands() != 1 || call.getNumResults() != 1)
        return;
      OpBuilder b(call);
      Value r = b.create<LLVM::SqrtOp>(call.getLoc(), call.getOperand(0));
      call.getResult().replaceAllUsesWith(r);
      call.erase();
    });
    for (StringRef name : {"__nv_sqrtf", "__nv_sqrt"})
      if (auto f = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
        if (f.isExternal() && SymbolTable::symbolKnownUseEmpty(f, module))
          f.erase();
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
