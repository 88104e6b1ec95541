//===- KernelTable.h - The runtime kernels as C++ data ----------*- C++ -*-===//
//
// The table netc/Kernels.def seen from C++: an enumerator per kernel, its
// symbol names (float and double) and its argument count, which is taken
// from the C declaration in netc/Abi.h, so the compiler's calls cannot drift
// from the runtime's definitions. Header-only: the compiler includes it.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_KERNELTABLE_H
#define NETC_KERNELTABLE_H

#include "netc/Abi.h"

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace netc::abi {

enum class RuntimeKernel {
#define NETC_REAL float
#define NETC_KERNEL(Id, Params) Id,
#include "netc/Kernels.def"
#undef NETC_REAL
};

struct RuntimeKernelInfo {
  const char *name;    // the float kernel, e.g. "netc_matmul"
  const char *nameF64; // its double twin, e.g. "netc_matmul_f64"
  unsigned numArgs;    // every argument is passed as an i64
};

namespace detail {
template <typename R, typename... Args>
constexpr unsigned countArgs(R (*)(Args...)) {
  return sizeof...(Args);
}
/// What the compiler can pass: an int64_t or a pointer (as an address).
template <typename R, typename... Args>
constexpr bool allI64Sized(R (*)(Args...)) {
  return ((std::is_same_v<Args, int64_t> || std::is_pointer_v<Args>)&&...);
}
} // namespace detail

#define NETC_REAL float
#define NETC_KERNEL(Id, Params)                                                \
  static_assert(detail::countArgs(&netc_##Id) ==                               \
                    detail::countArgs(&netc_##Id##_f64),                       \
                "netc_" #Id " and its _f64 twin differ in arity");             \
  static_assert(detail::allI64Sized(&netc_##Id),                               \
                "netc_" #Id " takes an argument that is no i64 or pointer");
#include "netc/Kernels.def"
#undef NETC_REAL

inline constexpr RuntimeKernelInfo kRuntimeKernels[] = {
#define NETC_REAL float
#define NETC_KERNEL(Id, Params)                                                \
  {"netc_" #Id, "netc_" #Id "_f64", detail::countArgs(&netc_##Id)},
#include "netc/Kernels.def"
#undef NETC_REAL
};

inline constexpr const RuntimeKernelInfo &info(RuntimeKernel k) {
  return kRuntimeKernels[static_cast<std::size_t>(k)];
}

} // namespace netc::abi

#endif // NETC_KERNELTABLE_H
