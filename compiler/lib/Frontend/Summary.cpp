//===- Summary.cpp - Keras-like `model.summary()` table -------------------===//

#include "Sema.h"

#include "netc/Frontend/Frontend.h"

#include <ostream>

namespace netc {

std::string withThousands(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

static std::string rtrim(std::string s) {
  while (!s.empty() && s.back() == ' ')
    s.pop_back();
  return s;
}

static std::string pad(std::string s, size_t width) {
  if (s.size() < width)
    s.append(width - s.size(), ' ');
  return s + " ";
}

void printSummary(const Network &net, std::ostream &os) {
  // Graphs (any layer not fed by the one before it) get Keras' extra
  // "Connected to" column.
  bool graph = false;
  for (size_t i = 1; i < net.layers.size(); ++i)
    graph |= net.layers[i].inputs != std::vector<int>{(int)i - 1};
  const size_t w1 = graph ? 34 : 29, w2 = 26, w3 = 11;
  size_t width = w1 + w2 + w3 + 3 + (graph ? 26 : 0);
  std::string rule(width, '_'), thick(width, '=');
  os << "Model: \"" << net.instance << "\"\n" << rule << "\n";
  os << rtrim(" " + pad("Layer (type)", w1) + pad("Output Shape", w2) +
              pad("Param #", w3) + (graph ? "Connected to" : ""))
     << "\n";
  os << thick << "\n";
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer &l = net.layers[i];
    const LayerSpec *spec = findLayer(l.kind);
    std::string type = spec ? spec->kerasType : l.kind;
    std::string shape = "(None";
    for (int64_t d : l.outShape)
      shape += ", " + std::to_string(d);
    shape += ")";
    int64_t params = 0;
    for (int p : l.params)
      params += net.params[p].size();
    std::string connected;
    for (int in : l.inputs)
      connected += (connected.empty() ? "" : ", ") + net.layers[in].name;
    os << rtrim(" " + pad(l.name + " (" + type + ")", w1) + pad(shape, w2) +
                pad(std::to_string(params), w3) + (graph ? connected : ""))
       << "\n";
    if (i + 1 != net.layers.size())
      os << "\n";
  }
  os << thick << "\n";
  int64_t total = net.countParams(false), trainable = net.countParams(true);
  os << "Total params: " << withThousands(total) << "\n";
  os << "Trainable params: " << withThousands(trainable) << "\n";
  os << "Non-trainable params: " << withThousands(total - trainable) << "\n";
  os << rule << "\n";
}

} // namespace netc
