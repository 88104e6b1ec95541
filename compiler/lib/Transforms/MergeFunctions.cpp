//===- MergeFunctions.cpp - Merge functions equal up to their names -------===//
//
// The optimizer study compiles four ResNet50 kernels that differ only in
// their optimizer update: their forward and backward loop nests, outlined
// by netc-outline-loop-nests and netc-parallelize-loops into thousands of
// functions, are equal but for the symbol names (ResNet50 also repeats its
// blocks), and their eval entries are equal outright. Every pass after
// outlining and LLVM's translation, optimization and code generation take
// time in proportion to the code, so merging the copies early makes the
// build proportional to the distinct code.
//
// Equality is MLIR's structural one (OperationEquivalence, locations
// ignored): same operations with the same attributes and types, operands
// and successors corresponding. A structural hash of each body puts the
// candidates in buckets; only functions in one bucket are compared.
//
//===----------------------------------------------------------------------===//
#include "netc/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Threading.h"
#include "mlir/Pass/Pass.h"

#include "llvm/ADT/DenseMap.h"

#include <unordered_map>

using namespace mlir;

namespace netc {
#define GEN_PASS_DEF_MERGEIDENTICALFUNCTIONSPASS
#include "netc/Transforms/Passes.h.inc"
} // namespace netc

namespace {

constexpr OperationEquivalence::Flags kFlags =
    OperationEquivalence::IgnoreLocations;

/// A function with a body and what of it two equal functions share.
struct Candidate {
  func::FuncOp fn;
  /// The function's attributes that must be equal: all but the symbol name
  /// for a private function; for a public one its type and its argument
  /// and result attributes (the others describe its interface, which a
  /// public duplicate keeps).
  SmallVector<NamedAttribute> signature;
  size_t hash = 0;
};

SmallVector<NamedAttribute> signatureOf(func::FuncOp fn) {
  SmallVector<NamedAttribute> kept;
  for (NamedAttribute a : fn->getAttrs()) {
    StringAttr name = a.getName();
    if (name == fn.getSymNameAttrName())
      continue;
    if (!fn.isPrivate() && name != fn.getFunctionTypeAttrName() &&
        name != fn.getArgAttrsAttrName() && name != fn.getResAttrsAttrName())
      continue;
    kept.push_back(a);
  }
  return kept;
}

/// Equal functions hash equally: the signature, then every operation of
/// the body without its operands' identities and its location.
size_t hashOf(Candidate &c) {
  llvm::hash_code h = llvm::hash_value(c.fn.isPrivate());
  for (NamedAttribute a : c.signature)
    h = llvm::hash_combine(h, a.getName(), a.getValue());
  c.fn.getBody().walk([&](Operation *op) {
    h = llvm::hash_combine(h, op->getNumRegions(),
                           OperationEquivalence::computeHash(
                               op, OperationEquivalence::ignoreHashValue,
                               OperationEquivalence::ignoreHashValue, kFlags));
  });
  return h;
}

bool equal(Candidate &a, Candidate &b) {
  return a.hash == b.hash && a.fn.isPrivate() == b.fn.isPrivate() &&
         llvm::equal(a.signature, b.signature) &&
         OperationEquivalence::isRegionEquivalentTo(&a.fn.getBody(),
                                                    &b.fn.getBody(), kFlags);
}

/// Points every top-level symbol reference attribute of the operations
/// under `module` whose root is a key of `to` at the mapped symbol.
void redirect(ModuleOp module,
              const llvm::DenseMap<StringAttr, StringAttr> &to) {
  auto rewrite = [&](Operation *op) {
    for (NamedAttribute a : op->getAttrs()) {
      auto ref = dyn_cast<SymbolRefAttr>(a.getValue());
      if (!ref)
        continue;
      auto it = to.find(ref.getRootReference());
      if (it != to.end())
        op->setAttr(a.getName(),
                    SymbolRefAttr::get(it->second, ref.getNestedReferences()));
    }
  };
  SmallVector<Operation *> tops;
  for (Operation &op : module.getBody()->getOperations())
    tops.push_back(&op);
  parallelForEach(module.getContext(), tops,
                  [&](Operation *top) { top->walk(rewrite); });
}

/// Whether `fn`'s body is one call and the return: a public function
/// already made a call of an equal one (by this pass, maybe an earlier run
/// of it), which stays as it is rather than calling another such call.
bool isForwarder(func::FuncOp fn) {
  Block &entry = fn.getBody().front();
  return fn.getBody().hasOneBlock() && llvm::hasNItems(entry, 2) &&
         isa<func::CallOp>(entry.front()) && isa<func::ReturnOp>(entry.back());
}

/// Replaces the body of the public `fn` by a call of the equal `target`.
void makeThunk(func::FuncOp fn, func::FuncOp target) {
  fn.eraseBody();
  Block *entry = fn.addEntryBlock();
  auto b = OpBuilder::atBlockBegin(entry);
  auto call =
      b.create<func::CallOp>(fn.getLoc(), target, entry->getArguments());
  b.create<func::ReturnOp>(fn.getLoc(), call.getResults());
}

struct MergeIdenticalFunctionsPass
    : netc::impl::MergeIdenticalFunctionsPassBase<MergeIdenticalFunctionsPass> {
  using Base::Base;

  void runOnOperation() override {
    while (mergeRound())
      ++numRounds;
  }

  /// The functions with a body, but for public forwarders, hashed on the
  /// context's threads.
  std::vector<Candidate> candidates() {
    std::vector<Candidate> found;
    for (func::FuncOp fn : getOperation().getOps<func::FuncOp>())
      if (!fn.isExternal() && (fn.isPrivate() || !isForwarder(fn)))
        found.push_back({fn, signatureOf(fn)});
    parallelForEach(&getContext(), found,
                    [](Candidate &c) { c.hash = hashOf(c); });
    return found;
  }

  /// Merges every function into the first one equal to it; whether any
  /// was.
  bool mergeRound() {
    std::vector<Candidate> found = candidates();
    // Not a DenseMap: any hash value may occur, its reserved keys too.
    std::unordered_map<size_t, SmallVector<unsigned, 1>> firsts;
    llvm::DenseMap<StringAttr, StringAttr> renamed;
    bool changed = false;
    for (unsigned i = 0; i < found.size(); ++i) {
      SmallVector<unsigned, 1> &bucket = firsts[found[i].hash];
      auto first = llvm::find_if(
          bucket, [&](unsigned j) { return equal(found[j], found[i]); });
      if (first == bucket.end()) {
        bucket.push_back(i);
        continue;
      }
      func::FuncOp fn = found[i].fn, target = found[*first].fn;
      changed = true;
      if (!fn.isPrivate()) {
        makeThunk(fn, target);
        ++numThunks;
        continue;
      }
      renamed[fn.getSymNameAttr()] = target.getSymNameAttr();
      fn.erase();
      ++numErased;
    }
    if (!renamed.empty())
      redirect(getOperation(), renamed);
    return changed;
  }
};

} // namespace
