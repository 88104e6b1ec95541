//===- SplitReductions.cpp - Full reductions in fixed parallel chunks -----===//
//
// Linalg lowers a full reduction (a regularizer's sum over a weight, a loss
// over a batch) to a perfect scf.for nest whose innermost body loads the
// rank-0 accumulator, adds one term and stores it back: one serial chain
// through memory, which LLVM neither keeps in a register (it cannot prove
// that the inputs do not alias the accumulator) nor vectorizes (float
// addition is not associative). This pass rewrites every such top-level
// nest over at least `min-elements` iterations into
//
//   %partials = memref.alloca() : memref<C x T>
//   scf.parallel (%c) = (0) to (C) {            // netc_parallel_for later
//     %s = scf.for %o = 0 to Q iter_args(%a = -0.0) {  // rows c*Q + o
//       [scf.if c*Q + o < P]  the inner loops, the sum in iter_args,
//                             addf with `reassoc` (vectorized by LLVM)
//     }
//     memref.store %s, %partials[%c]
//   }
//   %t = scf.for %c = 0 to C iter_args(%a = load %acc[]) { %a + partials[c] }
//   memref.store %t, %acc[]
//
// where the nest's outer loops (enough of them to make at least C
// iterations; the innermost loop always stays a loop) are flattened into P
// rows and cut into C chunks of Q = ceil(P / C). C is the pass's option,
// never the thread count, and the partials are added in chunk order: the
// result is the same for any number of threads. The order of the additions
// changes (rounding only) against the serial nest.
//
//===----------------------------------------------------------------------===//
#include "netc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Pass/Pass.h"

using namespace mlir;

namespace netc {
#define GEN_PASS_DEF_SPLITREDUCTIONSPASS
#include "netc/Transforms/Passes.h.inc"
} // namespace netc

namespace {

/// A perfect nest of scf.for loops with static bounds whose innermost body
/// is `%a = load %acc[]; ...; %r = addf %a, %v (or %v, %a); store %r,
/// %acc[]`, with nothing else writing memory.
struct Reduction {
  SmallVector<scf::ForOp> loops;
  SmallVector<int64_t> trips;
  memref::LoadOp accLoad;
  arith::AddFOp add;
  memref::StoreOp accStore;

