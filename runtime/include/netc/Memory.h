//===- Memory.h - The memory estimate at a program's start-up --*- C++ -*-===//
//
// Before the first allocation, every train and evaluate step the chosen
// experiments will run is estimated at the batch size it will use (--set
// batch_size included) with the model of netc/MemoryEstimate.h, the compiled
// steps' exact workspace and the generated data sets, and compared with the
// machine's memory or --memory-limit. Over the limit is an error naming the
// layer (or data set) and the bytes, instead of std::bad_alloc mid-run.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_MEMORY_H
#define NETC_MEMORY_H

#include "netc/Driver.h"
#include "netc/MemoryEstimate.h"
#include "netc/Plan.h"

#include <stdexcept>
#include <string>
#include <vector>

namespace netc::rt {

/// A step or data set that does not fit in the memory limit.
struct MemoryError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// --memory-limit, else the machine's (or container's) memory.
memory::Limit memoryLimit(const Options &options);

/// The active device backend's memory (netc/Device.h) as a limit, or
/// false when the program runs on the host or the device's size is unknown.
/// Checked besides memoryLimit: a GPU asked for more managed memory than it
/// has can hang.
bool deviceMemoryLimit(memory::Limit &limit);

/// One train (`training`) or evaluate step of `kernel` at `cap` samples:
/// the layers' parameters, optimizer state and activations, the compiled
/// step's workspace, the batch buffers. `perLayer`, when given, receives
/// each layer's share (in the network's layer order).
memory::Bytes stepBytes(const Plan &plan, const KernelSpec &kernel,
                        bool training, int64_t cap,
                        std::vector<memory::Bytes> *perLayer = nullptr);

/// The bytes a data set holds in memory when the plan fixes its size
/// (generated data: polynomial's records of x and y); 0 for data read from
/// files, whose size only reading tells.
int64_t datasetBytes(const DatasetSpec &spec);

/// Checks every train and evaluate step of `experiments` with the data sets
/// they use against `limit`. Throws MemoryError.
void checkMemory(const Plan &plan,
                 const std::vector<const ExperimentSpec *> &experiments,
                 const Options &options, const memory::Limit &limit);

} // namespace netc::rt

#endif // NETC_MEMORY_H
