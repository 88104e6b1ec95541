//===- MapLoopsToGPU.cpp - Every top-level loop nest onto the GPU --------===//
//
// After linalg -> parallel loops, a step's host function is a sequence of
// allocations, address computations, calls of the runtime's kernels and
// loop nests over buffers. Each top-level scf.parallel becomes a gpu.launch
// over its flattened iteration space; every run of other ops that read or
// write buffers (serial nests such as a loss sum, 0-d updates) becomes a
// gpu.launch of one thread, so no loop over buffer memory is left on the
// host. gpu-kernel-outlining then turns the launches into kernels.
//
// A launch may not capture the address of a host global (memref.get_global:
// a constant in the program's .rodata, which the device cannot address):
// that is an error (netc-cuda-prepare-linalg makes the constants fills).
// Stack memory that a launch captures (a memref.alloca on the host) becomes
// a memref.alloc freed at the end of its block.
//
//===----------------------------------------------------------------------===//
#include "netc/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace netc {
#define GEN_PASS_DEF_MAPLOOPSTOGPUPASS
#include "netc/Conversion/Passes.h.inc"
} // namespace netc

namespace {

/// Whether `op` or an op nested in it reads or writes a buffer.
bool touchesBuffers(Operation *op) {
  WalkResult r = op->walk([](Operation *inner) {
    auto effects = dyn_cast<MemoryEffectOpInterface>(inner);
    if (!effects)
      return WalkResult::advance();
    SmallVector<MemoryEffects::EffectInstance> list;
    effects.getEffects(list);
    for (const MemoryEffects::EffectInstance &e : list)
      if (isa<MemoryEffects::Read, MemoryEffects::Write>(e.getEffect()) &&
          e.getValue() && isa<MemRefType>(e.getValue().getType()))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return r.wasInterrupted();
}

bool callsFunctions(Operation *op) {
  return op->walk([](CallOpInterface) { return WalkResult::interrupt(); })
      .wasInterrupted();
}

/// Ops that may travel into a kernel with their users: no memory effects,
/// no regions.
bool isPlainValue(Operation *op) {
  return op->getNumRegions() == 0 && isMemoryEffectFree(op);
}

/// An empty gpu.launch at `b`'s insertion point with the given sizes (x
/// only); the builder is left inside its body, before the terminator.
gpu::LaunchOp createLaunch(OpBuilder &b, Location loc, Value grid,
                           Value block) {
  Value one = b.create<arith::ConstantIndexOp>(loc, 1);
  auto launch = b.create<gpu::LaunchOp>(loc, grid, one, one, block, one, one);
  Block &body = launch.getBody().front();
  b.setInsertionPointToEnd(&body);
  auto end = b.create<gpu::TerminatorOp>(loc);
  b.setInsertionPoint(end);
  return launch;
}

/// The number of iterations of dimension `d` of `loop` (0 if negative).
Value tripCount(OpBuilder &b, scf::ParallelOp loop, unsigned d) {
  Location loc = loop.getLoc();
  Value lb = loop.getLowerBound()[d], ub = loop.getUpperBound()[d],
        step = loop.getStep()[d];
  Value one = b.create<arith::ConstantIndexOp>(loc, 1);
  Value zero = b.create<arith::ConstantIndexOp>(loc, 0);
  Value span = b.createOrFold<arith::SubIOp>(loc, ub, lb);
  Value rounded = b.createOrFold<arith::AddIOp>(
      loc, span, b.createOrFold<arith::SubIOp>(loc, step, one));
  Value trip = b.createOrFold<arith::DivSIOp>(loc, rounded, step);
  return b.createOrFold<arith::MaxSIOp>(loc, trip, zero);
}

/// One thread per iteration of `loop`: `blockSize` threads a block (fewer
/// for a smaller constant nest), the innermost dimension fastest.
void mapParallelLoop(scf::ParallelOp loop, int64_t blockSize) {
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  SmallVector<Value> trips;
  Value total = b.create<arith::ConstantIndexOp>(loc, 1);
  for (unsigned d = 0; d < loop.getNumLoops(); ++d) {
    trips.push_back(tripCount(b, loop, d));
    total = b.createOrFold<arith::MulIOp>(loc, total, trips.back());
  }
  int64_t threads = blockSize;
  if (std::optional<int64_t> n = getConstantIntValue(total))
    threads = std::clamp<int64_t>((*n + 31) / 32 * 32, 32, blockSize);
  Value block = b.create<arith::ConstantIndexOp>(loc, threads);
  Value one = b.create<arith::ConstantIndexOp>(loc, 1);
  Value grid = b.createOrFold<arith::DivUIOp>(
      loc,
      b.createOrFold<arith::AddIOp>(
          loc, total, b.create<arith::ConstantIndexOp>(loc, threads - 1)),
      block);
  grid = b.createOrFold<arith::MaxUIOp>(loc, grid, one); // never empty
  gpu::LaunchOp launch = createLaunch(b, loc, grid, block);
  Value linear = b.create<arith::AddIOp>(
      loc, b.create<arith::MulIOp>(loc, launch.getBlockIds().x, block),
      launch.getThreadIds().x);
  Value inside =
      b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, linear, total);
  auto guard = b.create<scf::IfOp>(loc, inside, /*withElse=*/false);
  b.setInsertionPoint(guard.thenBlock()->getTerminator());
  IRMapping map;
  // Innermost dimension fastest; the outermost index is what remains
  // (below its trip count: the guard).
  for (int d = loop.getNumLoops() - 1; d >= 0; --d) {
    Value index = linear;
    if (d > 0) {
      index = b.create<arith::RemUIOp>(loc, linear, trips[d]);
      linear = b.create<arith::DivUIOp>(loc, linear, trips[d]);
    }
    Value iv = b.createOrFold<arith::AddIOp>(
        loc, b.createOrFold<arith::MulIOp>(loc, index, loop.getStep()[d]),
        loop.getLowerBound()[d]);
    map.map(loop.getInductionVars()[d], iv);
  }
  for (Operation &op : loop.getBody()->without_terminator())
    b.clone(op, map);
  loop.erase();
}

/// Moves `ops` (in order; none used after them) into a one-thread launch
/// placed after the last of them.
void launchSerially(ArrayRef<Operation *> ops) {
  OpBuilder b(ops.back()->getContext());
  b.setInsertionPointAfter(ops.back());
  Location loc = ops.front()->getLoc();
  Value one = b.create<arith::ConstantIndexOp>(loc, 1);
  gpu::LaunchOp launch = createLaunch(b, loc, one, one);
  Operation *end = launch.getBody().front().getTerminator();
  for (Operation *op : ops)
    op->moveBefore(end);
}

/// A run of ops that touch buffers (and plain values among them): moves
/// what it can into one-thread launches. An op whose results are used by an
/// op outside the launch stays on the host; one that touches buffers splits
/// the run there, so host and device accesses keep their order.
void flushRun(Block &block, ArrayRef<Operation *> run) {
  while (!run.empty() && !touchesBuffers(run.back()))
    run = run.drop_back();
  if (run.empty())
    return;
  llvm::SmallPtrSet<Operation *, 16> moved(run.begin(), run.end());
  for (bool changed = true; changed;) {
    changed = false;
    for (Operation *op : run)
      if (moved.count(op))
        for (Operation *user : op->getUsers()) {
          Operation *u = block.findAncestorOpInBlock(*user);
          if (!u || !moved.count(u)) {
            moved.erase(op);
            changed = true;
            break;
          }
        }
  }
  for (size_t k = 0; k < run.size(); ++k)
    if (!moved.count(run[k]) && touchesBuffers(run[k])) {
      flushRun(block, run.take_front(k));
      flushRun(block, run.drop_front(k + 1));
      return;
    }
  SmallVector<Operation *> ops;
  for (Operation *op : run)
    if (moved.count(op))
      ops.push_back(op);
  launchSerially(ops);
}

void mapBlock(Block &block, int64_t blockSize) {
  SmallVector<Operation *> run;
  SmallVector<Operation *> ops;
  for (Operation &op : block)
    ops.push_back(&op);
  for (Operation *op : ops) {
    if (op->hasTrait<OpTrait::ConstantLike>())
      continue; // a kernel that uses it gets its own copy when outlined
    auto loop = dyn_cast<scf::ParallelOp>(op);
    bool device = touchesBuffers(op) && !callsFunctions(op);
    if (device && !(loop && loop.getNumResults() == 0)) {
      run.push_back(op);
      continue;
    }
    if (!run.empty() && isPlainValue(op)) {
      run.push_back(op);
      continue;
    }
    flushRun(block, run);
    run.clear();
    if (device) {
      mapParallelLoop(loop, blockSize);
    } else if (op->getNumRegions() > 0 && callsFunctions(op)) {
      // Host control flow around kernel calls: its body is mapped alike.
      for (Region &r : op->getRegions())
        for (Block &b : r)
          mapBlock(b, blockSize);
    }
  }
  flushRun(block, run);
}

/// Errors for every memref.get_global result that `launch` captures.
LogicalResult checkNoHostGlobals(gpu::LaunchOp launch) {
  LogicalResult result = success();
  launch.getBody().walk([&](Operation *op) {
    for (Value v : op->getOperands()) {
      auto global = v.getDefiningOp<memref::GetGlobalOp>();
      if (!global || launch->isProperAncestor(global))
        continue;
      InFlightDiagnostic d = op->emitError()
                             << "a GPU kernel would read the host global @"
                             << global.getName()
                             << ", which the device cannot address";
      d.attachNote(global.getLoc()) << "read here";
      result = failure();
    }
  });
  return result;
}

/// Host stack memory that a launch captures (netc-split-reductions'
/// partials) becomes a memref.alloc (step memory: managed memory in a cuda
/// program), freed at the end of its block: a device cannot address the
/// host's stack.
void allocasToHeap(ModuleOp module) {
  llvm::SetVector<memref::AllocaOp> captured;
  module.walk([&](gpu::LaunchOp launch) {
    launch.getBody().walk([&](Operation *op) {
      for (Value v : op->getOperands())
        if (auto a = v.getDefiningOp<memref::AllocaOp>())
          if (!launch->isProperAncestor(a))
            captured.insert(a);
    });
  });
  for (memref::AllocaOp a : captured) {
    OpBuilder b(a);
    auto alloc =
        b.create<memref::AllocOp>(a.getLoc(), a.getType(), a.getDynamicSizes(),
                                  a.getSymbolOperands(), a.getAlignmentAttr());
    a.getResult().replaceAllUsesWith(alloc.getResult());
    b.setInsertionPoint(a->getBlock()->getTerminator());
    b.create<memref::DeallocOp>(a.getLoc(), alloc);
    a.erase();
  }
}

struct MapLoopsToGPUPass
    : netc::impl::MapLoopsToGPUPassBase<MapLoopsToGPUPass> {
  using MapLoopsToGPUPassBase::MapLoopsToGPUPassBase;
  void runOnOperation() override {
    if (blockSize < 32 || blockSize > 1024 || blockSize % 32) {
      getOperation().emitError("block-size must be a multiple of 32 in "
                               "[32, 1024], got ")
          << static_cast<int64_t>(blockSize);
      return signalPassFailure();
    }
    getOperation().walk([&](func::FuncOp f) {
      if (!f.isExternal())
        for (Block &b : f.getBody())
          mapBlock(b, blockSize);
    });
    allocasToHeap(getOperation());
    bool ok = true;
    getOperation().walk([&](gpu::LaunchOp launch) {
      ok &= succeeded(checkNoHostGlobals(launch));
    });
    if (!ok)
      signalPassFailure();
  }
};

} // namespace
