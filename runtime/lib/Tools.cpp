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
#include "netc/Results.h"

#include <algorithm>
#include <cctype>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>

namespace netc {

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
void randomBatch(const NetworkSpec &net, const KernelSpec &k, int64_t n,
                 Rng &rng, AlignedBuffer &x, AlignedBuffer &y) {
  x = AlignedBuffer(n * elementCount(net.inputShape));
  y = AlignedBuffer(n * elementCount(k.labelShape));
  for (int64_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<float>(rng.normal());
  // Class indices; 0/1 targets for binary cross-entropy; else normal.
  bool binary = k.loss == "binary_crossentropy";
  bool classes = k.loss == "categorical_crossentropy" ||
                 k.loss == "sparse_categorical_crossentropy";
  for (int64_t i = 0; i < y.size(); ++i)
    y[i] = binary ? static_cast<float>(rng.below(2))
           : classes
               ? static_cast<float>(rng.below(elementCount(k.outputShape)))
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
                      k.name.c_str(), spec.name.c_str(), (long long)c, analytic,
                      numeric);
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
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
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
  AlignedBuffer ws(std::max<int64_t>(k.evalWsFloats(n), 1)), metrics(2),
      out(n * elementCount(k.outputShape));
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
    TrainCall train(kernels[k.index], k, batch);
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

int runCheckSteps(const Plan &plan, const netc_kernel_entry *kernels,
                  int64_t numKernels, const Options &options) {
  bool pass = true;
  int64_t compared = 0;
  for (const KernelSpec &k : plan.kernels) {
    if (k.index >= numKernels || !kernels[k.index].train) {
      std::fprintf(stderr, "error: kernel %s is missing\n", k.name.c_str());
      return 1;
    }
    const NetworkSpec &net = plan.networks[k.network];
    std::string path = options.checkStepsDir + "/" + fileName(k.name);
    std::map<std::string, std::string> meta;
    std::map<std::string, Tensor> ref = readTensors(path, meta);
    auto need = [&](const std::string &name) -> const Tensor & {
      auto it = ref.find(name);
      if (it == ref.end())
        throw std::runtime_error(path + ": no tensor " + name);
      return it->second;
    };
    auto indices = [&](const std::string &name) -> const Tensor * {
      auto it = ref.find(name + "@idx");
      return it == ref.end() ? nullptr : &it->second;
    };
    const double rtol = std::stod(meta.at("rtol"));
    const int64_t steps = std::stoll(meta.at("steps"));
    const Tensor &xt = need("x"), &yt = need("y");
    const int64_t batch = xt.shape.at(0);
    AlignedBuffer x(xt.f.size()), y(yt.f.size());
    std::copy(xt.f.begin(), xt.f.end(), x.get());
    std::copy(yt.f.begin(), yt.f.end(), y.get());
    // Initial weights: given in full, or netc's own seeded initialization,
    // which must then reproduce the reference's samples exactly.
    Rng rng(std::stoull(meta.at("seed")));
    AlignedBuffer params = initialWeights(net, rng);
    double initDiff = 0;
    for (const ParamSpec &p : net.params) {
      const std::string name = "init/" + p.name;
      const Tensor &t = need(name);
      if (const Tensor *idx = indices(name)) {
        for (size_t j = 0; j < idx->i.size(); ++j)
          initDiff = std::max(
              initDiff,
              std::fabs((double)params[p.offset + idx->i[j]] - t.f[j]));
      } else {
        if ((int64_t)t.f.size() != p.size())
          throw std::runtime_error(path + ": wrong size of " + name);
        std::copy(t.f.begin(), t.f.end(), params.get() + p.offset);
      }
    }
    if (initDiff != 0) {
      std::printf("check-steps %s: netc's initial weights differ from the "
                  "reference's (max %.3g): regenerate the reference\n",
                  k.name.c_str(), initDiff);
      pass = false;
      continue;
    }
    AlignedBuffer init = copyOf(params);
    // Error of a (sampled or full) tensor: max |a - b| / max |b|, with a and
    // b taken relative to `base` (the initial weights) when given. With a
    // per-element tolerance NAME@tol (absolute, on the change), each element
    // must be within its own tolerance instead, and the line also gives the
    // largest error / tolerance.
    auto compare = [&](const std::string &name, const float *got,
                       const float *base) {
      const Tensor &t = need(name);
      const Tensor *idx = indices(name);
      auto tolIt = ref.find(name + "@tol");
      const Tensor *tol = tolIt == ref.end() ? nullptr : &tolIt->second;
      if (tol && tol->f.size() != t.f.size())
        throw std::runtime_error(path + ": wrong size of " + name + "@tol");
      double diff = 0, scale = 0, ofTol = 0;
      for (size_t j = 0; j < t.f.size(); ++j) {
        int64_t at = idx ? idx->i[j] : (int64_t)j;
        double b0 = base ? base[at] : 0;
        double a = got[at] - b0, b = t.f[j] - b0;
        // Weights are float: a change is only known to a few ulps of the
        // weight itself (netc's rounding each step, the reference's once).
        double ulps = base ? 4 * FLT_EPSILON * std::fabs(t.f[j]) : 0;
        double d = std::max(0.0, std::fabs(a - b) - ulps);
        diff = std::max(diff, d);
        scale = std::max(scale, std::fabs(b));
        if (tol)
          ofTol = std::max(ofTol, d / std::max<double>(tol->f[j], 1e-30));
      }
      double err = diff / std::max(scale, 1e-30);
      if (scale == 0)
        err = diff;
      ++compared;
      bool ok = tol ? ofTol <= 1 : err <= rtol;
      pass = pass && ok;
      if (tol)
        std::printf("check-steps %s %s: %zu values, max relative error %.2e, "
                    "%.2f of the per-element tolerance%s\n",
                    k.name.c_str(), name.c_str(), t.f.size(), err, ofTol,
                    ok ? "" : "  FAIL");
      else
        std::printf("check-steps %s %s: %zu values, max relative error "
                    "%.2e%s\n",
                    k.name.c_str(), name.c_str(), t.f.size(), err,
                    ok ? "" : "  FAIL");
      return err;
    };
    AlignedBuffer o = evalOutputs(kernels[k.index], k, params, x, y, batch);
    if (ref.count("out"))
      compare("out", o.get(), nullptr);
    TrainCall train(kernels[k.index], k, batch);
    std::vector<float> losses;
    for (int64_t s = 1; s <= steps; ++s) {
      const auto rate = static_cast<float>(k.optimizer.learningRateAt(s - 1));
      losses.push_back(train(params, x, y, rate, static_cast<float>(s)));
      for (const ParamSpec &p : net.params) {
        std::string name = "step" + std::to_string(s) + "/" + p.name;
        if (ref.count(name))
          compare(name, params.get() + p.offset, init.get() + p.offset);
      }
    }
    compare("loss", losses.data(), nullptr);
  }
  std::printf("check-steps: %s (%lld quantities)\n", pass ? "PASS" : "FAIL",
              (long long)compared);
  return pass ? 0 : 1;
}

} // namespace netc
