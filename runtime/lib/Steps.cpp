//===- Steps.cpp - One handler per step of a run --------------------------===//
//
// new, copy, compose, freeze, save, load, evaluate and report; train lives in
// Training.cpp. Each handler reads and writes the run's RunState.
//
//===----------------------------------------------------------------------===//

#include "RunState.h"
#include "RunnerDetail.h"

#include "netc/Initializers.h"
#include "netc/Mpi.h"
#include "netc/Profile.h"
#include "netc/Safetensors.h"
#include "netc/data/Prefetcher.h"

#include <cstring>
#include <filesystem>

using nlohmann::json;

namespace netc::rt {

using namespace detail;

Slot copySlot(const Slot &src) {
  Slot copy;
  copy.network = src.network;
  copy.params = AlignedBuffer(src.params.size());
  std::memcpy(copy.params.get(), src.params.get(),
              sizeof(float) * static_cast<size_t>(src.params.size()));
  copy.frozen = src.frozen;
  copy.parts = src.parts;
  return copy;
}

EvalResult evaluate(const KernelSpec &kernel, const netc_kernel_entry &fn,
                    const Slot &slot, const Split &split,
                    const std::vector<int64_t> &indices, int64_t cap) {
  const profile::Scope timed(profile::Family::evaluation);
  AlignedBuffer ws(kernel.evalWsFloats(cap));
  AlignedBuffer out(elementCount(kernel.outputShape) * cap),
      metrics(kernel.metricFloats());
  double lossSum = 0, metricSum = 0;
  std::vector<double> moreSums(static_cast<size_t>(metrics.size() - 2), 0.0);
  Prefetcher batches(split, indices, cap);
  for (Prefetcher::Batch b = batches.next(); b.n > 0; b = batches.next()) {
    netc_buf p = slot.params.descriptor(), x = b.x->descriptor(),
             y = b.y->descriptor(), w = ws.descriptor(),
             m = metrics.descriptor(), o = out.descriptor();
    fn.eval(&p, &x, &y, b.n, &w, cap, &m, &o);
    lossSum += static_cast<double>(metrics[0]) * b.n;
    metricSum += metrics[1];
    for (size_t j = 0; j < moreSums.size(); ++j)
      moreSums[j] += metrics[2 + j];
  }
  const double n = static_cast<double>(indices.size());
  EvalResult r{lossSum / n, metricSum / n, {}};
  for (double s : moreSums)
    r.more.push_back(s / n);
  return r;
}

const Slot &ExperimentRunner::RunState::read(int64_t id) {
  auto it = slots.find(id);
  if (it != slots.end())
    return it->second;
  auto sh = shared.find(id);
  if (sh != shared.end())
    return sh->second;
  fail("slot " + std::to_string(id) + " used before it holds a network");
}

Slot &ExperimentRunner::RunState::write(int64_t id) {
  auto it = slots.find(id);
  if (it != slots.end())
    return it->second;
  auto sh = shared.find(id);
  if (sh == shared.end())
    fail("slot " + std::to_string(id) + " used before it holds a network");
  return slots.emplace(id, copySlot(sh->second)).first->second;
}

void ExperimentRunner::RunState::expectNetwork(int64_t id, const Slot &slot,
                                               int64_t network) const {
  if (network < 0 || slot.network == network)
    return;
  const NetworkSpec &have = plan.networks[slot.network];
  const NetworkSpec &want = plan.networks[network];
  bool same = have.paramFloats == want.paramFloats &&
              have.params.size() == want.params.size();
  for (size_t i = 0; same && i < have.params.size(); ++i)
    same = have.params[i].shape == want.params[i].shape &&
           have.params[i].offset == want.params[i].offset;
  if (!same)
    fail("slot " + std::to_string(id) + " holds network " + have.instance +
         ", whose weights do not fit the step's " + want.instance);
}

void ExperimentRunner::runStep(RunState &st, const StepSpec &step) {
  switch (step.op) {
  case StepOp::New:
    return newNetwork(st, step);
  case StepOp::Copy:
    return copyNetwork(st, step);
  case StepOp::Compose:
    return compose(st, step);
  case StepOp::Freeze:
    return freeze(st, step);
  case StepOp::Save:
    return save(st, step);
  case StepOp::Load:
    return load(st, step);
  case StepOp::Train:
    return train(st, step);
  case StepOp::Evaluate:
    return evaluateStep(st, step);
  case StepOp::Report:
    return report(st, step);
  }
  st.fail(std::string("step '") + stepOpName(step.op) +
          "' is not supported by this runtime");
}

void ExperimentRunner::newNetwork(RunState &st, const StepSpec &step) {
  const NetworkSpec &net = plan.networks[step.network];
  Slot slot;
  slot.network = step.network;
  slot.params = AlignedBuffer(net.paramFloats);
  for (const ParamSpec &p : net.params)
    initialize(p.init, slot.params.get() + p.offset, p.shape, p.fanIn, p.fanOut,
               st.rng);
  st.slots[step.slot] = std::move(slot);
}

void ExperimentRunner::copyNetwork(RunState &st, const StepSpec &step) {
  // A copy starts unfrozen and independent: Keras' clone + set_weights.
  Slot copy = copySlot(st.read(step.src));
  copy.frozen.clear();
  copy.parts.clear();
  st.slots[step.slot] = std::move(copy);
}

void ExperimentRunner::compose(RunState &st, const StepSpec &step) {
  const NetworkSpec &net = plan.networks[step.network];
  Slot slot;
  slot.network = step.network;
  slot.params = AlignedBuffer(net.paramFloats);
  // The composed params are the parts' params concatenated in order; check
  // that param by param before copying.
  int64_t offset = 0;
  size_t param = 0;
  for (int64_t part : step.parts) {
    const Slot &src = st.read(part);
    const NetworkSpec &pnet = plan.networks[src.network];
    for (const ParamSpec &p : pnet.params) {
      if (param >= net.params.size() || net.params[param].shape != p.shape ||
          net.params[param].offset != offset + p.offset)
        st.fail("compose: network " + net.name +
                " is not its parts' concatenation at parameter '" + p.name +
                "' of " + pnet.name);
      ++param;
    }
    std::memcpy(slot.params.get() + offset, src.params.get(),
                sizeof(float) * static_cast<size_t>(src.params.size()));
    for (auto [o, size] : src.frozen)
      slot.frozen.push_back({offset + o, size});
    slot.parts.push_back({part, offset});
    offset += src.params.size();
  }
  if (offset != net.paramFloats || param != net.params.size())
    st.fail("compose: the parts hold " + std::to_string(offset) +
            " floats, network " + net.name + " has " +
            std::to_string(net.paramFloats));
  st.slots[step.slot] = std::move(slot);
}

void ExperimentRunner::freeze(RunState &st, const StepSpec &step) {
  Slot &slot = st.write(step.slot);
  slot.frozen = {{0, slot.params.size()}};
}

void ExperimentRunner::save(RunState &st, const StepSpec &step) {
  const Slot &slot = st.read(step.slot);
  st.expectNetwork(step.slot, slot, step.network);
  const std::string path = savePath(step.file, outRoot(options));
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty())
    std::filesystem::create_directories(parent, ec);
  saveSafetensors(
      path, plan.networks[slot.network], slot.params.get(),
      {{"format", "pt"}, {"network", plan.networks[slot.network].instance}});
  // --data-parallel: rank 0 writes, the others wait for the file, which a
  // later load may read (netc/DataParallel.h).
  if (options.dataParallel)
    mpi::barrier();
}

