//===- Passes.td - netc's transformation passes ------------*- tablegen -*-===//
//
// Every pass of netc that is not a dialect conversion. `mlir-tblgen
// -gen-pass-decls` makes each one's base class (GEN_PASS_DEF_<NAME>), its
// create function and options struct (GEN_PASS_DECL) and the registration
// `registerNetTransformsPasses()` (GEN_PASS_REGISTRATION) that netc-opt calls.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_TRANSFORMS_PASSES
#define NETC_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// On the net dialect (tensors)
//===----------------------------------------------------------------------===//

def AutodiffPass : Pass<"netc-autodiff", "::mlir::ModuleOp"> {
  let summary = "Build train and eval steps by reverse-mode differentiation";
  let description = [{
    For every `func.func` marked `net.loss_function` (forward + loss, made by
    MLIRGen), creates the tensor-level `<name>_train_step` (forward, loss,
    gradients, one `net.optimizer_update` per trainable parameter) and, unless
    the function is `net.train_only`, `<name>_eval_step` (inference: no
    statistics updates, dropout off); then erases the loss function. The
    steps carry `net.train_step` / `net.eval_step` and the loss function's
    description attributes.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::netc::net::NetDialect"
  ];
}

def ExportKernelsPass : Pass<"netc-export-kernels", "::mlir::ModuleOp"> {
  let summary = "Wrap train/eval steps into the runtime's C-ABI entry points";
  let description = [{
    Turns every `net.train_step` / `net.eval_step` function into the entry
    point of `runtime/include/netc/Abi.h` (`<k>_train`, `<k>_train_f64`,
    `<k>_eval`): flat rank-1 memrefs for parameters, optimizer state, data
    and metrics, a workspace (`net.workspace`, `net.capacity` arguments). The
    entry records what the driver's plan needs: `net.entry`, `net.kernel`
    and, for training, `net.state_floats` and `net.state_init`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::tensor::TensorDialect",
    "::netc::net::NetDialect"
  ];
}

//===----------------------------------------------------------------------===//
// On loops (after bufferization)
//===----------------------------------------------------------------------===//

def ApproximateMathPass : Pass<"netc-approximate-math"> {
  let summary = "Polynomial approximations of math.exp, math.tanh, math.log...";
  let description = [{
    Replaces math.exp/tanh/log/... by MLIR's polynomial approximations (plain
    arith), so that LLVM can vectorize the loops that use them instead of
    calling scalar libm functions. What it does not cover (powf, sqrt) is
    left to math-to-llvm (LLVM intrinsics) and math-to-libm.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def ProfileLoopNestsPass
    : Pass<"netc-profile-loop-nests", "::mlir::ModuleOp"> {
  let summary = "Bracket every top-level loop nest of a step with profile calls";
  let description = [{
    In every entry point (`net.entry`, or `llvm.emit_c_interface` once the
    driver has stripped the `net.*` attributes) and every function it calls,
    puts
    `func.call @netc_profile_begin(%family)` before each top-level `scf.for`
    or `scf.parallel` nest and `@netc_profile_end(%family)` after it, so that
    a program run with `--profile` books the nest's time to its op family.
    The family is a position in runtime/include/netc/Profile.def, read from
    the locations inside the nest (a NameLoc "netc.family.<id>" that the
    net -> linalg conversion puts on every net op): the family of most
    arithmetic ops (arith and math ops on floats) in the nest, ties to the
    first one in program order; a nest without arithmetic (a copy) takes the
    first family found in its locations; a nest without any, `compiled`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::scf::SCFDialect"
  ];
}

def OutlineLoopNestsPass
    : Pass<"netc-outline-loop-nests", "::mlir::ModuleOp"> {
  let summary = "Outline every top-level loop nest into a noinline function";
  let description = [{
    In every function with more than `max-nests-kept-whole` top-level
    `scf.for` or `scf.parallel` nests, moves each nest into its own private function
    `<function>_nest<i>` marked `passthrough = ["noinline"]`, so that LLVM's
    superlinear loop analyses see many small functions instead of one huge
    one (ResNet50's train step). Smaller functions are left whole.
  }];
  let options = [
    Option<"maxNestsKeptWhole", "max-nests-kept-whole", "unsigned",
           /*default=*/"200",
           "Functions with at most this many top-level loop nests are kept "
           "whole">
  ];
  let dependentDialects = [
    "::mlir::func::FuncDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::LLVM::LLVMDialect"
  ];
}

def ParallelizeLoopsPass
    : Pass<"netc-parallelize-loops", "::mlir::ModuleOp"> {
  let summary = "Run every top-level scf.parallel through netc_parallel_for";
  let description = [{
    Outlines each scf.parallel that is not nested in another loop (and has
    no results) into a private function `<function>_par<i>(%ctx: !llvm.ptr,
    %lo: index, %hi: index)` that runs iterations [lo, hi) of the loop's
    outermost dimension, and replaces the loop by a call of the runtime's
    `netc_parallel_for(body, ctx, 0, trips, work)`
    (runtime/include/netc/Parallel.h), which splits that dimension across
    oneDNN's OpenMP team or runs it serially when `work` (the estimated
    operations of one iteration, folded to a constant when the inner trip
    counts are static) times the trips is small. The values the loop uses
    travel in a stack struct (memrefs as LLVM descriptors through
    unrealized casts); constants are cloned into the body. Inner
    dimensions, nested loops and reductions (scf.for) stay serial.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::scf::SCFDialect"
  ];
}

def SplitReductionsPass
    : Pass<"netc-split-reductions", "::mlir::ModuleOp"> {
  let summary = "Full reductions over big tensors in fixed parallel chunks";
  let description = [{
    Rewrites every top-level perfect `scf.for` nest with static bounds that
    sums into a rank-0 buffer (`load acc; acc + f(x); store acc` in the
    innermost body, as linalg lowers a full reduction) and covers at least
    `min-elements` iterations: its outer loops are flattened and cut into
    `chunks` chunks (a number fixed here, never the thread count), each an
    iteration of an `scf.parallel` that sums its part into a register
    (`scf.for` iter_args; the accumulating `arith.addf` gets `reassoc`, so
    LLVM vectorizes it) and stores the partial in a stack array; an
    `scf.for` then adds the partials to the buffer's value in chunk order.
    The result does not depend on the number of threads.
  }];
  let options = [
    Option<"chunks", "chunks", "unsigned", /*default=*/"64",
           "Partial sums per reduction (independent of the thread count)">,
    Option<"minElements", "min-elements", "int64_t", /*default=*/"32768",
           "Reductions over fewer iterations stay serial">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect"
  ];
}

def MergeIdenticalFunctionsPass
    : Pass<"netc-merge-identical-functions", "::mlir::ModuleOp"> {
  let summary = "Merge functions whose bodies are identical up to names";
  let description = [{
    Finds the functions with a body that are structurally equal: the same
    operations, attributes, types and block structure (locations ignored),
    the same function type and the same function attributes apart from the
    symbol name. Of each set of equal private functions, the first in the
    module stays and the others are erased, every use of their symbol (a
    `func.call` callee, a `func.constant`, any top-level symbol reference
    attribute) redirected to it. A public function whose type, argument
    and result attributes and body equal an earlier public one's keeps its
    symbol and its other attributes (the kernel table and the C interface
    wrappers name it); its body becomes a call of the first.
    Merged callees make their callers equal, so the pass repeats until
    nothing changes (the `_par` bodies of netc-parallelize-loops, then the
    `_nest` functions of netc-outline-loop-nests calling them, then the
    eval entries of kernels that differ only in their optimizer). Only
    identical code is merged: no result changes.
  }];
  let statistics = [
    Statistic<"numErased", "erased", "Private functions merged and erased">,
    Statistic<"numThunks", "thunks", "Public functions made a call of an equal one">,
    Statistic<"numRounds", "rounds", "Rounds until nothing merged">
  ];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

#endif // NETC_TRANSFORMS_PASSES
