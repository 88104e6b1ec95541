//===- Kernels.cpp - conv/matmul/pool as calls to the runtime's kernels ---===//
//
// The runtime implements these ops over oneDNN; their names and arities come
// from the table runtime/include/netc/Kernels.def (netc/KernelTable.h).
// The calls need their operands in memory, and MLIR's bufferization cannot
// see through an opaque call, so every operand and result lives in its own
// region of the entry function's workspace argument (`net.workspace`,
// memref<?xf32>, or memref<?xf64> in the float64 train step of
// `--gradcheck-f64`, whose kernels are the `_f64` ones; `net.capacity` = cap
// samples):
//
//   region k starts at element offset off_k * cap and holds at most
//   perSample_k * cap elements; off_{k+1} = off_k + perSample_k.
//
// perSample is the product of the non-batch dimensions. A batch-independent
// tensor (a weight gradient) gets a region in a fixed tail instead, after
// all per-sample regions: it starts at ws_per_sample * cap + fixedOffset.
// The runtime allocates ws_per_sample * cap + ws_fixed elements (the function
// attributes `net.ws_per_sample` and `net.ws_fixed`, which the plan carries).
// Regions are never reused inside a
// function, which is what makes reading a result lazily through
// `bufferization.to_tensor restrict` safe: nothing overwrites it later.
//
// Operands that already are memory (bufferization.to_tensor of a contiguous
// memref: weights in `params`, the input batch) are passed by address
// without a copy.
//
//===----------------------------------------------------------------------===//
#include "Common.h"
#include "netc/KernelTable.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;
using namespace netc::conversion;
namespace net = netc::net;
using netc::abi::RuntimeKernel;

namespace {

/// Row-major strides of a static-trailing shape.
SmallVector<int64_t> rowMajorStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

Value indexConst(OpBuilder &b, Location loc, int64_t v) {
  return b.create<arith::ConstantIndexOp>(loc, v);
}

Value toI64(OpBuilder &b, Location loc, Value index) {
  return b.create<arith::IndexCastOp>(loc, b.getI64Type(), index);
}

/// Size of dimension `d` of tensor `v` as an index value.
Value dimIndex(OpBuilder &b, Location loc, Value v, int64_t d) {
  auto t = cast<RankedTensorType>(v.getType());
  if (!t.isDynamicDim(d))
    return indexConst(b, loc, t.getDimSize(d));
  return b.create<tensor::DimOp>(loc, v, d);
}

/// The per-function allocator of workspace regions.
class Workspace {
public:
  Workspace(func::FuncOp func, Value ws, Value cap)
      : ws(ws), cap(cap),
        elemType(cast<MemRefType>(ws.getType()).getElementType()),
        elemBytes(elemType.getIntOrFloatBitWidth() / 8) {
    OpBuilder b = OpBuilder::atBlockBegin(&func.getBody().front());
    baseAddr =
        b.create<memref::ExtractAlignedPointerAsIndexOp>(func.getLoc(), ws);
  }

  struct Region {
    Value memref; // view of the region with the tensor's shape
    Value addr;   // i64 byte address
  };

  /// A fresh region for a tensor of type `t`; `dynSizes` gives the value of
  /// each dynamic dimension (only the batch dimension may be dynamic).
  FailureOr<Region> allocate(OpBuilder &b, Location loc, RankedTensorType t,
                             ArrayRef<Value> dynSizes) {
    ArrayRef<int64_t> shape = t.getShape();
    if (shape.empty() || ShapedType::isDynamicShape(shape.drop_front()))
      return failure();
    int64_t size = 1;
    for (int64_t d : shape)
      if (!ShapedType::isDynamic(d))
        size *= d;
    Value start;
    if (t.hasStaticShape()) {
      Value tail = b.create<arith::MulIOp>(loc, cap, perSampleTotal());
      start = b.create<arith::AddIOp>(loc, tail, indexConst(b, loc, fixed));
      fixed += size;
    } else {
      start = b.create<arith::MulIOp>(loc, cap, indexConst(b, loc, next));
      next += size;
    }
    SmallVector<OpFoldResult> sizes;
    unsigned dyn = 0;
    for (int64_t d : shape)
      sizes.push_back(ShapedType::isDynamic(d)
                          ? OpFoldResult(dynSizes[dyn++])
                          : OpFoldResult(b.getIndexAttr(d)));
    SmallVector<int64_t> strides = rowMajorStrides(shape);
    SmallVector<OpFoldResult> strideAttrs;
    for (int64_t s : strides)
      strideAttrs.push_back(b.getIndexAttr(s));
    auto layout =
        StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic, strides);
    auto type = MemRefType::get(shape, t.getElementType(), layout);
    Value view = b.create<memref::ReinterpretCastOp>(loc, type, ws, start,
                                                     sizes, strideAttrs);
    Value bytes =
        b.create<arith::MulIOp>(loc, start, indexConst(b, loc, elemBytes));
    Value addr = b.create<arith::AddIOp>(loc, baseAddr, bytes);
    return Region{view, toI64(b, loc, addr)};
  }