void ExperimentRunner::load(RunState &st, const StepSpec &step) {
  // --data-parallel: the file may be one rank 0 alone has just written
  // (save_best, or a save of an earlier run).
  if (options.dataParallel)
    mpi::barrier();
  Slot &slot = st.write(step.slot);
  st.expectNetwork(step.slot, slot, step.network);
  loadSafetensors(loadPath(step.file, outRoot(options), options.dataDir),
                  plan.networks[slot.network], slot.params.get());
}

void ExperimentRunner::evaluateStep(RunState &st, const StepSpec &step) {
  const KernelSpec &kernel = plan.kernels[step.kernel];
  const netc_kernel_entry &fn = entry(step.kernel);
  if (!fn.eval)
    throw RunError("kernel '" + kernel.name + "' has no eval function");
  const Slot &slot = st.read(step.slot);
  st.expectNetwork(step.slot, slot, kernel.network);
  const Split &split = fittingSplit(step);
  std::vector<int64_t> all(static_cast<size_t>(split.count));
  for (int64_t i = 0; i < split.count; ++i)
    all[i] = i;
  const EvalResult result =
      evaluate(kernel, fn, slot, split, all, options.batchSize.value_or(32));
  st.record.metricName = kernel.metric;
  st.record.moreMetricNames = moreMetricNames(kernel.metrics);
  if (step.result >= 0)
    st.evals[step.result] = result;
  st.lastEval = result;
}

void ExperimentRunner::report(RunState &st, const StepSpec &step) {
  RunRecord &record = st.record;
  for (size_t i = 0; i < step.columns.size(); ++i) {
    const json &v = step.values[i];
    const std::string &column = step.columns[i];
    if (!v.is_string() || v.get<std::string>().rfind("@eval:", 0) != 0) {
      record.cells.emplace_back(column, v);
      continue;
    }
    const int64_t id = std::stoll(v.get<std::string>().substr(6));
    auto it = st.evals.find(id);
    if (it == st.evals.end() && record.diverged())
      continue; // the evaluation never ran
    if (it == st.evals.end())
      st.fail("report of '" + column + "' refers to a missing evaluation");
    record.cells.emplace_back(column + "_loss", it->second.loss);
    record.cells.emplace_back(column + "_" + record.metricName,
                              it->second.metric);
    for (size_t j = 0; j < it->second.more.size(); ++j)
      record.cells.emplace_back(column + "_" + record.moreMetricNames.at(j),
                                it->second.more[j]);
    if (!record.hasTest) { // the first reported evaluation is "test"
      record.hasTest = true;
      record.testLoss = it->second.loss;
      record.testMetric = it->second.metric;
      record.testMore = it->second.more;
    }
  }
}

} // namespace netc::rt
