//===- Main.cpp - main() of every program netc builds ---------------------===//
//
// Kept in its own library: it references the compiler-emitted symbols, which
// only a built program defines.
//
//===----------------------------------------------------------------------===//

#include "netc/Abi.h"
#include "netc/Driver.h"

int main(int argc, char **argv) {
  return netc::runProgram(netc_plan_json, netc_kernels, netc_num_kernels, argc,
                          argv);
}
