//===- Main.cpp - main() of every program netc builds ---------------------===//
//
// Kept in its own library: it references the compiler-emitted symbols, which
// only a built program defines.
//
//===----------------------------------------------------------------------===//

#include "netc/Abi.h"
#include "netc/Cpu.h"
#include "netc/Driver.h"
#include "netc/Mpi.h"

#include <malloc.h>

int main(int argc, char **argv) {
  // First of all: the kernels may use instructions this CPU lacks.
  if (!netc::rt::checkTargetCpu(netc_target_cpu, netc_target_features, stderr))
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