  /// Whether `m` is a view of this workspace (a region).
  bool holds(Value m) const {
    auto view = m.getDefiningOp<memref::ReinterpretCastOp>();
    return view && view.getSource() == ws;
  }

  int64_t perSampleFloats() const { return next; }
  int64_t fixedFloats() const { return fixed; }
  /// Allocates after the regions of an earlier lowering of the function,
  /// which recorded their totals as net.ws_per_sample and net.ws_fixed.
  void resume(int64_t perSample, int64_t fixedTail) {
    next = perSample;
    fixed = fixedTail;
  }
  /// Defines the total of the per-sample regions, now that every region is
  /// allocated: the constant replaces the placeholder the tail's regions use.
  void finish() {
    if (!totalPlaceholder)
      return;
    OpBuilder b(totalPlaceholder);
    Value total =
        b.create<arith::ConstantIndexOp>(totalPlaceholder.getLoc(), next);
    totalPlaceholder.getResult(0).replaceAllUsesWith(total);
    totalPlaceholder.erase();
    totalPlaceholder = nullptr;
  }

  /// Tensors already copied into a region, keyed by value: a tensor used by
  /// several kernels (pool input reused by pool_grad) is copied only once.
  /// Regions are never overwritten, so the first copy stays valid.
  llvm::DenseMap<Value, Value> copied;

  /// The float type of every kernel operand (f32, or f64 for the gradient
  /// check's train step) and its size.
  Type elementType() const { return elemType; }
  int64_t elementBytes() const { return elemBytes; }
  /// The symbol of runtime kernel `k` for this element type (netc_matmul
  /// or netc_matmul_f64, ...).
  StringRef kernelName(RuntimeKernel k) const {
    const netc::abi::RuntimeKernelInfo &info = netc::abi::info(k);
    return elemType.isF64() ? info.nameF64 : info.name;
  }

private:
  /// The total of the per-sample regions, where the tail begins (in units of
  /// the capacity). It is known only once every region is allocated, so the
  /// tail's regions refer to a placeholder, defined at the start of the
  /// entry block, that finish() replaces by the constant.
  Value perSampleTotal() {
    if (!totalPlaceholder) {
      OpBuilder b(baseAddr.getContext());
      b.setInsertionPointAfterValue(baseAddr);
      totalPlaceholder = b.create<UnrealizedConversionCastOp>(
          baseAddr.getLoc(), b.getIndexType(), ValueRange{});
    }
    return totalPlaceholder.getResult(0);
  }

  Value ws, cap, baseAddr;
  UnrealizedConversionCastOp totalPlaceholder;
  Type elemType;
  int64_t elemBytes;
  int64_t next = 0, fixed = 0;
};

/// The memref behind `v` when it is bufferization.to_tensor of a contiguous
/// row-major memref of `elem`s (so the kernel can read it in place).
Value contiguousSource(Value v, Type elem) {
  auto toTensor = v.getDefiningOp<bufferization::ToTensorOp>();
  if (!toTensor)
    return {};
  Value m = toTensor.getMemref();
  auto type = dyn_cast<MemRefType>(m.getType());
  if (!type || type.getElementType() != elem ||
      ShapedType::isDynamicShape(type.getShape().drop_front()))
    return {};
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(getStridesAndOffset(type, strides, offset)))
    return {};
  SmallVector<int64_t> expected = rowMajorStrides(
      type.getShape().empty() ? ArrayRef<int64_t>{} : type.getShape());
  for (auto [i, s] : llvm::enumerate(strides))
    if (type.getDimSize(i) != 1 && s != expected[i])
      return {};
  return m;
}

