//===- Tools.cpp - Checks and benchmarks of compiled kernels --------------===//
//
// The four tools of a built program besides training: --gradcheck (analytic
// against numerical gradients), --bench-steps (time per train step),
// --dump-steps (weights after each step, for reference generators) and
// --check-steps (those against references from PyTorch/Keras). All drive the
// compiled code only through the ABI, exactly as training does, so they
// check and time what users run.
//
//===----------------------------------------------------------------------===//
#include "netc/Tools.h"

#include "netc/AlignedBuffer.h"
#include "netc/DataParallel.h"
#include "netc/Device.h"
#include "netc/Initializers.h"
#include "netc/Mpi.h"
#include "netc/Profile.h"
#include "netc/Random.h"
#include "netc/Results.h"
#include "netc/StepMemory.h"

#include <algorithm>
#include <cctype>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <stdexcept>
#include <sys/resource.h>

namespace netc::rt {

namespace {

/// A network's weights, initialized as a run would.
AlignedBuffer initialWeights(const NetworkSpec &net, Rng &rng) {
  AlignedBuffer params(std::max<int64_t>(net.paramFloats, 1));
  for (const ParamSpec &p : net.params)
    initialize(p.init, params.get() + p.offset, p.shape, p.fanIn, p.fanOut,
               rng);
  return params;
}

/// A random batch: normal inputs; class indices or normal targets.
template <typename T>
void randomBatch(const NetworkSpec &net, const KernelSpec &k, int64_t n,
                 Rng &rng, AlignedArray<T> &x, AlignedArray<T> &y) {
  x = AlignedArray<T>(n * elementCount(net.inputShape));
  y = AlignedArray<T>(n * elementCount(k.labelShape));
  for (int64_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<T>(rng.normal());
  // Class indices; 0/1 targets for binary cross-entropy; else normal.
  bool binary = k.loss == "binary_crossentropy";
  bool classes = k.loss == "categorical_crossentropy" ||
                 k.loss == "sparse_categorical_crossentropy";
  for (int64_t i = 0; i < y.size(); ++i)
    y[i] = binary    ? static_cast<T>(rng.below(2))
           : classes ? static_cast<T>(rng.below(elementCount(k.outputShape)))
                     : static_cast<T>(rng.normal());
}

/// The train function of a kernel entry in float (training) or double (the
/// --gradcheck-f64 step).
template <typename T> struct TrainFn;
template <> struct TrainFn<float> {
  using type = netc_train_fn;
  static type of(const netc_kernel_entry &e) { return e.train; }
  static int64_t ws(const KernelSpec &k, int64_t n) {
    return k.trainWsFloats(n);
  }
};
template <> struct TrainFn<double> {
  using type = netc_train_f64_fn;
  static type of(const netc_kernel_entry &e) { return e.train_f64; }
  static int64_t ws(const KernelSpec &k, int64_t n) {
    return k.trainF64WsDoubles(n);
  }
};

/// Everything one call of a kernel's train function needs.
template <typename T = float> struct TrainCall {
  typename TrainFn<T>::type fn;
  AlignedArray<T> state, ws, hyper{3}, metrics;
  int64_t n;

  TrainCall(const netc_kernel_entry &entry, const KernelSpec &k, int64_t n)
      : fn(TrainFn<T>::of(entry)), state(std::max<int64_t>(k.stateFloats, 1)),
        ws(std::max<int64_t>(TrainFn<T>::ws(k, n), 1)),
        metrics(k.metricFloats()), n(n) {
    for (const StateInit &s : k.stateInit)
      std::fill(state.get() + s.offset, state.get() + s.offset + s.size,
                static_cast<T>(s.value));
  }
  /// One step; returns the batch loss before the update.
  T operator()(AlignedArray<T> &params, AlignedArray<T> &x, AlignedArray<T> &y,
               T lr, T iteration) {
    hyper[0] = lr;
    hyper[1] = iteration;
    hyper[2] = 7;
    auto p = params.descriptor(), s = state.descriptor(), xb = x.descriptor(),
         yb = y.descriptor(), w = ws.descriptor(), h = hyper.descriptor(),
         m = metrics.descriptor();
    fn(&p, &s, &xb, &yb, n, &w, n, &h, &m);
    return metrics[0];
  }
};

template <typename T> AlignedArray<T> copyOf(const AlignedArray<T> &b) {
  AlignedArray<T> c(b.size());
  std::memcpy(c.get(), b.get(), b.size() * sizeof(T));
  return c;
}

AlignedArray<double> widen(const AlignedBuffer &b) {
  AlignedArray<double> d(b.size());
  std::copy(b.get(), b.get() + b.size(), d.get());
  return d;
}

// ---- --gradcheck ------------------------------------------------------

// Each kernel's train step is run in float64 (`netc build --gradcheck-f64`)
// and its sgd(1) step, which moves each weight by exactly -gradient, is
// compared with central differences of the float64 loss. docs/design.md,
// "Gradient checks in float64", explains the steps and tolerances.
constexpr double kRelTol = 1e-6;     // analytic vs numeric, smooth coordinates
constexpr double kResolved = 1e-7;   // noise below which relative error counts
constexpr double kSmoothTol = 3e-7;  // central differences at h and h/2
constexpr double kFloat32Tol = 1e-4; // float32 step vs float64 gradient
constexpr double kSteps[] = {1e-3, 1e-4, 1e-5, 1e-6}; // times max(1, |w|)
constexpr double kNoiseStep = 1e-9;                   // times max(1, |w|)

using LossAt = std::function<double(int64_t, double)>;

/// The rounding noise of the float64 loss near the weights: at steps
/// (kNoiseStep) far too small for truncation or kinks to matter,
/// L(w+e) - L(w-e) - (L(w+2e) - L(w-2e)) / 2 is zero up to rounding alone.
/// The largest such value over a few coordinates, doubled, and at least two
/// ulps of the loss (a difference of two rounded losses).
double lossNoise(const LossAt &lossAt, const AlignedArray<double> &p,
                 const std::vector<int64_t> &coords, double loss) {
  double noise = 0;
  const size_t samples = 8, stride = std::max<size_t>(coords.size() / 8, 1);
  for (size_t n = 0; n < samples && n * stride < coords.size(); ++n) {
    const int64_t i = coords[n * stride];
    const double e = kNoiseStep * std::max(1.0, std::fabs(p[i]));
    const double near = lossAt(i, e) - lossAt(i, -e);
    const double far = lossAt(i, 2 * e) - lossAt(i, -2 * e);
    noise = std::max(noise, std::fabs(near - far / 2));
  }
  const double ulp =
      std::nextafter(std::fabs(loss), INFINITY) - std::fabs(loss);
  return std::max(2 * noise, 2 * ulp);
}

/// The derivative of the loss along coordinate i: central differences D(h)
/// and D(h/2) combined by Richardson extrapolation (truncation O(h^4)),
/// at the largest step of kSteps where D(h) and D(h/2) agree. Where they
/// disagree at every step, a ReLU or max-pool kink lies within the steps and
/// no difference quotient is the derivative: `smooth` is false. `floor` is
/// the rounding noise of the value (noise is that of the loss).
struct Numeric {
  double value = 0, floor = 0;
  bool smooth = false;
};
Numeric centralDifference(const LossAt &lossAt, int64_t i, double w,
                          double noise) {
  Numeric r;
  for (double step : kSteps) {
    const double h = step * std::max(1.0, std::fabs(w));
    const double d1 = (lossAt(i, h) - lossAt(i, -h)) / (2 * h);
    const double d2 = (lossAt(i, h / 2) - lossAt(i, -h / 2)) / h;
    r.value = (4 * d2 - d1) / 3;
    // With `noise` bounding the rounding error of a difference of two
    // losses, the value and d1 - d2 both carry at most (4/3 + 1/6) noise/h.
    r.floor = 2 * noise / h;
    r.smooth = std::fabs(d1 - d2) <=
               kSmoothTol * std::max(std::fabs(d1), std::fabs(d2)) + r.floor;
    if (r.smooth)
      break;
  }
  return r;
}

/// What the check found for one parameter tensor over every seed.
struct ParamStats {
  int64_t coords = 0, kinks = 0, unresolved = 0;
  double worst = 0;   // max relative error over resolved smooth coordinates
  double worst32 = 0; // float32 step against the float64 gradient
};

struct GradCheck {
  std::map<std::pair<int64_t, std::string>, ParamStats> stats;
  int64_t checked = 0, failures = 0, kinks = 0, unresolved = 0, failures32 = 0;
  double worst = 0, worst32 = 0;

  void checkKernel(const KernelSpec &k, const NetworkSpec &net,
                   const netc_kernel_entry &entry, uint64_t seed);
  void compare(const KernelSpec &k, const ParamSpec &spec, int64_t c,
               uint64_t seed, double analytic, const Numeric &numeric);
  void compareFloat32(const KernelSpec &k, const NetworkSpec &net,
                      const netc_kernel_entry &entry, int64_t batch,
                      AlignedBuffer params, AlignedBuffer &x, AlignedBuffer &y,
                      const AlignedArray<double> &gradient);
  void print(const Plan &plan, int64_t seeds) const;
  /// Kinks are rare at random points; many of them would hide wrong rules.
  bool passed() const {
    return failures == 0 && failures32 == 0 && kinks * 4 <= checked;
  }
};

void GradCheck::compare(const KernelSpec &k, const ParamSpec &spec, int64_t c,
                        uint64_t seed, double analytic,
                        const Numeric &numeric) {
  ParamStats &st = stats[{k.index, spec.name}];
  ++st.coords;
  ++checked;
  if (!numeric.smooth) {
    ++st.kinks;
    ++kinks;
    return;
  }
  const double diff = std::fabs(analytic - numeric.value);
  const double scale = std::max(std::fabs(analytic), std::fabs(numeric.value));
  // Relative error is measurable where the gradient stands well above the
  // rounding noise of the difference quotient (or both are exactly zero: a
  // weight the loss does not see), and must then be at most kRelTol; below,
  // the two must agree to within kRelTol plus that noise.
  const bool resolved = diff == 0 || numeric.floor <= kResolved * scale;
  if (resolved) {
    const double rel = diff == 0 ? 0 : diff / scale;
    st.worst = std::max(st.worst, rel);
    worst = std::max(worst, rel);
  } else {
    ++st.unresolved;
    ++unresolved;
  }
  if (diff > kRelTol * scale + (resolved ? 0 : numeric.floor)) {
    ++failures;
    std::printf("gradcheck %s %s[%lld] seed %llu: analytic %.12g numeric "
                "%.12g (noise %.2g)\n",
                k.name.c_str(), spec.name.c_str(), (long long)c,
                (unsigned long long)seed, analytic, numeric.value,
                numeric.floor);
  }
}

/// The float32 train step (oneDNN's kernels, float32 code) at the same point:
/// each weight's update must agree with the float64 gradient to within
/// kFloat32Tol of the tensor's largest gradient, plus a few float32 ulps of
/// the weight (the update is read back as a difference of weights).
void GradCheck::compareFloat32(const KernelSpec &k, const NetworkSpec &net,
                               const netc_kernel_entry &entry, int64_t batch,
                               AlignedBuffer params, AlignedBuffer &x,
                               AlignedBuffer &y,
                               const AlignedArray<double> &gradient) {
  AlignedBuffer stepped = copyOf(params);
  TrainCall<float>(entry, k, batch)(stepped, x, y, 1.0f, 1.0f);
  for (const ParamSpec &spec : net.params) {
    if (!spec.trainable)
      continue;
    double largest = 0, err = 0;
    for (int64_t i = spec.offset; i < spec.offset + spec.size(); ++i)
      largest = std::max(largest, std::fabs(gradient[i]));
    for (int64_t i = spec.offset; i < spec.offset + spec.size(); ++i) {
      const double g32 = (double)params[i] - (double)stepped[i];
      const double ulps = 4 * FLT_EPSILON * std::fabs(params[i]);
      err = std::max(err, std::fabs(g32 - gradient[i]) - ulps);
    }
    err = largest > 0 ? err / largest : err;
    ParamStats &st = stats[{k.index, spec.name}];
    st.worst32 = std::max(st.worst32, err);
    worst32 = std::max(worst32, err);
    if (err > kFloat32Tol) {
      ++failures32;
      std::printf("gradcheck %s %s: the float32 step differs from the "
                  "float64 gradient by %.2e of its largest element\n",
                  k.name.c_str(), spec.name.c_str(), err);
    }
  }
}

void GradCheck::checkKernel(const KernelSpec &k, const NetworkSpec &net,
                            const netc_kernel_entry &entry, uint64_t seed) {
  const int64_t batch = 4, perParam = 6;
  Rng rng(seed);
  // A float32 point (weights and batch), so that the float32 step can be
  // compared at exactly the same one.
  AlignedBuffer init = initialWeights(net, rng), x32, y32;
  randomBatch(net, k, batch, rng, x32, y32);
  AlignedArray<double> params = widen(init), x = widen(x32), y = widen(y32);
  TrainCall<double> train(entry, k, batch);
  // The step with learning rate 1 moves each weight by -gradient.
  AlignedArray<double> stepped = copyOf(params), gradient(params.size());
  const double base = train(stepped, x, y, 1.0, 1);
  for (int64_t i = 0; i < params.size(); ++i)
    gradient[i] = params[i] - stepped[i];
  compareFloat32(k, net, entry, batch, std::move(init), x32, y32, gradient);
  // Each evaluation starts from the weights (the step rewrites batchnorm's
  // moving statistics in place).
  AlignedArray<double> scratch(params.size());
  auto lossAt = [&](int64_t i, double delta) {
    std::copy(params.get(), params.get() + params.size(), scratch.get());
    scratch[i] += delta;
    return train(scratch, x, y, 0.0, 1);
  };
  std::vector<std::pair<const ParamSpec *, std::vector<int64_t>>> picks;
  std::vector<int64_t> all;
  for (const ParamSpec &spec : net.params) {
    if (!spec.trainable)
      continue;
    std::vector<int64_t> coords{0, spec.size() - 1};
    while ((int64_t)coords.size() < std::min(perParam, spec.size()))
      coords.push_back(rng.below(spec.size()));
    for (int64_t c : coords)
      all.push_back(spec.offset + c);
    picks.push_back({&spec, coords});
  }
  const double noise = lossNoise(lossAt, params, all, base);
  for (auto &[spec, coords] : picks)
    for (int64_t c : coords) {
      const int64_t i = spec->offset + c;
      compare(k, *spec, c, seed, gradient[i],
              centralDifference(lossAt, i, params[i], noise));
    }
}

void GradCheck::print(const Plan &plan, int64_t seeds) const {
  for (const KernelSpec &k : plan.kernels)
    for (const ParamSpec &spec : plan.networks[k.network].params)
      if (auto it = stats.find({k.index, spec.name}); it != stats.end())
        std::printf("gradcheck %s %s: %lld coordinates, %lld at kinks, %lld "
                    "below the noise, max relative error %.2e; float32 "
                    "step %.2e\n",
                    k.name.c_str(), spec.name.c_str(),
                    (long long)it->second.coords, (long long)it->second.kinks,
                    (long long)it->second.unresolved, it->second.worst,
                    it->second.worst32);
  std::printf("gradcheck: %s (%lld coordinates at %lld seeds, max relative "
              "error %.2e, %lld mismatches, %lld at kinks, %lld below the "
              "noise; float32 step %.2e)\n",
              passed() ? "PASS" : "FAIL", (long long)checked, (long long)seeds,
              worst, (long long)failures, (long long)kinks,
              (long long)unresolved, worst32);
}

} // namespace

int runGradCheck(const Plan &plan, const netc_kernel_entry *kernels,
                 int64_t numKernels, const Options &options) {
  for (const KernelSpec &k : plan.kernels) {
    if (k.index >= numKernels || !kernels[k.index].train) {
      std::fprintf(stderr, "error: kernel %s is missing\n", k.name.c_str());
      return 1;
    }
    if (!kernels[k.index].train_f64) {
      std::fprintf(stderr, "error: --gradcheck runs the train steps in "
                           "float64: build the program with `netc build "
                           "--gradcheck-f64`\n");
      return 1;
    }
    if (k.optimizer.name != "sgd" || k.stateFloats != 0) {
      std::fprintf(stderr,
                   "error: --gradcheck needs optimizer sgd without momentum "
                   "(kernel %s uses %s)\n",
                   k.name.c_str(), k.optimizer.name.c_str());
      return 1;
    }
  }
  GradCheck check;
  const uint64_t first = options.seed.value_or(1);
  for (int64_t s = 0; s < options.gradCheckSeeds; ++s)
    for (const KernelSpec &k : plan.kernels)
      check.checkKernel(k, plan.networks[k.network], kernels[k.index],
                        first + s);
  check.print(plan, options.gradCheckSeeds);
  return check.passed() ? 0 : 1;
}

/// Minor page faults of this process so far (the kernel zeroing fresh pages).
static int64_t minorFaults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

namespace {

/// "cpu", or the active device backend's name ("cuda": netc/Device.h).
const char *targetName() {
  const device::Backend *backend = device::active();
  return backend ? backend->name : "cpu";
}

/// Rank 0's line for a data-parallel --bench-steps: global images per
/// second and milliseconds per step, from the slowest rank's time.
int printDataParallelBench(const NetworkSpec &net, int64_t batch, int64_t steps,
                           double seconds) {
  const mpi::World &w = mpi::world();
  // The slowest rank's time: a maximum from sums of one-hot vectors.
  std::vector<double> all(static_cast<size_t>(w.size), 0.0);
  all[static_cast<size_t>(w.rank)] = seconds;
  mpi::allreduceSum(all.data(), w.size);
  seconds = *std::max_element(all.begin(), all.end());
  if (w.rank != 0)
    return 0;
  std::printf("%-18s %-4s batch=%4lld netc dp x%-3d %10.1f img/s %8.3f "
              "ms/step\n",
              net.name.c_str(), targetName(), (long long)batch, w.size,
              batch * steps / seconds, 1000 * seconds / steps);
  return 0;
}

} // namespace

int runBench(const Plan &plan, const netc_kernel_entry *kernels,
             int64_t numKernels, const Options &options) {
  // The first kernel that a train step uses, at that step's batch size.
  const KernelSpec *kernel = nullptr;
  int64_t batch = 32;
  for (const ExperimentSpec &e : plan.experiments)
    for (const RunSpec &r : e.runs)
      for (const StepSpec &s : r.steps)
        if (s.op == StepOp::Train && !kernel) {
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
  // --data-parallel: each rank steps on its shard of the batch, gradients
  // averaged over the ranks (netc/DataParallel.h); rank 0 prints.
  const bool dataParallel = dp::active(options);
  const dp::LocalBatch local =
      dp::localBatch(batch, mpi::world().size, mpi::world().rank);
  const int64_t records = dataParallel ? local.records : batch;
  randomBatch(net, *kernel, records, rng, x, y);
  TrainCall<> train(kernels[kernel->index], *kernel, records);
  if (dataParallel)
    dp::reduceGradients(local.weight, options.syncBatchNorm);
  float lr = static_cast<float>(kernel->optimizer.learningRate());
  int64_t iteration = 1;
  for (int i = 0; i < 10; ++i)
    train(params, x, y, lr, iteration++);
  if (options.profile)
    profile::start();
  const int64_t allocsBefore = netc_step_system_allocs();
  int64_t faults = minorFaults();
  auto start = std::chrono::steady_clock::now();
  float loss = 0;
  for (int64_t i = 0; i < options.benchSteps; ++i) {
    loss = train(params, x, y, lr, iteration++);
    if (dataParallel)
      dp::combineMetrics(train.metrics.get(), train.metrics.size(),
                         local.weight, local.counted);
    profile::countStep();
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  dp::off();
  faults = minorFaults() - faults;
  const double allocsPerStep =
      double(netc_step_system_allocs() - allocsBefore) / options.benchSteps;
  if (options.profile)
    std::fputs(profile::formatTable(profile::stop()).c_str(), stderr);
  if (!std::isfinite(loss)) {
    std::fprintf(stderr, "error: the loss is not finite\n");
    return 1;
  }
  if (dataParallel)
    return printDataParallelBench(net, batch, options.benchSteps, seconds);
  std::printf("%-18s %-4s batch=%4lld netc         %10.1f img/s %8.3f "
              "ms/step %8.1f faults/step %6.2f allocs/step\n",
              net.name.c_str(), targetName(), (long long)batch,
              batch * options.benchSteps / seconds,
              1000 * seconds / options.benchSteps,
              static_cast<double>(faults) / options.benchSteps, allocsPerStep);
  return 0;
}

namespace {

// ---- --dump-steps / --check-steps -------------------------------------

/// One tensor of a safetensors file: F32 values or I64 indices.
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> f;
  std::vector<int64_t> i;
  bool isIndex = false;
};
using Tensors = std::vector<std::pair<std::string, Tensor>>;

Tensor floats(std::vector<int64_t> shape, const float *data) {
  Tensor t;
  t.shape = std::move(shape);
  t.f.assign(data, data + elementCount(t.shape));
  return t;
}

void writeTensors(const std::string &path, const Tensors &tensors,
                  const std::map<std::string, std::string> &metadata) {
  nlohmann::ordered_json header;
  header["__metadata__"] = metadata;
  int64_t offset = 0;
  for (const auto &[name, t] : tensors) {
    int64_t bytes = t.isIndex ? t.i.size() * 8 : t.f.size() * 4;
    header[name] = {{"dtype", t.isIndex ? "I64" : "F32"},
                    {"shape", t.shape},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  uint64_t n = text.size();
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char *>(&n), 8);
  out.write(text.data(), text.size());
  for (const auto &[name, t] : tensors) {
    if (t.isIndex)
      out.write(reinterpret_cast<const char *>(t.i.data()), t.i.size() * 8);
    else
      out.write(reinterpret_cast<const char *>(t.f.data()), t.f.size() * 4);
  }
  if (!out)
    throw std::runtime_error(path + ": cannot write");
}

std::map<std::string, Tensor>
readTensors(const std::string &path,
            std::map<std::string, std::string> &metadata) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error(path + ": cannot open");
  std::string bytes((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  uint64_t n = 0;
  if (bytes.size() < 8)
    throw std::runtime_error(path + ": not a safetensors file");
  std::memcpy(&n, bytes.data(), 8);
  if (n > bytes.size() - 8)
    throw std::runtime_error(path + ": header length out of range");
  nlohmann::json header = nlohmann::json::parse(bytes.substr(8, n));
  const char *data = bytes.data() + 8 + n;
  const uint64_t dataBytes = bytes.size() - 8 - n;
  std::map<std::string, Tensor> tensors;
  for (auto &[name, v] : header.items()) {
    if (name == "__metadata__") {
      for (auto &[k, m] : v.items())
        metadata[k] = m.get<std::string>();
      continue;
    }
    Tensor t;
    t.shape = v["shape"].get<std::vector<int64_t>>();
    uint64_t b = v["data_offsets"][0], e = v["data_offsets"][1];
    std::string dtype = v["dtype"];
    t.isIndex = dtype == "I64";
    if ((dtype != "F32" && !t.isIndex) || e > dataBytes || b > e ||
        (e - b) != (uint64_t)elementCount(t.shape) * (t.isIndex ? 8 : 4))
      throw std::runtime_error(path + ": bad tensor " + name);
    if (t.isIndex) {
      t.i.resize(elementCount(t.shape));
      std::memcpy(t.i.data(), data + b, e - b);
    } else {
      t.f.resize(elementCount(t.shape));
      std::memcpy(t.f.data(), data + b, e - b);
    }
    tensors[name] = std::move(t);
  }
  return tensors;
}

std::string fileName(const std::string &kernel) {
  std::string s = kernel;
  for (char &c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_')
      c = '_';
  return s + ".safetensors";
}

/// Outputs of the eval function (inference mode) on x.
AlignedBuffer evalOutputs(const netc_kernel_entry &entry, const KernelSpec &k,
                          AlignedBuffer &params, AlignedBuffer &x,
                          AlignedBuffer &y, int64_t n) {
  AlignedBuffer ws(std::max<int64_t>(k.evalWsFloats(n), 1)),
      metrics(k.metricFloats()), out(n * elementCount(k.outputShape));
  netc_buf p = params.descriptor(), xb = x.descriptor(), yb = y.descriptor(),
           w = ws.descriptor(), m = metrics.descriptor(), o = out.descriptor();
  entry.eval(&p, &xb, &yb, n, &w, n, &m, &o);
  return out;
}

std::vector<int64_t> withBatch(int64_t n, const std::vector<int64_t> &shape) {
  std::vector<int64_t> s{n};
  s.insert(s.end(), shape.begin(), shape.end());
  return s;
}

} // namespace

int runDumpSteps(const Plan &plan, const netc_kernel_entry *kernels,
                 int64_t numKernels, const Options &options) {
  const int64_t steps = options.numericSteps;
  const int64_t batch = options.batchSize.value_or(4);
  // Created if needed, as --out is.
  std::error_code ec;
  std::filesystem::create_directories(options.dumpStepsDir, ec);
  if (ec) {
    std::fprintf(stderr, "error: %s: cannot create the directory: %s\n",
                 options.dumpStepsDir.c_str(), ec.message().c_str());
    return 1;
  }
  for (const KernelSpec &k : plan.kernels) {
    if (k.index >= numKernels || !kernels[k.index].train) {
      std::fprintf(stderr, "error: kernel %s is missing\n", k.name.c_str());
      return 1;
    }
    const NetworkSpec &net = plan.networks[k.network];
    const uint64_t seed = options.seed.value_or(1);
    Rng rng(seed);
    AlignedBuffer params = initialWeights(net, rng), x, y;
    randomBatch(net, k, batch, rng, x, y);
    Tensors out;
    out.push_back({"x", floats(withBatch(batch, net.inputShape), x.get())});
    out.push_back({"y", floats(withBatch(batch, k.labelShape), y.get())});
    for (const ParamSpec &p : net.params)
      out.push_back(
          {"init/" + p.name, floats(p.shape, params.get() + p.offset)});
    AlignedBuffer o = evalOutputs(kernels[k.index], k, params, x, y, batch);
    out.push_back({"out", floats(withBatch(batch, k.outputShape), o.get())});
    TrainCall<> train(kernels[k.index], k, batch);
    std::vector<float> losses;
    const float lr = static_cast<float>(k.optimizer.learningRate());
    for (int64_t s = 1; s <= steps; ++s) {
      const auto rate = static_cast<float>(k.optimizer.learningRateAt(s - 1));
      losses.push_back(train(params, x, y, rate, static_cast<float>(s)));
      for (const ParamSpec &p : net.params)
        out.push_back({"step" + std::to_string(s) + "/" + p.name,
                       floats(p.shape, params.get() + p.offset)});
    }
    out.push_back({"loss", floats({steps}, losses.data())});
    std::string path = options.dumpStepsDir + "/" + fileName(k.name);
    writeTensors(
        path, out,
        {{"kernel", k.name},
         {"network", net.name},
         {"optimizer", k.optimizer.name},
         {"optimizer_args", nlohmann::json(k.optimizer.args).dump()},
         {"schedule", k.optimizer.schedule},
         {"schedule_args", nlohmann::json(k.optimizer.scheduleArgs).dump()},
         {"learning_rate", nlohmann::json(static_cast<double>(lr)).dump()},
         {"loss", k.loss},
         {"seed", std::to_string(seed)},
         {"steps", std::to_string(steps)}});
    std::printf("dump-steps %s -> %s\n", k.name.c_str(), path.c_str());
  }
  return 0;
}

namespace {

/// A --check-steps reference file (written by test/Numerics/gen_*_refs.py):
/// inputs, initial weights, the weights after each step and the losses,
/// each possibly sampled (NAME@idx) or with per-element tolerances (NAME@tol).
class StepReference {
public:
  StepReference(const std::string &path, const std::string &kernel)
      : path(path), kernel(kernel), tensors(readTensors(path, meta)),
        rtol(std::stod(meta.at("rtol"))) {}

  const Tensor &need(const std::string &name) const {
    auto it = tensors.find(name);
    if (it == tensors.end())
      throw std::runtime_error(path + ": no tensor " + name);
    return it->second;
  }
  const Tensor *find(const std::string &name) const {
    auto it = tensors.find(name);
    return it == tensors.end() ? nullptr : &it->second;
  }
  const std::string &metadata(const std::string &key) const {
    return meta.at(key);
  }

  /// The reference's initial weights into `params` where it gives them in
  /// full; for sampled ones, the largest difference from `params` (netc's
  /// own seeded initialization must reproduce the samples exactly).
  double takeInitialWeights(const NetworkSpec &net, AlignedBuffer &params);

  /// Prints and checks the error of NAME against `got`: max |a - b| /
  /// max |b|, with a and b taken relative to `base` (the initial weights)
  /// when given; with NAME@tol, each element within its own (absolute)
  /// tolerance instead. False when it is out of tolerance.
  bool compare(const std::string &name, const float *got, const float *base);

private:
  std::string path, kernel;
  std::map<std::string, std::string> meta;
  std::map<std::string, Tensor> tensors;
  double rtol;
};

double StepReference::takeInitialWeights(const NetworkSpec &net,
                                         AlignedBuffer &params) {
  double initDiff = 0;
  for (const ParamSpec &p : net.params) {
    const std::string name = "init/" + p.name;
    const Tensor &t = need(name);
    if (const Tensor *idx = find(name + "@idx")) {
      for (size_t j = 0; j < idx->i.size(); ++j)
        initDiff = std::max(
            initDiff, std::fabs((double)params[p.offset + idx->i[j]] - t.f[j]));
    } else {
      if ((int64_t)t.f.size() != p.size())
        throw std::runtime_error(path + ": wrong size of " + name);
      std::copy(t.f.begin(), t.f.end(), params.get() + p.offset);
    }
  }
  return initDiff;
}

bool StepReference::compare(const std::string &name, const float *got,
                            const float *base) {
  const Tensor &t = need(name);
  const Tensor *idx = find(name + "@idx");
  const Tensor *tol = find(name + "@tol");
  if (tol && tol->f.size() != t.f.size())
    throw std::runtime_error(path + ": wrong size of " + name + "@tol");
  double diff = 0, scale = 0, ofTol = 0;
  for (size_t j = 0; j < t.f.size(); ++j) {
    int64_t at = idx ? idx->i[j] : (int64_t)j;
    double b0 = base ? base[at] : 0;
    double a = got[at] - b0, b = t.f[j] - b0;
    // Weights are float: a change is only known to a few ulps of the weight
    // itself (netc's rounding each step, the reference's once).
    double ulps = base ? 4 * FLT_EPSILON * std::fabs(t.f[j]) : 0;
    double d = std::max(0.0, std::fabs(a - b) - ulps);
    diff = std::max(diff, d);
    scale = std::max(scale, std::fabs(b));
    if (tol)
      ofTol = std::max(ofTol, d / std::max<double>(tol->f[j], 1e-30));
  }
  const double err = scale == 0 ? diff : diff / std::max(scale, 1e-30);
  const bool ok = tol ? ofTol <= 1 : err <= rtol;
  if (tol)
    std::printf("check-steps %s %s: %zu values, max relative error %.2e, "
                "%.2f of the per-element tolerance%s\n",
                kernel.c_str(), name.c_str(), t.f.size(), err, ofTol,
                ok ? "" : "  FAIL");
  else
    std::printf("check-steps %s %s: %zu values, max relative error %.2e%s\n",
                kernel.c_str(), name.c_str(), t.f.size(), err,
                ok ? "" : "  FAIL");
  return ok;
}

AlignedBuffer bufferOf(const Tensor &t) {
  AlignedBuffer b(t.f.size());
  std::copy(t.f.begin(), t.f.end(), b.get());
  return b;
}

/// Runs kernel `k` from the reference's initial weights on its batch and
/// compares outputs, weights after each step and losses. Counts the
/// quantities compared into `compared`.
bool checkKernel(const KernelSpec &k, const NetworkSpec &net,
                 const netc_kernel_entry &fn, const std::string &dir,
                 int64_t &compared) {
  StepReference ref(dir + "/" + fileName(k.name), k.name);
  const int64_t steps = std::stoll(ref.metadata("steps"));
  AlignedBuffer x = bufferOf(ref.need("x")), y = bufferOf(ref.need("y"));
  const int64_t batch = ref.need("x").shape.at(0);
  Rng rng(std::stoull(ref.metadata("seed")));
  AlignedBuffer params = initialWeights(net, rng);
  if (double initDiff = ref.takeInitialWeights(net, params)) {
    std::printf("check-steps %s: netc's initial weights differ from the "
                "reference's (max %.3g): regenerate the reference\n",
                k.name.c_str(), initDiff);
    return false;
  }
  AlignedBuffer init = copyOf(params);
  bool pass = true;
  AlignedBuffer o = evalOutputs(fn, k, params, x, y, batch);
  if (ref.find("out")) {
    pass = ref.compare("out", o.get(), nullptr) && pass;
    ++compared;
  }
  TrainCall<> train(fn, k, batch);
  std::vector<float> losses;
  for (int64_t s = 1; s <= steps; ++s) {
    const auto rate = static_cast<float>(k.optimizer.learningRateAt(s - 1));
    losses.push_back(train(params, x, y, rate, static_cast<float>(s)));
    for (const ParamSpec &p : net.params) {
      std::string name = "step" + std::to_string(s) + "/" + p.name;
      if (!ref.find(name))
        continue;
      pass =
          ref.compare(name, params.get() + p.offset, init.get() + p.offset) &&
          pass;
      ++compared;
    }
  }
  pass = ref.compare("loss", losses.data(), nullptr) && pass;
  ++compared;
  return pass;
}

} // namespace

int runCheckSteps(const Plan &plan, const netc_kernel_entry *kernels,
                  int64_t numKernels, const Options &options) {
  bool pass = true;
  int64_t compared = 0;
  for (const KernelSpec &k : plan.kernels) {
    if (k.index >= numKernels || !kernels[k.index].train) {
      std::fprintf(stderr, "error: kernel %s is missing\n", k.name.c_str());
      return 1;
    }
    pass = checkKernel(k, plan.networks[k.network], kernels[k.index],
                       options.checkStepsDir, compared) &&
           pass;
  }
  std::printf("check-steps: %s (%lld quantities)\n", pass ? "PASS" : "FAIL",
              (long long)compared);
  return pass ? 0 : 1;
}

} // namespace netc::rt