  int64_t elements() const {
    int64_t n = 1;
    for (int64_t t : trips)
      n *= t;
    return n;
  }
};

std::optional<int64_t> staticTrips(scf::ForOp loop) {
  auto lb = getConstantIntValue(loop.getLowerBound());
  auto ub = getConstantIntValue(loop.getUpperBound());
  auto step = getConstantIntValue(loop.getStep());
  if (!lb || !ub || !step || *step <= 0 || *ub <= *lb)
    return std::nullopt;
  return (*ub - *lb + *step - 1) / *step;
}

/// The perfect nest rooted at `root`, with static trip counts, no results.
bool collectNest(scf::ForOp root, Reduction &r) {
  for (scf::ForOp loop = root; loop;) {
    auto trips = staticTrips(loop);
    if (!trips || loop.getNumResults())
      return false;
    r.loops.push_back(loop);
    r.trips.push_back(*trips);
    Block *body = loop.getBody();
    auto inner = dyn_cast<scf::ForOp>(body->front());
    loop = inner && &body->front() == body->getTerminator()->getPrevNode()
               ? inner
               : scf::ForOp();
  }
  return true;
}

/// Whether `v` is the accumulator `acc` or a view of it.
bool isAccumulator(Value v, Value acc) {
  for (Operation *def = v.getDefiningOp(); v != acc && def;
       def = v.getDefiningOp()) {
    if (!isa<ViewLikeOpInterface>(def))
      return false;
    v = cast<ViewLikeOpInterface>(def).getViewSource();
  }
  return v == acc;
}

/// Matches the accumulation in the innermost body of `r.loops`.
bool matchAccumulation(Reduction &r) {
  Block *body = r.loops.back().getBody();
  auto store =
      dyn_cast_or_null<memref::StoreOp>(body->getTerminator()->getPrevNode());
  if (!store || !store.getIndices().empty())
    return false;
  Value acc = store.getMemRef();
  if (!isa_and_nonnull<memref::AllocOp, memref::AllocaOp>(acc.getDefiningOp()))
    return false;
  auto add = store.getValue().getDefiningOp<arith::AddFOp>();
  if (!add || add->getBlock() != body || !add->hasOneUse())
    return false;
  for (Operation &op : body->without_terminator()) {
    if (&op == store.getOperation())
      continue;
    if (auto load = dyn_cast<memref::LoadOp>(op)) {
      if (!isAccumulator(load.getMemRef(), acc))
        continue;
      if (r.accLoad || !load.getIndices().empty() || !load->hasOneUse() ||
          *load->user_begin() != add.getOperation())
        return false;
      r.accLoad = load;
      continue;
    }
    if (op.getNumRegions() || !isMemoryEffectFree(&op))
      return false;
  }
  if (!r.accLoad || add.getLhs() == add.getRhs())
    return false;
  r.add = add;
  r.accStore = store;
  return true;
}

/// Builds index arithmetic, folded where the operands are constants, with
/// the constants before the rewritten nest (`top`).
struct IndexMath {
  OpBuilder &b;
  OpBuilder &top;
  Location loc;
  llvm::DenseMap<int64_t, Value> &constants;
  Value constant(int64_t v) {
    Value &c = constants[v];
    if (!c)
      c = top.create<arith::ConstantIndexOp>(loc, v);
    return c;
  }
  Value add(Value x, Value y) {
    return b.createOrFold<arith::AddIOp>(loc, x, y);
  }
  Value mul(Value x, Value y) {
    return b.createOrFold<arith::MulIOp>(loc, x, y);
  }
  Value div(Value x, int64_t y) {
    return b.createOrFold<arith::DivUIOp>(loc, x, constant(y));
  }
  Value rem(Value x, int64_t y) {
    return b.createOrFold<arith::RemUIOp>(loc, x, constant(y));
  }
};

struct SplitReductionsPass
    : netc::impl::SplitReductionsPassBase<SplitReductionsPass> {
  using Base::Base;

  /// Inserts constants at the entry of the function being rewritten, once
  /// per value.
  OpBuilder *topBuilder = nullptr;
  llvm::DenseMap<int64_t, Value> constants;

  void runOnOperation() override {
    if (!chunks)
      return;
    SmallVector<Reduction> found;
    getOperation().walk([&](scf::ForOp loop) {
      if (loop->getParentOfType<LoopLikeOpInterface>() ||
          !loop->getParentOfType<FunctionOpInterface>())
        return;
      Reduction r;
      if (collectNest(loop, r) && r.loops.size() >= 2 &&
          r.elements() >= minElements && outerLoops(r) && matchAccumulation(r))
        found.push_back(std::move(r));
    });
    for (Reduction &r : found)
      split(r);
  }

  /// The number of outer loops flattened into rows: the fewest that make
  /// at least `chunks` rows, never the innermost loop. 0 when none do.
  unsigned outerLoops(const Reduction &r) const {
    int64_t rows = 1;
    for (unsigned d = 0; d + 1 < r.loops.size(); ++d) {
      rows *= r.trips[d];
      if (rows >= static_cast<int64_t>(chunks))
        return d + 1;
    }
    return 0;
  }

  void split(Reduction &r) {
    scf::ForOp root = r.loops.front();
    Location loc = r.add.getLoc();
    // Constants at the function's entry dominate everything built below.
    auto fn = root->getParentOfType<FunctionOpInterface>();
    OpBuilder top = OpBuilder::atBlockBegin(&fn.getFunctionBody().front());
    OpBuilder b(root);
    topBuilder = &top;
    constants.clear();
    IndexMath m{b, top, loc, constants};
    unsigned outer = outerLoops(r);
    int64_t rows = 1;
    for (unsigned d = 0; d < outer; ++d)
      rows *= r.trips[d];
    int64_t perChunk = (rows + chunks - 1) / chunks;
    Type type = r.add.getType();
    auto partials = b.create<memref::AllocaOp>(
        loc, MemRefType::get({static_cast<int64_t>(chunks)}, type));
    b.create<scf::ParallelOp>(
        root.getLoc(), m.constant(0), m.constant(chunks), m.constant(1),
        [&](OpBuilder &body, Location, ValueRange chunk) {
          Value sum = chunkSum(body, r, outer, rows, perChunk, chunk[0]);
          body.create<memref::StoreOp>(loc, sum, partials, chunk[0]);
        });
    combine(b, r, partials);
    root.erase();
  }

  /// The sum of rows [chunk * perChunk, +perChunk) (those below `rows`).
  Value chunkSum(OpBuilder &b, Reduction &r, unsigned outer, int64_t rows,
                 int64_t perChunk, Value chunk) {
    Location loc = r.add.getLoc();
    IndexMath m{b, *topBuilder, loc, constants};
    Value zero = topBuilder->create<arith::ConstantOp>(
        loc, b.getFloatAttr(r.add.getType(), -0.0)); // addf's neutral element
    auto rowLoop = b.create<scf::ForOp>(r.loops[outer - 1].getLoc(),
                                        m.constant(0), m.constant(perChunk),
                                        m.constant(1), ValueRange{zero});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(rowLoop.getBody());
    Value row =
        m.add(m.mul(chunk, m.constant(perChunk)), rowLoop.getInductionVar());
    Value acc = rowLoop.getRegionIterArgs()[0];
    Value sum;
    if (perChunk * static_cast<int64_t>(chunks) == rows) {
      sum = rowSum(b, r, outer, row, acc);
    } else { // the last chunks overshoot: skip rows >= rows
      Value inside = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult,
                                             row, m.constant(rows));
      auto guarded = b.create<scf::IfOp>(
          loc, inside,
          [&](OpBuilder &then, Location) {
            then.create<scf::YieldOp>(loc, rowSum(then, r, outer, row, acc));
          },
          [&](OpBuilder &other, Location) {
            other.create<scf::YieldOp>(loc, acc);
          });
      sum = guarded.getResult(0);
    }
    b.create<scf::YieldOp>(loc, sum);
    return rowLoop.getResult(0);
  }

