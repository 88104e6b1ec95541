//===- Optimizer.cpp - net.optimizer_update for the Keras 3 optimizers ----===//
//
// An update is one multi-result elementwise linalg.generic
// ins(grad) outs(weight, slots...) -> (new weight, new slots...), the weight
// and slots updated in place once bufferized. Step-dependent
// scalars (bias corrections, ...) are computed once, before the loops, from
// the run-time learning rate and 1-based iteration. Each optimizer of the
// table runtime/include/netc/Optimizers.def (which gives its defaults and
// slots) is one entry of `kRules`: its scalar prologue and its per-element
// update, transcribed from Keras 3's update_step.
//
// Slot order (the order of `slots` in the op and of the results after the
// weight) is the table's, following the order Keras builds its variables.
//
//===----------------------------------------------------------------------===//
#include "Common.h"
#include "netc/OptimizerTable.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace netc::conversion;
namespace net = netc::net;
namespace opt = netc::optimizers;

namespace {

/// A hyper-parameter, or `dflt` if the config leaves it out (the verifier
/// has checked that every value is a float).
double cfg(DictionaryAttr config, StringRef name, double dflt) {
  auto f = config ? dyn_cast_or_null<FloatAttr>(config.get(name)) : nullptr;
  return f ? f.getValueAsDouble() : dflt;
}

/// The default of hyper-parameter `name` of `o` (netc/Optimizers.def).
double tableDefault(const opt::Optimizer &o, StringRef name) {
  for (const opt::Hyper &h : o.hypers)
    if (name == h.name)
      return h.defaultValue;
  llvm_unreachable("hyper-parameter missing from netc/Optimizers.def");
}

/// What an optimizer's lowering sees: the builder, the config, the
/// optimizer's table entry, the run-time learning rate and iteration, and
/// the prologue's scalars.
struct UpdateEnv {
  OpBuilder &b;
  Location loc;
  DictionaryAttr config;
  const opt::Optimizer &optimizer;
  Value lr, t;
  /// A hyper-parameter: the op's config, else the table's default.
  double c(StringRef name) const {
    return cfg(config, name, tableDefault(optimizer, name));
  }
  /// A constant of the step's float type (that of the learning rate).
  Value k(double v) const { return floatConst(b, loc, lr.getType(), v); }
  Value add(Value x, Value y) const {
    return b.create<arith::AddFOp>(loc, x, y);
  }
  Value sub(Value x, Value y) const {
    return b.create<arith::SubFOp>(loc, x, y);
  }
  Value mul(Value x, Value y) const {
    return b.create<arith::MulFOp>(loc, x, y);
  }
  Value div(Value x, Value y) const {
    return b.create<arith::DivFOp>(loc, x, y);
  }
  Value sqrt(Value x) const { return b.create<math::SqrtOp>(loc, x); }
  Value pow(double base, Value e) const {
    return b.create<math::PowFOp>(loc, k(base), e);
  }
};

/// The update rule of one optimizer of netc/Optimizers.def (which gives its
/// slots).
struct OptimizerRule {
  opt::OptimizerId id;
  /// Scalars computed once per step, outside the loops.
  SmallVector<Value> (*prologue)(const UpdateEnv &env);
  /// Per element: returns the new weight followed by the new slots.
  SmallVector<Value> (*element)(const UpdateEnv &env, ValueRange scalars,
                                Value w, Value g, ValueRange slots);
};

SmallVector<Value> lrOnly(const UpdateEnv &e) { return {e.lr}; }

/// Adam's per-element step on (m, v) with alpha = scalars[0]; with amsgrad
/// (a third slot) the denominator uses the running maximum of v, as Keras.
SmallVector<Value> adamElement(const UpdateEnv &e, Value alpha, Value w,
                               Value g, ValueRange s) {
  double b1 = e.c("beta_1"), b2 = e.c("beta_2");
  double eps = e.c("epsilon");
  Value m = e.add(s[0], e.mul(e.sub(g, s[0]), e.k(1.0 - b1)));
  Value v = e.add(s[1], e.mul(e.sub(e.mul(g, g), s[1]), e.k(1.0 - b2)));
  if (s.size() > 2) {
    Value vHat = e.b.create<arith::MaximumFOp>(e.loc, s[2], v);
    Value step = e.div(e.mul(alpha, m), e.add(e.sqrt(vHat), e.k(eps)));
    return {e.sub(w, step), m, v, vHat};
  }
  Value step = e.div(e.mul(alpha, m), e.add(e.sqrt(v), e.k(eps)));
  return {e.sub(w, step), m, v};
}

SmallVector<Value> adamPrologue(const UpdateEnv &e) {
  // alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
  double b1 = e.c("beta_1"), b2 = e.c("beta_2");
  Value b1p = e.pow(b1, e.t), b2p = e.pow(b2, e.t);
  Value alpha =
      e.div(e.mul(e.lr, e.sqrt(e.sub(e.k(1.0), b2p))), e.sub(e.k(1.0), b1p));
  return {alpha, e.lr};
}

const OptimizerRule kRules[] = {
    {opt::OptimizerId::sgd, lrOnly,
     [](const UpdateEnv &e, ValueRange sc, Value w, Value g,
        ValueRange s) -> SmallVector<Value> {
       Value lr = sc[0];
       double mom = e.c("momentum");
       Value lrg = e.mul(g, lr);
       if (mom == 0.0)
         return {e.sub(w, lrg)};
       // v = momentum * v - lr * g; w += v (nesterov: w += momentum*v - lr*g)
       Value v =
           e.add(e.b.create<arith::NegFOp>(e.loc, lrg), e.mul(s[0], e.k(mom)));
       Value upd = v;
       if (e.c("nesterov") != 0.0)
         upd = e.add(e.b.create<arith::NegFOp>(e.loc, lrg), e.mul(v, e.k(mom)));
       return {e.add(w, upd), v};
     }},
    {opt::OptimizerId::adam, adamPrologue,
     [](const UpdateEnv &e, ValueRange sc, Value w, Value g, ValueRange s)
         -> SmallVector<Value> { return adamElement(e, sc[0], w, g, s); }},
    {opt::OptimizerId::adamw, adamPrologue,
     [](const UpdateEnv &e, ValueRange sc, Value w, Value g,
        ValueRange s) -> SmallVector<Value> {
       // Keras applies decoupled weight decay first: w -= w * wd * lr.
       double wd = e.c("weight_decay");
       Value wDec = e.sub(w, e.mul(e.mul(w, e.k(wd)), sc[1]));
       return adamElement(e, sc[0], wDec, g, s);
     }},
    {opt::OptimizerId::rmsprop, lrOnly,
     [](const UpdateEnv &e, ValueRange sc, Value w, Value g,
        ValueRange s) -> SmallVector<Value> {
       double rho = e.c("rho"), mom = e.c("momentum");
       double eps = e.c("epsilon");
       bool centered = e.c("centered") != 0.0;
       Value vel =
           e.add(e.mul(e.k(rho), s[0]), e.mul(e.k(1.0 - rho), e.mul(g, g)));
       unsigned next = 1;
       Value momSlot = mom != 0.0 ? s[next++] : Value();
       Value avg, denom;
       if (centered) {
         avg = e.add(e.mul(e.k(rho), s[next]), e.mul(e.k(1.0 - rho), g));
         denom = e.add(e.sub(vel, e.mul(avg, avg)), e.k(eps));
       } else {
         denom = e.add(vel, e.k(eps));
       }
       Value inc = e.div(e.mul(sc[0], g), e.sqrt(denom));
       SmallVector<Value> out{Value(), vel};
       if (momSlot) {
         Value m = e.add(e.mul(e.k(mom), momSlot), inc);
         out[0] = e.sub(w, m);
         out.push_back(m);
       } else {
         out[0] = e.sub(w, inc);
       }
       if (avg)
         out.push_back(avg);
       return out;
     }},
    {opt::OptimizerId::adagrad, lrOnly,
     [](const UpdateEnv &e, ValueRange sc, Value w, Value g,
        ValueRange s) -> SmallVector<Value> {
       double eps = e.c("epsilon");
       Value acc = e.add(s[0], e.mul(g, g));
       Value step = e.div(e.mul(sc[0], g), e.sqrt(e.add(acc, e.k(eps))));
       return {e.sub(w, step), acc};
     }},
    {opt::OptimizerId::adadelta, lrOnly,
     [](const UpdateEnv &e, ValueRange sc, Value w, Value g,
        ValueRange s) -> SmallVector<Value> {
       double rho = e.c("rho"), eps = e.c("epsilon");
       auto rms = [&](Value x) { return e.sqrt(e.add(x, e.k(eps))); };
       Value ag =
           e.add(e.mul(e.k(rho), s[0]), e.mul(e.k(1.0 - rho), e.mul(g, g)));
       Value dv = e.b.create<arith::NegFOp>(
           e.loc, e.div(e.mul(rms(s[1]), g), rms(ag)));
       Value ad =
           e.add(e.mul(e.k(rho), s[1]), e.mul(e.k(1.0 - rho), e.mul(dv, dv)));
       return {e.add(w, e.mul(sc[0], dv)), ag, ad};
     }},
    {opt::OptimizerId::adamax,
     [](const UpdateEnv &e) -> SmallVector<Value> {
       Value b1p = e.pow(e.c("beta_1"), e.t);
       return {e.lr, e.sub(e.k(1.0), b1p)};
     },
     [](const UpdateEnv &e, ValueRange sc, Value w, Value g,
        ValueRange s) -> SmallVector<Value> {
       double b1 = e.c("beta_1"), b2 = e.c("beta_2");
       double eps = e.c("epsilon");
       Value m = e.add(s[0], e.mul(e.sub(g, s[0]), e.k(1.0 - b1)));
       Value u = e.b.create<arith::MaximumFOp>(
           e.loc, e.mul(e.k(b2), s[1]), e.b.create<math::AbsFOp>(e.loc, g));
       Value step = e.div(e.mul(sc[0], m), e.mul(sc[1], e.add(u, e.k(eps))));
       return {e.sub(w, step), m, u};
     }},
    {opt::OptimizerId::nadam,
     [](const UpdateEnv &e) -> SmallVector<Value> {
       // Keras keeps u_product = prod_{s=1..t} beta_1 * (1 - 0.5 * 0.96^s)
       // in an optimizer variable; recompute it from t (a short scalar loop).
       double b1 = e.c("beta_1"), b2 = e.c("beta_2");
       OpBuilder &b = e.b;
       Location loc = e.loc;
       auto uAt = [&](OpBuilder &nb, Value step) {
         UpdateEnv ne{nb, loc, e.config, e.optimizer, e.lr, e.t};
         Value p = nb.create<math::PowFOp>(loc, ne.k(0.96), step);
         return ne.mul(ne.k(b1), ne.sub(ne.k(1.0), ne.mul(ne.k(0.5), p)));
       };
       Value tIdx = b.create<arith::IndexCastOp>(
           loc, b.getIndexType(),
           b.create<arith::FPToSIOp>(loc, b.getI64Type(), e.t));
       Value one = b.create<arith::ConstantIndexOp>(loc, 1);
       Value ub = b.create<arith::AddIOp>(loc, tIdx, one);
       auto loop = b.create<scf::ForOp>(
           loc, one, ub, one, ValueRange{e.k(1.0)},
           [&](OpBuilder &nb, Location l, Value iv, ValueRange iter) {
             UpdateEnv ne{nb, l, e.config, e.optimizer, e.lr, e.t};
             Value s = nb.create<arith::UIToFPOp>(
                 l, e.t.getType(),
                 nb.create<arith::IndexCastOp>(l, nb.getI64Type(), iv));
             Value prod = ne.mul(
                 ne.mul(iter[0], ne.k(b1)),
                 ne.sub(ne.k(1.0), ne.mul(ne.k(0.5), nb.create<math::PowFOp>(
                                                         l, ne.k(0.96), s))));
             nb.create<scf::YieldOp>(l, prod);
           });
       Value uProd = loop.getResult(0);
       Value uT = uAt(b, e.t);
       Value uT1 = uAt(b, e.add(e.t, e.k(1.0)));
       Value uProd1 = e.mul(uProd, uT1);
       Value b2p = e.pow(b2, e.t);
       return {e.lr, uT, uT1, uProd, uProd1, b2p};
     },
     [](const UpdateEnv &e, ValueRange sc, Value w, Value g,
        ValueRange s) -> SmallVector<Value> {
       double b1 = e.c("beta_1"), b2 = e.c("beta_2");
       double eps = e.c("epsilon");
       Value lr = sc[0], uT = sc[1], uT1 = sc[2], uProd = sc[3], uProd1 = sc[4],
             b2p = sc[5];
       Value one = e.k(1.0);
       Value m = e.add(s[0], e.mul(e.sub(g, s[0]), e.k(1.0 - b1)));
       Value v = e.add(s[1], e.mul(e.sub(e.mul(g, g), s[1]), e.k(1.0 - b2)));
       Value mHat = e.add(e.div(e.mul(uT1, m), e.sub(one, uProd1)),
                          e.div(e.mul(e.sub(one, uT), g), e.sub(one, uProd)));
       Value vHat = e.div(v, e.sub(one, b2p));
       Value step = e.div(e.mul(mHat, lr), e.add(e.sqrt(vHat), e.k(eps)));
       return {e.sub(w, step), m, v};
     }},
};

struct OptimizerUpdateLowering : OpRewritePattern<net::OptimizerUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(net::OptimizerUpdateOp op,
                                PatternRewriter &rewriter) const override {
    const opt::Optimizer *o =
        opt::findOptimizer(net::stringifyOptimizerKind(op.getKind()).str());
    const OptimizerRule *rule = nullptr;
    for (const OptimizerRule &r : kRules)
      if (o && r.id == o->id)
        rule = &r;
    if (!rule)
      return op.emitOpError("unsupported optimizer '")
             << net::stringifyOptimizerKind(op.getKind()) << "'";
    // The verifier has checked the slots against the optimizer table.
    DictionaryAttr config = op.getConfig();
    unsigned nSlots = op.getSlots().size();
    Location loc = op.getLoc();
    Value lr = op.getLearningRate(), t = op.getIteration();
    UpdateEnv env{rewriter, loc, config, *o, lr, t};
    SmallVector<Value> scalars = rule->prologue(env);

    // Destination-passing style: the weight and the slots are the outputs,
    // read in the body through their output arguments, so bufferization
    // writes the update in place into the buffers they come from (the
    // run's parameter and state arrays, docs/design.md "In-place update and
    // the parallel optimizer") instead of into fresh ones copied back.
    SmallVector<Value> inputs{op.getGrad()};
    SmallVector<Value> outputs{op.getWeight()};
    llvm::append_range(outputs, op.getSlots());
    int64_t rank = cast<RankedTensorType>(op.getWeight().getType()).getRank();
    AffineMap id = identityMap(getContext(), rank);
    SmallVector<AffineMap> inMaps(inputs.size(), id),
        outMaps(outputs.size(), id);
    auto generic =
        buildGeneric(rewriter, loc, rank, inputs, inMaps, outputs, outMaps, {},
                     [&](OpBuilder &b, Location l, ValueRange a) {
                       UpdateEnv be{b, l, config, *o, env.lr, env.t};
                       return rule->element(be, scalars, /*w=*/a[1], /*g=*/a[0],
                                            a.slice(2, nSlots));
                     });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

} // namespace

void netc::conversion::populateOptimizerPatterns(RewritePatternSet &patterns) {
  patterns.add<OptimizerUpdateLowering>(patterns.getContext());
}
