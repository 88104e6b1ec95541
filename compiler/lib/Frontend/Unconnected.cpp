//===- Unconnected.cpp - Layers the output does not depend on -------------===//
//
// A `let` names a tensor without moving the running tensor, so a branch that
// is never used again computes nothing the output needs. Keras builds a
// model from its inputs and outputs and leaves such layers out; so does
// netc: they are dropped from the network (no weights, no parameter count,
// no code), and each unused `let` gets a warning at its location. A network
// instantiated many times (a sweep) warns once: the diagnostics engine
// prints an identical (location, message) pair once.
//
//===----------------------------------------------------------------------===//

#include "Networks.h"

#include <algorithm>

namespace netc {

namespace {

/// The layers of `net` the output depends on (the input layer always).
std::vector<bool> connectedLayers(const Network &net) {
  std::vector<bool> keep(net.layers.size(), false);
  keep[net.output] = true;
  keep[0] = true;
  // Layers are in topological order: producers come before consumers.
  for (size_t i = net.layers.size(); i-- > 0;)
    if (keep[i])
      for (int in : net.layers[i].inputs)
        keep[in] = true;
  return keep;
}

/// Marks in `dropped` the unconnected layers that tensor `t` is computed
/// from (t included); returns how many were not marked before.
int64_t markBranch(const Network &net, const std::vector<bool> &keep, int t,
                   std::vector<bool> &dropped) {
  int64_t count = 0;
  std::vector<int> work{t};
  while (!work.empty()) {
    int l = work.back();
    work.pop_back();
    if (keep[l] || dropped[l])
      continue;
    dropped[l] = true;
    ++count;
    for (int in : net.layers[l].inputs)
      work.push_back(in);
  }
  return count;
}

/// Keeps the layers and parameters marked in `keep`, renumbering the
/// references between them.
void keepOnly(Network &net, const std::vector<bool> &keep) {
  std::vector<int> layerMap(net.layers.size(), -1);
  std::vector<int> paramMap(net.params.size(), -1);
  std::vector<Layer> layers;
  std::vector<Param> params;
  for (size_t l = 0; l < net.layers.size(); ++l)
    if (keep[l]) {
      layerMap[l] = (int)layers.size();
      layers.push_back(std::move(net.layers[l]));
    }
  for (size_t p = 0; p < net.params.size(); ++p)
    if (keep[net.params[p].layer]) {
      paramMap[p] = (int)params.size();
      params.push_back(std::move(net.params[p]));
      params.back().layer = layerMap[params.back().layer];
    }
  for (Layer &layer : layers) {
    for (int &in : layer.inputs)
      in = layerMap[in];
    for (int &p : layer.params)
      p = paramMap[p];
  }
  net.output = layerMap[net.output];
  net.layers = std::move(layers);
  net.params = std::move(params);
}

std::string layersText(int64_t n) {
  return std::to_string(n) + (n == 1 ? " layer" : " layers");
}

} // namespace

void Networks::dropUnconnected(Builder &b) {
  Network &net = b.net;
  const std::vector<bool> keep = connectedLayers(net);
  if (std::find(keep.begin(), keep.end(), false) == keep.end())
    return;
  std::vector<bool> dropped(keep.size(), false);
  for (const Builder::LetTensor &let : b.lets) {
    if (let.tensor < 0 || keep[let.tensor])
      continue;
    int64_t count = markBranch(net, keep, let.tensor, dropped);
    diags.warning(let.loc,
                  "'" + let.name + "' is never used: " +
                      (count == 0   ? "it is"
                       : count == 1 ? "its 1 layer is"
                                    : "its " + layersText(count) + " are") +
                      " not connected to the output of '" + net.name +
                      "' and left out of it, as Keras leaves out "
                      "unconnected layers");
  }
  // Anything else (from the last layer back, so a branch warns once).
  for (size_t l = keep.size(); l-- > 0;)
    if (!keep[l] && !dropped[l]) {
      markBranch(net, keep, (int)l, dropped);
      diags.warning(net.layers[l].loc,
                    "layer '" + net.layers[l].name +
                        "' is not connected to the output of '" + net.name +
                        "' and left out of it");
    }
  keepOnly(net, keep);
}

} // namespace netc
