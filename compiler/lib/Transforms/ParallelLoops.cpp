//===- ParallelLoops.cpp - Top-level scf.parallel -> netc_parallel_for ----===//
//
// Linalg's lowering to parallel loops makes an scf.parallel of each op's
// parallel dimensions and keeps its reductions as scf.for, in the order of
// the serial lowering. This pass outlines every top-level scf.parallel (one
// not nested in another loop) into a function
//
//   func.func private @<function>_par<i>(%ctx: !llvm.ptr, %lo: index,
//                                         %hi: index)
//
// that runs iterations [lo, hi) of its outermost dimension, and replaces the
// loop with a call to the runtime's netc_parallel_for (runtime/include/netc/
// Parallel.h), which splits that dimension into one chunk per thread of
// oneDNN's OpenMP team, or runs it on the calling thread when the estimated
// work is small. Inner dimensions stay serial; no reduction is split, and
// every iteration runs its operations in their order, so results do not
// depend on the number of threads.
//
// The values the loop uses travel in a stack struct: memrefs as their LLVM
// descriptors (through unrealized casts that the LLVM lowering resolves),
// indices as i64, scalars as themselves; constants are cloned into the
// body, so static trip counts stay static and LLVM still vectorizes.
//
//===----------------------------------------------------------------------===//
#include "netc/Transforms/Passes.h"

#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/RegionUtils.h"

using namespace mlir;

namespace netc {
#define GEN_PASS_DEF_PARALLELIZELOOPSPASS
#include "netc/Transforms/Passes.h.inc"
} // namespace netc

