//===- ProfileLoops.cpp - Profile calls around the steps' loop nests ------===//
//
// After the lowering to loops, a step is a sequence of top-level loop nests
// (the fused linalg ops) and calls of the runtime's kernels. The kernels time
// themselves; this pass brackets each nest with netc_profile_begin/end and
// its family (netc/Profile.def), read from the locations inside the nest
// (ProfileFamilies.h). The calls cost a load and a branch each when the
// program runs without --profile; they touch only the runtime's memory
// (declared so to LLVM), so the nests around them optimize as before.
//
//===----------------------------------------------------------------------===//
#include "netc/Dialect/NetDialect.h"
#include "netc/Transforms/Passes.h"
#include "netc/Transforms/ProfileFamilies.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;
using netc::profile::Family;

namespace netc {
#define GEN_PASS_DEF_PROFILELOOPNESTSPASS
#include "netc/Transforms/Passes.h.inc"
} // namespace netc

// ---- Families in locations ------------------------------------------------

namespace {
constexpr llvm::StringLiteral kMarkPrefix = "netc.family.";

std::optional<Family> markedFamily(NameLoc loc) {
  StringRef name = loc.getName().getValue();
  if (!name.consume_front(kMarkPrefix))
    return std::nullopt;
  for (int f = 0; f < netc::rt::profile::kNumFamilies; ++f)
    if (name == netc::rt::profile::kIds[f])
      return static_cast<Family>(f);
  return std::nullopt;
}
} // namespace

Location netc::profile::withFamily(Location loc, Family f) {
  if (auto name = dyn_cast<NameLoc>(loc); name && markedFamily(name))
    loc = name.getChildLoc();
  const char *id = rt::profile::kIds[static_cast<int>(f)];
  return NameLoc::get(
      StringAttr::get(loc.getContext(), (kMarkPrefix + id).str()), loc);
}

std::optional<Family> netc::profile::familyOf(Location loc) {
  std::optional<Family> found;
  loc->walk([&](Location l) {
    if (auto name = dyn_cast<NameLoc>(l))
      found = markedFamily(name);
    return found ? WalkResult::interrupt() : WalkResult::advance();
  });
  return found;
}

// ---- The pass -------------------------------------------------------------

namespace {

/// An op that computes on floats: what the family of a nest is counted by
/// (loads, stores and index arithmetic belong to the loop, not to the op).
bool isArithmetic(Operation *op) {
  if (!isa<arith::ArithDialect, math::MathDialect>(op->getDialect()) ||
      isa<arith::ConstantOp>(op))
    return false;
  auto isFloat = [](Type t) { return isa<FloatType>(getElementTypeOrSelf(t)); };
  return llvm::any_of(op->getOperandTypes(), isFloat) ||
         llvm::any_of(op->getResultTypes(), isFloat);
}

/// The family of most arithmetic ops in `nest` (ties: the first in program
/// order); without arithmetic, the first family in the nest's locations.
Family nestFamily(Operation *nest) {
  SmallVector<std::pair<Family, unsigned>> counts; // in order of appearance
  std::optional<Family> anyFamily;
  nest->walk<WalkOrder::PreOrder>([&](Operation *op) {
    std::optional<Family> f = netc::profile::familyOf(op->getLoc());
    if (!f)
      return;
    if (!anyFamily)
      anyFamily = f;
    if (!isArithmetic(op))
      return;
    auto it = llvm::find_if(counts, [&](auto &c) { return c.first == *f; });
    if (it == counts.end())
      counts.push_back({*f, 1});
    else
      ++it->second;
  });
  if (counts.empty())
    return anyFamily.value_or(Family::compiled);
  auto best = counts.begin();
  for (auto it = counts.begin(); it != counts.end(); ++it)
    if (it->second > best->second)
      best = it;
  return best->first;
}

struct ProfileLoopNestsPass
    : netc::impl::ProfileLoopNestsPassBase<ProfileLoopNestsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> steps = stepFunctions(module);
    if (steps.empty())
      return;
    OpBuilder b(module.getBodyRegion());
    // Each goes first in the module: begin ends up before end.
    func::FuncOp end = declare(b, module, "netc_profile_end");
    func::FuncOp begin = declare(b, module, "netc_profile_begin");
    for (func::FuncOp fn : steps)
      for (Block &block : fn.getBody()) {
        SmallVector<Operation *> nests;
        for (Operation &op : block)
          if (isa<scf::ForOp, scf::ParallelOp>(op))
            nests.push_back(&op);
        for (Operation *nest : nests)
          bracket(b, nest, begin, end);
      }
  }

  /// An entry point: net.entry, or llvm.emit_c_interface once the driver
  /// has stripped the net.* attributes.
  static bool isEntry(func::FuncOp fn) {
    return fn->hasAttr(netc::net::NetDialect::EntryAttrHelper::getNameStr()) ||
           fn->hasAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName());
  }

  /// The entry points and every function they call, directly or not.
  static SmallVector<func::FuncOp> stepFunctions(ModuleOp module) {
    llvm::SetVector<func::FuncOp> found;
    for (func::FuncOp fn : module.getOps<func::FuncOp>())
      if (!fn.isExternal() && isEntry(fn))
        found.insert(fn);
    for (size_t i = 0; i < found.size(); ++i)
      func::FuncOp(found[i]).walk([&](func::CallOp call) {
        auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee());
        if (callee && !callee.isExternal())
          found.insert(callee);
      });
    return found.takeVector();
  }

  /// `void name(i32)`, touching no memory of the module (LLVM may keep
  /// values in registers and move loads across the call) and not unwinding.
  static func::FuncOp declare(OpBuilder &b, ModuleOp module, StringRef name) {
    if (auto fn = module.lookupSymbol<func::FuncOp>(name))
      return fn;
    b.setInsertionPointToStart(module.getBody());
    auto fn = b.create<func::FuncOp>(module.getLoc(), name,
                                     b.getFunctionType({b.getI32Type()}, {}));
    fn.setPrivate();
    MLIRContext *ctx = b.getContext();
    fn->setAttr("memory", LLVM::MemoryEffectsAttr::get(
                              ctx, /*other=*/LLVM::ModRefInfo::NoModRef,
                              /*argMem=*/LLVM::ModRefInfo::NoModRef,
                              /*inaccessibleMem=*/LLVM::ModRefInfo::ModRef));
    fn->setAttr("passthrough", b.getArrayAttr({b.getStringAttr("nounwind"),
                                               b.getStringAttr("willreturn")}));
    return fn;
  }

  static void bracket(OpBuilder &b, Operation *nest, func::FuncOp begin,
                      func::FuncOp end) {
    Location loc = nest->getLoc();
    b.setInsertionPoint(nest);
    Value family = b.create<arith::ConstantIntOp>(
        loc, static_cast<int64_t>(nestFamily(nest)), 32);
    b.create<func::CallOp>(loc, begin, family);
    b.setInsertionPointAfter(nest);
    b.create<func::CallOp>(loc, end, family);
  }
};

} // namespace
