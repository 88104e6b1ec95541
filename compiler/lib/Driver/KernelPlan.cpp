//===- KernelPlan.cpp - Which compiled code each plan step runs ----------===//
//
// A kernel is a network *structure* with a loss and an optimizer: networks
// that differ only in their initializers (an initializer sweep) share one.
//
//===----------------------------------------------------------------------===//
#include "netc/Driver/Compile.h"
#include "netc/Transforms/MLIRGen.h"

#include <algorithm>
#include <map>
#include <sstream>

using namespace netc;

/// Everything about a network that changes the compiled code; initial values
/// do not.
static std::string structureKey(const Network &net) {
  std::ostringstream os;
  auto dims = [&](const std::vector<int64_t> &v) {
    os << '[';
    for (int64_t d : v)
      os << d << ',';
    os << ']';
  };
  for (const Layer &l : net.layers) {
    os << l.kind << '(';
    for (int i : l.inputs)
      os << i << ',';
    dims(l.outShape);
    os << l.units << ',' << l.kernel[0] << 'x' << l.kernel[1] << ','
       << l.strides[0] << 'x' << l.strides[1] << ',' << l.pads[0] << ','
       << l.pads[1] << ',' << l.pads[2] << ',' << l.pads[3] << ','
       << l.activation << ',' << l.useBias << ',' << l.rate << ',' << l.momentum
       << ',' << l.epsilon << ',' << l.axis << ',' << l.activityReg.str()
       << ')';
  }
  for (const Param &p : net.params) {
    os << p.name;
    dims(p.shape);
    os << p.trainable << p.reg.str() << ';';
  }
  return os.str();
}

static std::string dataRangeKey(const DatasetDecl &d) {
  std::ostringstream os;
  auto it = d.listArgs.find("x_range");
  if (it != d.listArgs.end())
    for (double v : it->second)
      os << v << ',';
  return os.str();
}

static std::string trainKey(const TrainSpec &t) {
  std::string metrics;
  for (const std::string &m : t.metricNames())
    metrics += (metrics.empty() ? "" : ",") + m;
  return t.loss.str() + "|" + t.optimizer.str() + "|" + metrics;
}

/// The kernel of a network evaluated without training: the loss its output
/// implies.
static TrainSpec evaluationOnly(const Network &net) {
  TrainSpec t;
  const Layer &out = net.layers[net.output];
  bool softmax = out.kind == "softmax" || out.activation == "softmax";
  t.loss.name = softmax ? "categorical_crossentropy" : "mse";
  return t;
}

KernelPlan netc::planKernels(const Program &program) {
  KernelPlan plan;
  std::map<std::string, int> byKey;
  std::vector<std::string> structure;
  for (const auto &net : program.networks)
    structure.push_back(structureKey(*net));

  auto kernelFor = [&](int network, const TrainSpec &train, int dataset) {
    const Network &net = *program.networks[network];
    const DatasetDecl *data =
        dataset >= 0 ? &program.datasets[dataset] : nullptr;
    std::string key = structure[network] + "#" + trainKey(train);
    // polyfeatures' standardization constants come from the data's range.
    bool poly =
        std::any_of(net.layers.begin(), net.layers.end(),
                    [](const Layer &l) { return l.kind == "polyfeatures"; });
    if (poly && data)
      key += "#" + data->kind + dataRangeKey(*data);
    auto it = byKey.find(key);
    if (it != byKey.end())
      return it->second;
    int index = plan.kernels.size();
    KernelUnit spec;
    spec.name = "k" + std::to_string(index);
    spec.network = program.networks[network].get();
    spec.train = train;
    spec.dataset = data;
    plan.kernels.push_back(spec);
    plan.networkOf.push_back(network);
    byKey[key] = index;
    return index;
  };

  for (const Experiment &e : program.experiments) {
    auto &runs = plan.stepKernel.emplace_back();
    // Slots are numbered across the experiment: a shared run's networks stay
    // alive for the runs after it.
    std::map<int, int> slotNetwork;
    std::map<int, int> slotKernel; // the kernel that last trained a slot
    for (const Run &r : e.runs) {
      auto &steps = runs.emplace_back(r.steps.size(), -1);
      for (size_t i = 0; i < r.steps.size(); ++i) {
        const Step &s = r.steps[i];
        switch (s.kind) {
        case StepOp::New:
        case StepOp::Load:
        case StepOp::Compose:
          if (s.network >= 0)
            slotNetwork[s.slot] = s.network;
          break;
        case StepOp::Copy:
          slotNetwork[s.slot] = slotNetwork[s.srcSlot];
          break;
        case StepOp::Train:
          steps[i] = kernelFor(slotNetwork[s.slot], s.train, s.dataset);
          slotKernel[s.slot] = steps[i];
          break;
        case StepOp::Evaluate: {
          auto it = slotKernel.find(s.slot);
          if (it != slotKernel.end()) {
            steps[i] = it->second;
          } else {
            // Evaluated without training here.
            const Network &net = *program.networks[slotNetwork[s.slot]];
            steps[i] = kernelFor(slotNetwork[s.slot], evaluationOnly(net), -1);
          }
          break;
        }
        default:
          break;
        }
      }
    }
  }
  return plan;
}
