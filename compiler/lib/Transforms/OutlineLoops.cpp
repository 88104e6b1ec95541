//===- OutlineLoops.cpp - One function per top-level loop nest ------------===//
//
// A train step is one function with a loop nest (scf.for or scf.parallel)
// per fused region: for ResNet50, thousands of loop nests in a single LLVM
// function, on which LLVM's loop analyses (ScalarEvolution, dominance) grow
// superlinearly and -O3 takes tens of minutes. Outlining each top-level
// nest into its own non-inlinable function keeps every LLVM function small,
// so compile time is linear in the network's size. Small functions (LeNet:
// about a hundred nests) are left whole, where LLVM's optimizations across
// nests still pay and compile time is a few seconds.
//
//===----------------------------------------------------------------------===//
#include "netc/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

using namespace mlir;

namespace netc {
#define GEN_PASS_DEF_OUTLINELOOPNESTSPASS
#include "netc/Transforms/Passes.h.inc"
} // namespace netc

namespace {

/// Measured: LeNet's train step (~100 nests) compiles in seconds whole;
/// ResNet50's (thousands) did not finish -O3 in 20 minutes. Hence the
/// option's default of 200 (Passes.td).
struct OutlineLoopNestsPass
    : netc::impl::OutlineLoopNestsPassBase<OutlineLoopNestsPass> {
  using Base::Base;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<std::pair<Operation *, std::string>> loops;
    for (func::FuncOp fn : getOperation().getOps<func::FuncOp>()) {
      if (fn.isExternal())
        continue;
      SmallVector<Operation *> nests;
      for (Operation &op : fn.getBody().front())
        if (isa<scf::ForOp, scf::ParallelOp>(op) && !op.getNumResults())
          nests.push_back(&op);
      if (nests.size() <= maxNestsKeptWhole)
        continue;
      for (auto [i, loop] : llvm::enumerate(nests))
        loops.push_back({loop, (fn.getSymName() + "_nest" + Twine(i)).str()});
    }
    for (auto &[loop, name] : loops)
      if (failed(outline(rewriter, loop, name)))
        return signalPassFailure();
  }

  /// Wraps `loop` in an scf.execute_region and outlines that region into the
  /// private, non-inlinable function `name`.
  static LogicalResult outline(IRRewriter &rewriter, Operation *loop,
                               StringRef name) {
    Location loc = loop->getLoc();
    rewriter.setInsertionPoint(loop);
    auto region = rewriter.create<scf::ExecuteRegionOp>(loc, TypeRange{});
    Block *body = rewriter.createBlock(&region.getRegion());
    rewriter.setInsertionPointToEnd(body);
    auto yield = rewriter.create<scf::YieldOp>(loc);
    loop->moveBefore(yield);
    FailureOr<func::FuncOp> outlined =
        outlineSingleBlockRegion(rewriter, loc, region.getRegion(), name);
    if (failed(outlined))
      return failure();
    outlined->setPrivate();
    // Internal in LLVM too, so that MergeFunctions may fold duplicates.
    (*outlined)->setAttr(
        "llvm.linkage",
        LLVM::LinkageAttr::get(rewriter.getContext(), LLVM::Linkage::Internal));
    (*outlined)->setAttr(
        "passthrough",
        rewriter.getArrayAttr({rewriter.getStringAttr("noinline")}));
    return success();
  }
};

} // namespace
