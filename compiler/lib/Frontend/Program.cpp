//===- Program.cpp - Helpers of the elaborated program --------------------===//

#include "netc/Frontend/Program.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace netc {

/// Shortest text that reads back as the same double ("0.0001", "1e-07").
static std::string num(double d) {
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", d);
    return buf;
  }
  char buf[40];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, d);
    if (std::strtod(buf, nullptr) == d)
      break;
  }
  return buf;
}

static std::string callText(const std::string &name,
                            const std::map<std::string, double> &args,
                            const std::map<std::string, std::string> &strArgs) {
  if (args.empty() && strArgs.empty())
    return name;
  std::string s = name + "(";
  bool first = true;
  for (auto &kv : args) {
    s += (first ? "" : ", ") + kv.first + "=" + num(kv.second);
    first = false;
  }
  for (auto &kv : strArgs) {
    s += (first ? "" : ", ") + kv.first + "=" + kv.second;
    first = false;
  }
  return s + ")";
}

std::string Call::str() const {
  if (schedule.empty())
    return callText(name, args, strArgs);
  std::map<std::string, double> a = args;
  std::map<std::string, std::string> s = strArgs;
  a.erase("learning_rate");
  s["learning_rate"] = callText(schedule, scheduleArgs, {});
  return callText(name, a, s);
}

std::string TrainSpec::metricName() const {
  if (metric.name.empty()) // the loss's default
    return loss.name == "mse" || loss.name == "mae" ? loss.name : "accuracy";
  if (metric.name == "top_k") {
    auto k = metric.args.find("k");
    return "top_" + num(k == metric.args.end() ? 5 : k->second) + "_accuracy";
  }
  return metric.name;
}

std::vector<std::string> TrainSpec::metricNames() const {
  std::vector<std::string> names{metricName()};
  for (const Call &c : moreMetrics) {
    TrainSpec one;
    one.loss = loss;
    one.metric = c;
    names.push_back(one.metricName());
  }
  return names;
}

std::string RegSpec::str() const {
  if (l1 == 0 && l2 == 0)
    return "none";
  if (l2 == 0)
    return "l1(" + num(l1) + ")";
  if (l1 == 0)
    return "l2(" + num(l2) + ")";
  return "l1_l2(l1=" + num(l1) + ", l2=" + num(l2) + ")";
}

int64_t Network::countParams(bool trainableOnly) const {
  int64_t n = 0;
  for (const Param &p : params)
    if (!trainableOnly || p.trainable)
      n += p.size();
  return n;
}

const Network *Program::findNetwork(const std::string &name) const {
  auto it = defaultInstances.find(name);
  if (it != defaultInstances.end())
    return networks[it->second].get();
  return nullptr;
}

} // namespace netc