/// i64 byte address of the first element of memref `m`.
Value memrefAddress(OpBuilder &b, Location loc, Value m, Workspace &ws) {
  auto md = b.create<memref::ExtractStridedMetadataOp>(loc, m);
  Value base = b.create<memref::ExtractAlignedPointerAsIndexOp>(loc, m);
  Value off = b.create<arith::MulIOp>(loc, md.getOffset(),
                                      indexConst(b, loc, ws.elementBytes()));
  return toI64(b, loc, b.create<arith::AddIOp>(loc, base, off));
}

/// i64 byte address of an operand: in place for memory-backed tensors,
/// otherwise a copy into a fresh workspace region.
FailureOr<Value> operandAddress(OpBuilder &b, Location loc, Value v,
                                Workspace &ws) {
  if (Value m = contiguousSource(v, ws.elementType()))
    return memrefAddress(b, loc, m, ws);
  Value &cached = ws.copied[v];
  if (cached && cached.getParentBlock() == b.getInsertionBlock())
    return cached;
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<Value> dyn;
  for (int64_t d = 0; d < t.getRank(); ++d)
    if (t.isDynamicDim(d))
      dyn.push_back(b.create<tensor::DimOp>(loc, v, d));
  FailureOr<Workspace::Region> r = ws.allocate(b, loc, t, dyn);
  if (failed(r))
    return failure();
  b.create<bufferization::MaterializeInDestinationOp>(
      loc, Type(), v, r->memref, /*restrict=*/true, /*writable=*/true);
  cached = r->addr;
  return r->addr;
}

/// Declares `void name(i64 x numArgs)` in the module once.
func::FuncOp getOrDeclareKernel(ModuleOp module, StringRef name,
                                unsigned numArgs) {
  if (auto f = module.lookupSymbol<func::FuncOp>(name))
    return f;
  OpBuilder b(module.getBodyRegion());
  b.setInsertionPointToStart(module.getBody());
  SmallVector<Type> args(numArgs, b.getI64Type());
  auto f = b.create<func::FuncOp>(module.getLoc(), name,
                                  b.getFunctionType(args, {}));
  f.setPrivate();
  return f;
}

/// Emits the call `kernel(leading..., operand addrs..., result addr,
/// dims...)` and replaces `op` by the result read back from its region.
LogicalResult emitKernelCall(
    Operation *op, RuntimeKernel kernel, ArrayRef<int64_t> leadingConsts,
    ArrayRef<Value> operands, ArrayRef<Value> resultDyn,
    llvm::function_ref<SmallVector<Value>(OpBuilder &)> dims, Workspace &ws) {
  OpBuilder b(op);
  Location loc = op->getLoc();
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  for (Value v : operands)
    if (getElementTypeOrSelf(v.getType()) != ws.elementType())
      return op->emitOpError("operand element type ")
             << getElementTypeOrSelf(v.getType())
             << " differs from the workspace's " << ws.elementType();
  if (resultType.getElementType() != ws.elementType())
    return op->emitOpError("result element type differs from the workspace's");
  SmallVector<Value> args;
  for (int64_t c : leadingConsts)
    args.push_back(
        b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(c)).getResult());
  for (Value v : operands) {
    FailureOr<Value> a = operandAddress(b, loc, v, ws);
    if (failed(a))
      return op->emitOpError("operand ")
             << v.getType() << " needs a static shape but the batch";
    args.push_back(*a);
  }
  FailureOr<Workspace::Region> out = ws.allocate(b, loc, resultType, resultDyn);
  if (failed(out))
    return op->emitOpError("result needs a static shape but the batch");
  args.push_back(out->addr);
  for (Value d : dims(b))
    args.push_back(d.getType().isIndex() ? toI64(b, loc, d) : d);
  // The argument list must match the kernel's C declaration (Abi.h).
  assert(args.size() == netc::abi::info(kernel).numArgs &&
         "kernel call's arity differs from netc/Kernels.def");
  func::FuncOp callee = getOrDeclareKernel(op->getParentOfType<ModuleOp>(),
                                           ws.kernelName(kernel), args.size());
  b.create<func::CallOp>(loc, callee, args);
  Value result =
      b.create<bufferization::ToTensorOp>(loc, out->memref, /*restrict=*/true,
                                          /*writable=*/false);
  op->getResult(0).replaceAllUsesWith(result);
  op->erase();
  return success();
}

