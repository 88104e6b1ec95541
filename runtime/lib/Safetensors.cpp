//===- Safetensors.cpp - Reading and writing safetensors files ------------===//

#include "netc/Safetensors.h"

#include "netc/DataParallel.h"
#include "netc/Results.h"
#include "netc/data/Dataset.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>

using nlohmann::json;

namespace netc::rt {

namespace {

static_assert(sizeof(float) == 4, "F32 tensors need 32-bit floats");

bool littleEndian() {
  const uint32_t one = 1;
  uint8_t first;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

} // namespace

void saveSafetensors(const std::string &path, const NetworkSpec &net,
                     const float *params,
                     const std::map<std::string, std::string> &metadata) {
  if (!dp::writesFiles()) // --data-parallel: rank 0 writes
    return;
  if (!littleEndian())
    throw std::runtime_error(path + ": safetensors writing needs a "
                                    "little-endian host");
  // Tensors in plan order, packed without gaps (readers reject holes).
  nlohmann::ordered_json header;
  if (!metadata.empty())
    header["__metadata__"] = metadata;
  int64_t offset = 0;
  for (const ParamSpec &p : net.params) {
    const int64_t bytes = p.size() * 4;
    header[p.name] = {{"dtype", "F32"},
                      {"shape", p.shape},
                      {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  // The format recommends padding the header with spaces so the data
  // starts 8-byte aligned (memory-mapping readers rely on it).
  text.append((8 - text.size() % 8) % 8, ' ');
  std::string file(8, '\0');
  const uint64_t size = text.size();
  for (int i = 0; i < 8; ++i)
    file[i] = static_cast<char>((size >> (8 * i)) & 0xff);
  file += text;
  file.reserve(file.size() + static_cast<size_t>(offset));
  for (const ParamSpec &p : net.params)
    file.append(reinterpret_cast<const char *>(params + p.offset),
                static_cast<size_t>(p.size()) * 4);
  writeFileAtomically(path, file);
}

void loadSafetensors(const std::string &path, const NetworkSpec &net,
                     float *params) {
  if (!littleEndian())
    throw DataError(path, "safetensors reading needs a little-endian host");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw DataError(path, std::strerror(errno));
  const std::string bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  if (bytes.size() < 8)
    throw DataError(path, "truncated safetensors file (no header length)");
  uint64_t headerSize = 0;
  for (int i = 0; i < 8; ++i)
    headerSize |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[i]))
                  << (8 * i);
  if (headerSize > bytes.size() - 8)
    throw DataError(path, "truncated safetensors file (header of " +
                              std::to_string(headerSize) + " bytes, file of " +
                              std::to_string(bytes.size()) + ")");
  json header;
  try {
    header = json::parse(bytes.substr(8, headerSize));
  } catch (const json::parse_error &e) {
    throw DataError(path, std::string("bad safetensors header: ") + e.what());
  }
  if (!header.is_object())
    throw DataError(path, "bad safetensors header: not a JSON object");
  const uint64_t dataStart = 8 + headerSize;
  const uint64_t dataSize = bytes.size() - dataStart;
  std::set<std::string> used;
  for (const ParamSpec &p : net.params) {
    auto it = header.find(p.name);
    if (it == header.end())
      throw DataError(path,
                      "no tensor '" + p.name + "' (network " + net.name + ")");
    const json &t = *it;
    used.insert(p.name);
    if (!t.is_object() || !t.contains("dtype") || !t.contains("shape") ||
        !t.contains("data_offsets"))
      throw DataError(path, "tensor '" + p.name +
                                "' lacks dtype, shape or data_offsets");
    if (t["dtype"] != "F32")
      throw DataError(path, "tensor '" + p.name + "' has dtype " +
                                t["dtype"].dump() + ", expected \"F32\"");
    std::vector<int64_t> shape;
    try {
      shape = t["shape"].get<std::vector<int64_t>>();
    } catch (const json::exception &) {
      throw DataError(path, "tensor '" + p.name + "' has a malformed shape");
    }
    if (shape != p.shape)
      throw DataError(path, "tensor '" + p.name + "' has shape " +
                                shapeText(shape) + ", network " + net.name +
                                " expects " + shapeText(p.shape));
    const json &off = t["data_offsets"];
    if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() ||
        !off[1].is_number_unsigned())
      throw DataError(path, "tensor '" + p.name +
                                "' has malformed "
                                "data_offsets");
    const uint64_t begin = off[0], end = off[1];
    if (end < begin || end - begin != static_cast<uint64_t>(p.size()) * 4)
      throw DataError(path, "tensor '" + p.name + "' has data_offsets [" +
                                std::to_string(begin) + ", " +
                                std::to_string(end) + "] for " +
                                std::to_string(p.size()) + " floats");
    if (end > dataSize)
      throw DataError(path, "truncated data: tensor '" + p.name +
                                "' ends at byte " + std::to_string(end) +
                                " of a " + std::to_string(dataSize) +
                                "-byte data section");
    std::memcpy(params + p.offset, bytes.data() + dataStart + begin,
                static_cast<size_t>(end - begin));
  }
  for (auto &[name, value] : header.items())
    if (name != "__metadata__" && !used.count(name))
      throw DataError(path, "tensor '" + name + "' is not a parameter of " +
                                "network " + net.name);
}

} // namespace netc::rt