  /// `acc` plus the terms of flattened row `row`: the outer loops' induction
  /// variables recovered from it, then the inner loops with the sum in
  /// iter_args.
  Value rowSum(OpBuilder &b, Reduction &r, unsigned outer, Value row,
               Value acc) {
    IndexMath m{b, *topBuilder, r.add.getLoc(), constants};
    IRMapping map;
    for (int d = static_cast<int>(outer) - 1; d >= 0; --d) {
      scf::ForOp loop = r.loops[d];
      Value index = d ? m.rem(row, r.trips[d]) : row;
      row = d ? m.div(row, r.trips[d]) : row;
      map.map(loop.getInductionVar(),
              m.add(m.mul(index, loop.getStep()), loop.getLowerBound()));
    }
    return innerSum(b, r, outer, map, acc);
  }

  Value innerSum(OpBuilder &b, Reduction &r, unsigned level, IRMapping &map,
                 Value acc) {
    scf::ForOp loop = r.loops[level];
    auto clone = b.create<scf::ForOp>(loop.getLoc(), loop.getLowerBound(),
                                      loop.getUpperBound(), loop.getStep(),
                                      ValueRange{acc});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(clone.getBody());
    map.map(loop.getInductionVar(), clone.getInductionVar());
    Value inner = clone.getRegionIterArgs()[0];
    Value sum;
    if (level + 1 < r.loops.size()) {
      sum = innerSum(b, r, level + 1, map, inner);
    } else {
      map.map(r.accLoad.getResult(), inner);
      for (Operation &op : loop.getBody()->without_terminator())
        if (&op != r.accLoad.getOperation() && &op != r.accStore.getOperation())
          b.clone(op, map);
      auto add =
          cast<arith::AddFOp>(map.lookup(r.add.getResult()).getDefiningOp());
      add.setFastmath(add.getFastmath() | arith::FastMathFlags::reassoc);
      sum = add.getResult();
    }
    b.create<scf::YieldOp>(loop.getLoc(), sum);
    return clone.getResult(0);
  }

  /// The accumulator's value plus the partials, in chunk order, stored back.
  void combine(OpBuilder &b, Reduction &r, Value partials) {
    Location loc = r.add.getLoc();
    IndexMath m{b, *topBuilder, loc, constants};
    Value init =
        b.create<memref::LoadOp>(r.accLoad.getLoc(), r.accLoad.getMemRef());
    auto loop = b.create<scf::ForOp>(
        loc, m.constant(0), m.constant(chunks), m.constant(1), ValueRange{init},
        [&](OpBuilder &inner, Location, Value chunk, ValueRange args) {
          Value part = inner.create<memref::LoadOp>(loc, partials, chunk);
          Value sum = inner.create<arith::AddFOp>(loc, args[0], part,
                                                  r.add.getFastmath());
          inner.create<scf::YieldOp>(loc, sum);
        });
    b.create<memref::StoreOp>(r.accStore.getLoc(), loop.getResult(0),
                              r.accStore.getMemRef());
  }
};

} // namespace
