//===- Tools.cpp - Gradient check and benchmark of compiled kernels -------===//
//
// Both tools drive the compiled code only through the ABI, exactly as
// training does, so they check and time what users run.
//
//===----------------------------------------------------------------------===//
#include "netc/Tools.h"

#include "netc/AlignedBuffer.h"
#include "netc/Initializers.h"
#include "netc/Random.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace netc {

namespace {

int64_t product(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// A network's weights, initialized as a run would.
AlignedBuffer initialWeights(const NetworkSpec &net, Rng &rng) {
  AlignedBuffer params(std::max<int64_t>(net.paramFloats, 1));
  for (const ParamSpec &p : net.params)
    initialize(p.init, params.get() + p.offset, p.shape, p.fanIn, p.fanOut,
               rng);
  return params;
}

/// A random batch: normal inputs; class indices or normal targets.
void randomBatch(const NetworkSpec &net, const KernelSpec &k, int64_t n,
                 Rng &rng, AlignedBuffer &x, AlignedBuffer &y) {
  x = AlignedBuffer(n * product(net.inputShape));
  y = AlignedBuffer(n * product(k.labelShape));
  for (int64_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<float>(rng.normal());
  // Class indices; 0/1 targets for binary cross-entropy; else normal.
  bool binary = k.loss == "binary_crossentropy";
  bool classes = k.metric == "accuracy" && !binary;
  for (int64_t i = 0; i < y.size(); ++i)
    y[i] = binary    ? static_cast<float>(rng.below(2))
           : classes ? static_cast<float>(rng.below(product(k.outputShape)))
                     : static_cast<float>(rng.normal());
}

/// Everything one call of a kernel's train function needs.
struct TrainCall {
  const netc_kernel_entry &entry;
  AlignedBuffer state, ws, hyper{3}, metrics{2};
  int64_t n;

  TrainCall(const netc_kernel_entry &entry, const KernelSpec &k, int64_t n)
      : entry(entry), state(std::max<int64_t>(k.stateFloats, 1)),
        ws(std::max<int64_t>(k.trainWsFloats(n), 1)), n(n) {
    for (const StateInit &s : k.stateInit)
      std::fill(state.get() + s.offset, state.get() + s.offset + s.size,
                static_cast<float>(s.value));
  }
  /// One step; returns the batch loss before the update.
  float operator()(AlignedBuffer &params, AlignedBuffer &x, AlignedBuffer &y,
                   float lr, float iteration) {
    hyper[0] = lr;
    hyper[1] = iteration;
    hyper[2] = 7;
    netc_buf p = params.descriptor(), s = state.descriptor(),
             xb = x.descriptor(), yb = y.descriptor(), w = ws.descriptor(),
             h = hyper.descriptor(), m = metrics.descriptor();
    entry.train(&p, &s, &xb, &yb, n, &w, n, &h, &m);
    return metrics[0];
  }
};

AlignedBuffer copyOf(const AlignedBuffer &b) {
  AlignedBuffer c(b.size());
  std::memcpy(c.get(), b.get(), b.size() * sizeof(float));
  return c;
}

} // namespace

int runGradCheck(const Plan &plan, const netc_kernel_entry *kernels,
                 int64_t numKernels, const Options &options) {
  const int64_t batch = 4, perParam = 6;
  const double eps = 1e-3, rtol = 5e-2, atol = 5e-4;
  int64_t checked = 0, failures = 0, kinks = 0;
  for (const KernelSpec &k : plan.kernels) {
    if (k.index >= numKernels || !kernels[k.index].train) {
      std::fprintf(stderr, "error: kernel %s is missing\n", k.name.c_str());
      return 1;
    }
    if (k.optimizer.name != "sgd" || k.stateFloats != 0) {
      std::fprintf(stderr,
                   "error: --gradcheck needs optimizer sgd without momentum "
                   "(kernel %s uses %s)\n",
                   k.name.c_str(), k.optimizer.name.c_str());
      return 1;
    }
    const NetworkSpec &net = plan.networks[k.network];
    Rng rng(options.seed.value_or(1));
    AlignedBuffer params = initialWeights(net, rng), x, y;
    randomBatch(net, k, batch, rng, x, y);
    TrainCall train(kernels[k.index], k, batch);

    // The step with learning rate 1 moves each weight by -gradient.
    AlignedBuffer stepped = copyOf(params);
    train(stepped, x, y, 1.0f, 1);
    auto lossAt = [&](int64_t i, double delta) {
      AlignedBuffer p = copyOf(params);
      p[i] = static_cast<float>(p[i] + delta);
      return static_cast<double>(train(p, x, y, 0.0f, 1));
    };
    for (const ParamSpec &spec : net.params) {
      if (!spec.trainable)
        continue;
      std::vector<int64_t> coords{0, spec.size() - 1};
      while ((int64_t)coords.size() < std::min(perParam, spec.size()))
        coords.push_back(rng.below(spec.size()));
      double worst = 0;
      for (int64_t c : coords) {
        int64_t i = spec.offset + c;
        double analytic = (double)params[i] - (double)stepped[i];
        // Central differences, shrinking the step while the one-sided
        // differences disagree: a ReLU or max-pool kink inside the interval
        // makes the loss non-smooth there, and no step size fixes that at
        // float precision, so such coordinates are counted, not compared.
        bool smooth = false;
        double numeric = 0, base = lossAt(i, 0);
        for (double e = eps; e >= eps / 16 && !smooth; e /= 4) {
          double up = lossAt(i, e), down = lossAt(i, -e);
          double fwd = (up - base) / e, bwd = (base - down) / e;
          numeric = (up - down) / (2 * e);
          smooth = std::fabs(fwd - bwd) <=
                   2 * atol + rtol * std::max(std::fabs(fwd), std::fabs(bwd));
        }
        ++checked;
        if (!smooth) {
          ++kinks;
          continue;
        }
        double diff = std::fabs(analytic - numeric);
        double scale = std::max(std::fabs(analytic), std::fabs(numeric));
        worst = std::max(worst, diff / std::max(scale, 1e-12));
        if (diff > atol + rtol * scale) {
          ++failures;
          std::printf("gradcheck %s %s[%lld]: analytic %.6g numeric %.6g\n",
                      k.name.c_str(), spec.name.c_str(), (long long)c,
                      analytic, numeric);
        }
      }
      std::printf("gradcheck %s %s: %zu coordinates, max relative error "
                  "%.2e\n",
                  k.name.c_str(), spec.name.c_str(), coords.size(), worst);
    }
  }
  // Kinks are rare at random points; many of them would hide wrong rules.
  bool pass = failures == 0 && kinks * 4 <= checked;
  std::printf("gradcheck: %s (%lld coordinates, %lld mismatches, %lld at "
              "kinks)\n",
              pass ? "PASS" : "FAIL", (long long)checked, (long long)failures,
              (long long)kinks);
  return pass ? 0 : 1;
}

int runBench(const Plan &plan, const netc_kernel_entry *kernels,
             int64_t numKernels, const Options &options) {
  // The first kernel that a train step uses, at that step's batch size.
  const KernelSpec *kernel = nullptr;
  int64_t batch = 32;
  for (const ExperimentSpec &e : plan.experiments)
    for (const RunSpec &r : e.runs)
      for (const StepSpec &s : r.steps)
        if (s.op == "train" && !kernel) {
          kernel = &plan.kernels.at(s.kernel);
          batch = s.batchSize;
        }
  if (!kernel || kernel->index >= numKernels) {
    std::fprintf(stderr, "error: --bench-steps needs a train step\n");
    return 1;
  }
  batch = options.batchSize.value_or(batch);
  const NetworkSpec &net = plan.networks[kernel->network];
  Rng rng(options.seed.value_or(1));
  AlignedBuffer params = initialWeights(net, rng), x, y;
  randomBatch(net, *kernel, batch, rng, x, y);
  TrainCall train(kernels[kernel->index], *kernel, batch);
  float lr = static_cast<float>(kernel->optimizer.learningRate());
  int64_t iteration = 1;
  for (int i = 0; i < 10; ++i)
    train(params, x, y, lr, iteration++);
  auto start = std::chrono::steady_clock::now();
  float loss = 0;
  for (int64_t i = 0; i < options.benchSteps; ++i)
    loss = train(params, x, y, lr, iteration++);
  double seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  if (!std::isfinite(loss)) {
    std::fprintf(stderr, "error: the loss is not finite\n");
    return 1;
  }
  std::printf("%-18s cpu  batch=%4lld netc         %10.1f img/s %8.3f "
              "ms/step\n",
              net.name.c_str(), (long long)batch,
              batch * options.benchSteps / seconds,
              1000 * seconds / options.benchSteps);
  return 0;
}

} // namespace netc