/// The 15 conv dims n, h, w, c, kh, kw, oc, sh, sw, pt, pb, pl, pr, oh, ow
/// from an NHWC activation `x` (or its shape), an NHWC `y`, and kh, kw, oc.
SmallVector<Value> convDims(OpBuilder &b, Location loc, Value x, Value y,
                            int64_t kh, int64_t kw, int64_t oc,
                            ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                            bool withOc) {
  SmallVector<Value> d{dimIndex(b, loc, x, 0), dimIndex(b, loc, x, 1),
                       dimIndex(b, loc, x, 2), dimIndex(b, loc, x, 3),
                       indexConst(b, loc, kh), indexConst(b, loc, kw)};
  if (withOc)
    d.push_back(indexConst(b, loc, oc));
  for (int64_t s : strides)
    d.push_back(indexConst(b, loc, s));
  for (int64_t p : pads)
    d.push_back(indexConst(b, loc, p));
  d.push_back(dimIndex(b, loc, y, 1));
  d.push_back(dimIndex(b, loc, y, 2));
  return d;
}

/// The batch size of `v` when its first dimension is dynamic.
SmallVector<Value> batchOf(Operation *op, Value v) {
  auto t = cast<RankedTensorType>(op->getResult(0).getType());
  if (t.getRank() == 0 || !t.isDynamicDim(0))
    return {};
  OpBuilder b(op);
  return {dimIndex(b, op->getLoc(), v, 0)};
}

/// The runtime's pooling kinds (Abi.h): 0 = max, 1 = average.
int64_t poolKind(net::PoolKind kind) {
  switch (kind) {
  case net::PoolKind::Max:
    return 0;
  case net::PoolKind::Avg:
    return 1;
  }
  llvm_unreachable("unknown pool kind");
}

/// The rows of `v` read as a row-major matrix: the product of every
/// dimension but the last (a dense layer's N*H*W positions).
Value foldedRows(OpBuilder &b, Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  Value rows = dimIndex(b, loc, v, 0);
  for (int64_t d = 1; d + 1 < t.getRank(); ++d)
    rows = b.create<arith::MulIOp>(loc, rows, dimIndex(b, loc, v, d));
  return rows;
}

/// netc_matmul(a, b, out, m, n, k, transpose_a, transpose_b) on the operands
/// read as matrices [rows, last dimension] (NetOps.td): row-major, so the
/// kernel sees a rank-4 [N, H, W, C] activation as the matrix [N*H*W, C].
LogicalResult lowerMatmul(net::MatmulOp mm, Workspace &ws) {
  Operation *op = mm;
  Location loc = op->getLoc();
  Value a = mm.getLhs(), bm = mm.getRhs();
  bool ta = mm.getTransposeLhs(), tb = mm.getTransposeRhs();
  int64_t lastA = cast<RankedTensorType>(a.getType()).getRank() - 1;
  int64_t lastB = cast<RankedTensorType>(bm.getType()).getRank() - 1;
  // The result's leading dimensions are the lhs's (its last when
  // transposed), its last the rhs's columns (rows when transposed).
  SmallVector<Value> dyn;
  auto rt = cast<RankedTensorType>(mm.getType());
  {
    OpBuilder b(op);
    for (int64_t d = 0; d + 1 < rt.getRank(); ++d)
      if (rt.isDynamicDim(d))
        dyn.push_back(dimIndex(b, loc, a, ta ? lastA : d));
    if (rt.isDynamicDim(rt.getRank() - 1))
      dyn.push_back(dimIndex(b, loc, bm, tb ? 0 : lastB));
  }
  return emitKernelCall(
      op, RuntimeKernel::matmul, {}, {a, bm}, dyn,
      [&](OpBuilder &b) {
        Value rows = foldedRows(b, loc, a), cols = dimIndex(b, loc, a, lastA);
        Value m = ta ? cols : rows;
        Value n = tb ? dimIndex(b, loc, bm, 0) : dimIndex(b, loc, bm, lastB);
        Value k = ta ? rows : cols;
        return SmallVector<Value>{
            m, n, k, b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(ta)),
            b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(tb))};
      },
      ws);
}