namespace {

constexpr llvm::StringLiteral kRuntimeFn = "netc_parallel_for";

/// Trips assumed for a loop whose bounds are only known inside the nest.
constexpr int64_t kUnknownTrips = 16;

/// Builds index arithmetic, folded to constants where the operands are.
struct IndexMath {
  OpBuilder &b;
  Location loc;
  Value constant(int64_t v) { return b.create<arith::ConstantIndexOp>(loc, v); }
  Value add(Value x, Value y) {
    return b.createOrFold<arith::AddIOp>(loc, x, y);
  }
  Value mul(Value x, Value y) {
    return b.createOrFold<arith::MulIOp>(loc, x, y);
  }
  Value trips(Value lb, Value ub, Value step) {
    Value span = b.createOrFold<arith::SubIOp>(loc, ub, lb);
    return b.createOrFold<arith::CeilDivSIOp>(loc, span, step);
  }
};

/// Whether `v` is computed inside `top` (so not available before it).
bool definedInside(Value v, Operation *top) {
  return top->isAncestor(v.getParentRegion()->getParentOp());
}

Value loopTrips(IndexMath &m, ValueRange lbs, ValueRange ubs, ValueRange steps,
                Operation *top, unsigned firstDim = 0) {
  Value trips = m.constant(1);
  for (unsigned d = firstDim; d < lbs.size(); ++d) {
    bool known = !definedInside(lbs[d], top) && !definedInside(ubs[d], top) &&
                 !definedInside(steps[d], top);
    trips = m.mul(trips, known ? m.trips(lbs[d], ubs[d], steps[d])
                               : m.constant(kUnknownTrips));
  }
  return trips;
}

/// The operations one execution of `block` runs (its nested loops' bodies
/// times their trip counts), as an index value computed before `top`.
Value blockWork(IndexMath &m, Block &block, Operation *top) {
  int64_t ops = 0;
  Value total = m.constant(0);
  for (Operation &op : block.without_terminator()) {
    if (auto loop = dyn_cast<scf::ForOp>(op)) {
      Value trips = loopTrips(m, loop.getLowerBound(), loop.getUpperBound(),
                              loop.getStep(), top);
      total = m.add(total, m.mul(trips, blockWork(m, *loop.getBody(), top)));
    } else if (auto loop = dyn_cast<scf::ParallelOp>(op)) {
      Value trips = loopTrips(m, loop.getLowerBound(), loop.getUpperBound(),
                              loop.getStep(), top);
      total = m.add(total, m.mul(trips, blockWork(m, *loop.getBody(), top)));
    } else {
      ++ops;
      for (Region &region : op.getRegions())
        for (Block &inner : region)
          total = m.add(total, blockWork(m, inner, top));
    }
  }
  return m.add(total, m.constant(ops));
}

/// The type of the context slot that carries a value of type `type`, or
/// null when the pass cannot carry it.
Type slotType(Type type, const LLVMTypeConverter &converter) {
  if (isa<MemRefType>(type))
    return converter.convertType(type);
  if (type.isIndex())
    return IntegerType::get(type.getContext(), 64);
  if (isa<IntegerType, FloatType>(type))
    return type;
  return {};
}

struct ParallelizeLoopsPass
    : netc::impl::ParallelizeLoopsPassBase<ParallelizeLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<std::pair<scf::ParallelOp, std::string>> loops;
    for (func::FuncOp fn : module.getOps<func::FuncOp>()) {
      unsigned i = 0;
      fn.walk([&](scf::ParallelOp loop) {
        if (!loop->getParentOfType<LoopLikeOpInterface>() &&
            !loop.getNumResults())
          loops.push_back(
              {loop, (fn.getSymName() + "_par" + Twine(i++)).str()});
      });
    }
    if (loops.empty())
      return;
    SymbolTable symbols(module);
    LLVMTypeConverter converter(&getContext());
    for (auto &[loop, name] : loops)
      parallelize(loop, name, symbols, converter);
  }

  /// The values `loop` uses from above it, split into the constants that the
  /// body clones and the values that travel in the context. False when one
  /// of them cannot travel.
  static bool captures(scf::ParallelOp loop, const LLVMTypeConverter &converter,
                       SmallVectorImpl<Value> &constants,
                       SmallVectorImpl<Value> &slots,
                       SmallVectorImpl<Type> &slotTypes) {
    llvm::SetVector<Value> used(loop->getOperands().begin(),
                                loop->getOperands().end());
    getUsedValuesDefinedAbove(loop->getRegions(), used);
    for (Value v : used) {
      Operation *def = v.getDefiningOp();
      if (def && def->hasTrait<OpTrait::ConstantLike>() &&
          !def->getNumOperands()) {
        constants.push_back(v);
        continue;
      }
      Type type = slotType(v.getType(), converter);
      if (!type)
        return false;
      slots.push_back(v);
      slotTypes.push_back(type);
    }
    return true;
  }

  static func::FuncOp runtimeFunction(SymbolTable &symbols, OpBuilder &b,
                                      FunctionType bodyType) {
    if (auto fn = symbols.lookup<func::FuncOp>(kRuntimeFn))
      return fn;
    Type index = b.getIndexType();
    auto type = b.getFunctionType(
        {bodyType, bodyType.getInput(0), index, index, index}, {});
    auto fn = func::FuncOp::create(b.getUnknownLoc(), kRuntimeFn, type);
    fn.setPrivate();
    symbols.insert(fn);
    return fn;
  }

  static void parallelize(scf::ParallelOp loop, StringRef name,
                          SymbolTable &symbols,
                          const LLVMTypeConverter &converter) {
    SmallVector<Value> constants, slots;
    SmallVector<Type> slotTypes;
    if (!captures(loop, converter, constants, slots, slotTypes))
      return; // stays a serial loop
    MLIRContext *ctx = loop.getContext();
    auto context = LLVM::LLVMStructType::getLiteral(ctx, slotTypes);
    auto parent = loop->getParentOfType<func::FuncOp>();
    OpBuilder b(ctx);
    b.setInsertionPoint(parent);
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto bodyType =
        b.getFunctionType({ptr, b.getIndexType(), b.getIndexType()}, {});
    auto body = b.create<func::FuncOp>(loop.getLoc(), name, bodyType);
    body.setPrivate();
    // Internal in LLVM too, so that MergeFunctions may fold duplicates.
    body->setAttr("llvm.linkage",
                  LLVM::LinkageAttr::get(ctx, LLVM::Linkage::Internal));
    symbols.insert(body);
    buildBody(body, loop, context, constants, slots);
    func::FuncOp runtime = runtimeFunction(symbols, b, bodyType);
    callRuntime(loop, parent, runtime, body, context, slots);
  }

  /// The body: unpack the context, run the loop over [lo, hi) of dimension 0.
  static void buildBody(func::FuncOp body, scf::ParallelOp loop,
                        LLVM::LLVMStructType context, ArrayRef<Value> constants,
                        ArrayRef<Value> slots) {
    Block *entry = body.addEntryBlock();
    OpBuilder b = OpBuilder::atBlockBegin(entry);
    Location loc = loop.getLoc();
    IRMapping map;
    for (Value c : constants)
      map.map(c, b.clone(*c.getDefiningOp())->getResult(0));
    Value ctxPtr = entry->getArgument(0);
    for (auto [k, v] : llvm::enumerate(slots)) {
      Type slot = context.getBody()[k];
      Value addr = b.create<LLVM::GEPOp>(
          loc, ctxPtr.getType(), context, ctxPtr,
          ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(k)});
      Value loaded = b.create<LLVM::LoadOp>(loc, slot, addr);
      if (isa<MemRefType>(v.getType()))
        loaded = b.create<UnrealizedConversionCastOp>(loc, v.getType(), loaded)
                     .getResult(0);
      else if (v.getType().isIndex())
        loaded = b.create<arith::IndexCastOp>(loc, v.getType(), loaded);
      map.map(v, loaded);
    }
    IndexMath m{b, loc};
    Value lb = map.lookup(loop.getLowerBound()[0]);
    Value ub = map.lookup(loop.getUpperBound()[0]);
    Value step = map.lookup(loop.getStep()[0]);
    Value from = m.add(m.mul(entry->getArgument(1), step), lb);
    Value to = m.add(m.mul(entry->getArgument(2), step), lb);
    if (!matchPattern(step, m_One())) // the last chunk may overshoot
      to = b.create<arith::MinSIOp>(loc, to, ub);
    auto clone = cast<scf::ParallelOp>(b.clone(*loop, map));
    clone->setOperand(0, from);
    clone->setOperand(clone.getNumLoops(), to);
    b.create<func::ReturnOp>(loc);
  }

  /// In place of the loop: fill the context (a stack slot allocated once at
  /// the function's entry) and call the runtime.
  static void callRuntime(scf::ParallelOp loop, func::FuncOp parent,
                          func::FuncOp runtime, func::FuncOp body,
                          LLVM::LLVMStructType context, ArrayRef<Value> slots) {
    Location loc = loop.getLoc();
    OpBuilder b = OpBuilder::atBlockBegin(&parent.getBody().front());
    auto ptr = LLVM::LLVMPointerType::get(loop.getContext());
    Value one = b.create<LLVM::ConstantOp>(loc, b.getI64IntegerAttr(1));
    Value ctxPtr = b.create<LLVM::AllocaOp>(loc, ptr, context, one, 0);
    b.setInsertionPoint(loop);
    for (auto [k, v] : llvm::enumerate(slots)) {
      Type slot = context.getBody()[k];
      Value value = v;
      if (isa<MemRefType>(v.getType()))
        value = b.create<UnrealizedConversionCastOp>(loc, slot, v).getResult(0);
      else if (v.getType().isIndex())
        value = b.create<arith::IndexCastOp>(loc, slot, v);
      Value addr = b.create<LLVM::GEPOp>(
          loc, ptr, context, ctxPtr,
          ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(k)});
      b.create<LLVM::StoreOp>(loc, value, addr);
    }
    IndexMath m{b, loc};
    Value trips = m.trips(loop.getLowerBound()[0], loop.getUpperBound()[0],
                          loop.getStep()[0]);
    Value work = m.mul(loopTrips(m, loop.getLowerBound(), loop.getUpperBound(),
                                 loop.getStep(), loop, /*firstDim=*/1),
                       blockWork(m, *loop.getBody(), loop));
    Value fn = b.create<func::ConstantOp>(loc, body.getFunctionType(),
                                          SymbolRefAttr::get(body));
    b.create<func::CallOp>(loc, runtime,
                           ValueRange{fn, ctxPtr, m.constant(0), trips, work});
    loop.erase();
  }
};

} // namespace
