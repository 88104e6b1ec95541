//===- Main.cpp - main() of every program netc builds ---------------------===//
//
// Kept in its own library: it references the compiler-emitted symbols, which
// only a built program defines.
//
//===----------------------------------------------------------------------===//

#include "netc/Abi.h"
#include "netc/Cpu.h"
#include "netc/Device.h"
#include "netc/Driver.h"
#include "netc/Mpi.h"

#include <cstdio>
#include <cstring>
#include <malloc.h>
#include <string>

// Weak until every program defines it (the compiler's part of --target
// cuda): a program without it is a cpu program.
extern "C" __attribute__((weak)) const char netc_target_device[];

namespace {

const char *targetDevice() {
  const char *device = netc_target_device;
  return device ? device : "cpu";
}

/// Options that print and exit need no device.
bool needsDevice(int argc, char **argv) {
  for (int i = 1; i < argc; ++i)
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h"))
      return false;
  return true;
}

/// A program built for a device: its backend, initialized before the
/// runtime allocates any buffer (they all come from the device's managed
/// memory then).
bool startDevice(int argc, char **argv) {
  const char *device = targetDevice();
  if (!std::strcmp(device, "cpu") || !needsDevice(argc, argv))
    return true;
  std::string reason;
  if (netc::rt::device::activate(device, reason))
    return true;
  std::fprintf(stderr, "error: this program was built for --target %s: %s\n",
               device, reason.c_str());
  return false;
}

} // namespace

int main(int argc, char **argv) {
  // First of all: the kernels may use instructions this CPU lacks.
  if (!netc::rt::checkTargetCpu(netc_target_cpu, netc_target_features, stderr))
    return 1;
  if (!startDevice(argc, argv))
    return 1;
  // Compiled steps allocate and free the same temporaries every step. Keep
  // them on the heap instead of fresh mmap'd pages (whose zeroing page
  // faults cost more than small layers' arithmetic), and keep freed memory.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  // Under mpirun or srun: one rank of many (netc/Mpi.h).
  netc::rt::mpi::init(&argc, &argv);
  const int status = netc::rt::runProgram(netc_plan_json, netc_kernels,
                                          netc_num_kernels, argc, argv);
  netc::rt::mpi::finalize();
  return status;
}