LogicalResult lowerOne(Operation *op, Workspace &ws) {
  Location loc = op->getLoc();
  if (auto conv = dyn_cast<net::Conv2DOp>(op)) {
    auto f = cast<RankedTensorType>(conv.getFilter().getType()).getShape();
    Value x = conv.getInput(), y = conv.getResult();
    return emitKernelCall(
        op, RuntimeKernel::conv2d_fwd, {}, {x, conv.getFilter()},
        batchOf(op, x),
        [&](OpBuilder &b) {
          return convDims(b, loc, x, y, f[0], f[1], f[3], conv.getStrides(),
                          conv.getPads(), true);
        },
        ws);
  }
  if (auto g = dyn_cast<net::Conv2DGradInputOp>(op)) {
    auto f = cast<RankedTensorType>(g.getFilter().getType()).getShape();
    Value dy = g.getDy(), x = g.getInput();
    return emitKernelCall(
        op, RuntimeKernel::conv2d_bwd_data, {}, {dy, g.getFilter()},
        batchOf(op, dy),
        [&](OpBuilder &b) {
          return convDims(b, loc, x, dy, f[0], f[1], f[3], g.getStrides(),
                          g.getPads(), true);
        },
        ws);
  }
  if (auto g = dyn_cast<net::Conv2DGradFilterOp>(op)) {
    auto f = cast<RankedTensorType>(g.getType()).getShape();
    Value x = g.getInput(), dy = g.getDy();
    return emitKernelCall(
        op, RuntimeKernel::conv2d_bwd_weights, {}, {x, dy}, {},
        [&](OpBuilder &b) {
          return convDims(b, loc, x, dy, f[0], f[1], f[3], g.getStrides(),
                          g.getPads(), true);
        },
        ws);
  }
  if (auto p = dyn_cast<net::PoolOp>(op)) {
    Value x = p.getInput(), y = p.getResult();
    auto win = p.getWindow();
    return emitKernelCall(
        op, RuntimeKernel::pool_fwd, {poolKind(p.getKind())}, {x},
        batchOf(op, x),
        [&](OpBuilder &b) {
          return convDims(b, loc, x, y, win[0], win[1], 0, p.getStrides(),
                          p.getPads(), false);
        },
        ws);
  }
  if (auto p = dyn_cast<net::PoolGradOp>(op)) {
    Value x = p.getInput(), dy = p.getDy();
    auto win = p.getWindow();
    return emitKernelCall(
        op, RuntimeKernel::pool_bwd, {poolKind(p.getKind())}, {x, dy},
        batchOf(op, x),
        [&](OpBuilder &b) {
          return convDims(b, loc, x, dy, win[0], win[1], 0, p.getStrides(),
                          p.getPads(), false);
        },
        ws);
  }
  return lowerMatmul(cast<net::MatmulOp>(op), ws);
}

/// The gradient that `update` reduces over data-parallel ranks: the
/// weight's gradient before its kernel regularizer's term when there is one
/// (the term is the same on every rank, so it is added after the average),
/// else the update's gradient operand.
OpOperand &reducedGradient(net::OptimizerUpdateOp update) {
  OpOperand &g = update->getOpOperand(1);
  auto reg = g.get().getDefiningOp<net::RegularizerGradOp>();
  if (!reg || reg.getBatchMean() || !reg->hasOneUse())
    return g;
  return reg->getOpOperand(0);
}

/// Data-parallel steps (docs/design.md, "Data-parallel steps"): before the
/// first optimizer update, every weight's gradient goes through
/// netc_grad_allreduce(g, count, index, total) in place in its workspace
/// region (a gradient that a kernel wrote is already in one; others are
/// copied into a fresh one), and the updates read it back from there.
/// Kernel regularizer terms move after the calls.
LogicalResult reduceGradients(ArrayRef<net::OptimizerUpdateOp> updates,
                              Workspace &ws) {
  Operation *first = updates.front();
  OpBuilder b(first);
  Location loc = first->getLoc();
  auto callee = getOrDeclareKernel(
      first->getParentOfType<ModuleOp>(),
      ws.kernelName(RuntimeKernel::grad_allreduce),
      netc::abi::info(RuntimeKernel::grad_allreduce).numArgs);
  llvm::DenseSet<Value> taken;
  auto total = b.create<arith::ConstantOp>(
      loc, b.getI64IntegerAttr(static_cast<int64_t>(updates.size())));
  for (auto [i, u] : llvm::enumerate(updates)) {
    net::OptimizerUpdateOp update = u;
    OpOperand &g = reducedGradient(update);
    auto t = cast<RankedTensorType>(g.get().getType());
    if (!t.hasStaticShape() || t.getElementType() != ws.elementType())
      return update.emitOpError("gradient ")
             << t << " is no static tensor of the workspace's element type";
    // In place only in a region of the workspace that no other gradient
    // uses (never in params or the input batch).
    Value m = contiguousSource(g.get(), ws.elementType());
    if (!m || !ws.holds(m) || !taken.insert(m).second) {
      FailureOr<Workspace::Region> r = ws.allocate(b, loc, t, {});
      if (failed(r))
        return update.emitOpError("gradient needs a static shape");
      b.create<bufferization::MaterializeInDestinationOp>(
          loc, Type(), g.get(), r->memref, /*restrict=*/true,
          /*writable=*/true);
      m = r->memref;
    }
    Value args[] = {memrefAddress(b, loc, m, ws),
                    b.create<arith::ConstantOp>(
                        loc, b.getI64IntegerAttr(t.getNumElements())),
                    b.create<arith::ConstantOp>(
                        loc, b.getI64IntegerAttr(static_cast<int64_t>(i))),
                    total};
    b.create<func::CallOp>(loc, callee, args);
    g.set(b.create<bufferization::ToTensorOp>(loc, m, /*restrict=*/true,
                                              /*writable=*/false));
    if (g.getOwner() != update.getOperation())
      g.getOwner()->moveBefore(first);
  }
  return success();
}

/// The function's `net.workspace` and `net.capacity` arguments (null when
/// it has none).
std::pair<Value, Value> workspaceArgs(func::FuncOp func) {
  Value wsArg, capArg;
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
    if (func.getArgAttr(i, net::NetDialect::WorkspaceAttrHelper::getNameStr()))
      wsArg = func.getArgument(i);
    if (func.getArgAttr(i, net::NetDialect::CapacityAttrHelper::getNameStr()))
      capArg = func.getArgument(i);
  }
  return {wsArg, capArg};
}

LogicalResult checkWorkspaceArgs(func::FuncOp func, Value wsArg, Value capArg) {
  auto wsType = dyn_cast<MemRefType>(wsArg.getType());
  if (!wsType || wsType.getRank() != 1 ||
      !(wsType.getElementType().isF32() || wsType.getElementType().isF64()) ||
      !capArg.getType().isIndex())
    return func.emitOpError("expects net.workspace: memref<?xf32> (or "
                            "memref<?xf64>) and net.capacity: index");
  return success();
}

/// Records the workspace's size on the function (the plan reads it).
void recordWorkspace(func::FuncOp func, Workspace &ws) {
  ws.finish();
  MLIRContext *ctx = func.getContext();
  auto i64 = IntegerType::get(ctx, 64);
  net::NetDialect::WsPerSampleAttrHelper(ctx).setAttr(
      func, IntegerAttr::get(i64, ws.perSampleFloats()));
  net::NetDialect::WsFixedAttrHelper(ctx).setAttr(
      func, IntegerAttr::get(i64, ws.fixedFloats()));
}

/// net.sync_moments -> netc_sync_moments(v, count) in place in a fresh
/// region of the workspace's fixed tail, read back from there.
LogicalResult lowerSync(net::SyncMomentsOp sync, Workspace &ws) {
  OpBuilder b(sync);
  Location loc = sync.getLoc();
  auto t = cast<RankedTensorType>(sync.getType());
  if (!t.hasStaticShape() || t.getElementType() != ws.elementType())
    return sync.emitOpError("operand ")
           << t << " is no static tensor of the workspace's element type";
  FailureOr<Workspace::Region> r = ws.allocate(b, loc, t, {});
  if (failed(r))
    return sync.emitOpError("needs a static shape");
  b.create<bufferization::MaterializeInDestinationOp>(
      loc, Type(), sync.getInput(), r->memref, /*restrict=*/true,
      /*writable=*/true);
  auto callee =
      getOrDeclareKernel(sync->getParentOfType<ModuleOp>(),
                         ws.kernelName(RuntimeKernel::sync_moments),
                         netc::abi::info(RuntimeKernel::sync_moments).numArgs);
  Value args[] = {r->addr, b.create<arith::ConstantOp>(
                               loc, b.getI64IntegerAttr(t.getNumElements()))};
  b.create<func::CallOp>(loc, callee, args);
  sync.replaceAllUsesWith(
      b.create<bufferization::ToTensorOp>(loc, r->memref, /*restrict=*/true,
                                          /*writable=*/false)
          .getResult());
  sync.erase();
  return success();
}

} // namespace

LogicalResult netc::conversion::lowerKernelOps(Operation *op) {
  auto func = dyn_cast<func::FuncOp>(op);
  if (!func || func.isExternal())
    return success();
  SmallVector<Operation *> kernels;
  func.walk([&](Operation *o) {
    if (isa<net::Conv2DOp, net::Conv2DGradInputOp, net::Conv2DGradFilterOp,
            net::PoolOp, net::PoolGradOp, net::MatmulOp>(o))
      kernels.push_back(o);
  });
  auto [wsArg, capArg] = workspaceArgs(func);
  if (!wsArg || !capArg) {
    if (kernels.empty())
      return success();
    return kernels.front()->emitOpError(
        "lowers to a runtime kernel call and needs a workspace: the enclosing "
        "function has no `net.workspace` / `net.capacity` arguments");
  }
  if (failed(checkWorkspaceArgs(func, wsArg, capArg)))
    return failure();
  Workspace ws(func, wsArg, capArg);
  for (Operation *k : kernels)
    if (failed(lowerOne(k, ws)))
      return failure();
  SmallVector<net::OptimizerUpdateOp> updates(
      func.getOps<net::OptimizerUpdateOp>());
  if (!updates.empty() && failed(reduceGradients(updates, ws)))
    return failure();
  recordWorkspace(func, ws);
  return success();
}

LogicalResult netc::conversion::lowerSyncMoments(Operation *op) {
  auto func = dyn_cast<func::FuncOp>(op);
  if (!func || func.isExternal())
    return success();
  SmallVector<net::SyncMomentsOp> syncs;
  func.walk([&](net::SyncMomentsOp s) { syncs.push_back(s); });
  if (syncs.empty())
    return success();
  auto [wsArg, capArg] = workspaceArgs(func);
  if (!wsArg || !capArg) {
    // Not a step of a built program (those have a workspace, from
    // ExportKernels) but a function of a test: one process, where a
    // statistic is its own.
    for (net::SyncMomentsOp s : syncs) {
      s.replaceAllUsesWith(s.getInput());
      s.erase();
    }
    return success();
  }
  if (failed(checkWorkspaceArgs(func, wsArg, capArg)))
    return failure();
  MLIRContext *ctx = func.getContext();
  auto perSample = net::NetDialect::WsPerSampleAttrHelper(ctx).getAttr(func);
  auto fixedTail = net::NetDialect::WsFixedAttrHelper(ctx).getAttr(func);
  if (!perSample || !fixedTail)
    return func.emitOpError("has net.sync_moments but no workspace size: "
                            "lower its kernel ops first");
  Workspace ws(func, wsArg, capArg);
  ws.resume(perSample.getInt(), fixedTail.getInt());
  for (net::SyncMomentsOp s : syncs)
    if (failed(lowerSync(s, ws)))
      return failure();
  recordWorkspace(func, ws);
  return success();
}
