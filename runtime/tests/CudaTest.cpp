// The cuda target's runtime (runtime/lib/cuda). Without a driver (CI): the
// backend is registered and its initialization fails with the clear reason,
// no crash (no libcuda.so.1, an old one, a driver that finds no device:
// FakeCudaDriver.cpp); with the stand-in driver's fake device: devices
// without the managed memory the runtime needs are refused, the device's
// memory is read, a failed synchronization names the last kernel launched.
// On a GPU machine (skipped elsewhere): every netc_cuda_*
// kernel against the CPU kernel netc_* on random data -- convolutions with
// stride 2 'same' padding (asymmetric pads), max and average pooling, matrix
// products with every transposition -- within 1e-4 relative.
#include "../lib/cuda/Backend.h"
#include "../lib/cuda/Driver.h"
#include "netc/Abi.h"
#include "netc/AlignedBuffer.h"
#include "netc/CudaAbi.h"
#include "netc/Device.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <random>

using namespace netc::rt;

// Mgpu.cpp's entry points (MLIR's host code calls them).
extern "C" {
CUmodule mgpuModuleLoad(void *data, size_t size);
CUfunction mgpuModuleGetFunction(CUmodule module, const char *name);
void mgpuLaunchKernel(CUfunction function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, CUstream stream,
                      void **params, void **extra, size_t paramsCount);
CUstream mgpuStreamCreate();
void mgpuStreamSynchronize(CUstream stream);
}

namespace {

/// The stand-in driver (FakeCudaDriver.cpp): NETC_FAKE_CUDA_DRIVER in the
/// environment (scripts/gpu_check.sh's bundle), else the build's.
const char *fakeDriver() {
  const char *path = std::getenv("NETC_FAKE_CUDA_DRIVER");
  return path && *path ? path : NETC_FAKE_CUDA_DRIVER;
}

/// The stand-in driver shows its fake device while one of these lives.
struct FakeDevice {
  explicit FakeDevice(const char *managed = "1", const char *concurrent = "1") {
    setenv("NETC_FAKE_CUDA", "device", 1);
    setenv("NETC_FAKE_CUDA_MANAGED", managed, 1);
    setenv("NETC_FAKE_CUDA_CONCURRENT", concurrent, 1);
  }
  ~FakeDevice() {
    unsetenv("NETC_FAKE_CUDA");
    unsetenv("NETC_FAKE_CUDA_MANAGED");
    unsetenv("NETC_FAKE_CUDA_CONCURRENT");
  }
};

bool driverInstalled() {
  void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (lib)
    dlclose(lib);
  return lib != nullptr;
}

/// The cuda backend, activated once for the process, or the reason not.
const std::string &deviceProblem() {
  static const std::string problem = [] {
    std::string reason;
    return device::activate("cuda", reason) ? std::string() : reason;
  }();
  return problem;
}

#define NEED_DEVICE()                                                          \
  if (!deviceProblem().empty())                                                \
  GTEST_SKIP() << "no device: " << deviceProblem()

AlignedBuffer randomBuffer(int64_t count, unsigned seed) {
  AlignedBuffer b(count);
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (int64_t i = 0; i < count; ++i)
    b[i] = u(gen);
  return b;
}

/// max |got - want| / max |want| (0 when both are all zero).
double relativeError(const AlignedBuffer &got, const AlignedBuffer &want) {
  double diff = 0, scale = 0;
  for (int64_t i = 0; i < want.size(); ++i) {
    diff = std::max(diff, double(std::fabs(got[i] - want[i])));
    scale = std::max(scale, double(std::fabs(want[i])));
  }
  return scale > 0 ? diff / scale : diff;
}

struct Conv {
  int64_t n, h, w, c, kh, kw, oc, sh, sw, pt, pb, pl, pr;
  int64_t oh() const { return (h + pt + pb - kh) / sh + 1; }
  int64_t ow() const { return (w + pl + pr - kw) / sw + 1; }
};

void checkConv(const Conv &s) {
  const int64_t oh = s.oh(), ow = s.ow();
  AlignedBuffer x = randomBuffer(s.n * s.h * s.w * s.c, 1),
                w = randomBuffer(s.kh * s.kw * s.c * s.oc, 2),
                dy = randomBuffer(s.n * oh * ow * s.oc, 3);
  AlignedBuffer y(dy.size()), yRef(dy.size()), dx(x.size()), dxRef(x.size()),
      dw(w.size()), dwRef(w.size());
#define DIMS                                                                   \
  s.n, s.h, s.w, s.c, s.kh, s.kw, s.oc, s.sh, s.sw, s.pt, s.pb, s.pl, s.pr,    \
      oh, ow
  netc_conv2d_fwd(x.get(), w.get(), yRef.get(), DIMS);
  netc_cuda_conv2d_fwd(x.get(), w.get(), y.get(), DIMS);
  EXPECT_LE(relativeError(y, yRef), 1e-4) << "forward";
  netc_conv2d_bwd_data(dy.get(), w.get(), dxRef.get(), DIMS);
  netc_cuda_conv2d_bwd_data(dy.get(), w.get(), dx.get(), DIMS);
  EXPECT_LE(relativeError(dx, dxRef), 1e-4) << "backward data";
  netc_conv2d_bwd_weights(x.get(), dy.get(), dwRef.get(), DIMS);
  netc_cuda_conv2d_bwd_weights(x.get(), dy.get(), dw.get(), DIMS);
  EXPECT_LE(relativeError(dw, dwRef), 1e-4) << "backward weights";
#undef DIMS
}

struct Pool {
  int64_t kind, n, h, w, c, kh, kw, sh, sw, pt, pb, pl, pr;
  int64_t oh() const { return (h + pt + pb - kh) / sh + 1; }
  int64_t ow() const { return (w + pl + pr - kw) / sw + 1; }
};

void checkPool(const Pool &s, const AlignedBuffer &x) {
  const int64_t oh = s.oh(), ow = s.ow();
  AlignedBuffer dy = randomBuffer(s.n * oh * ow * s.c, 5);
  AlignedBuffer y(dy.size()), yRef(dy.size()), dx(x.size()), dxRef(x.size());
#define DIMS                                                                   \
  s.n, s.h, s.w, s.c, s.kh, s.kw, s.sh, s.sw, s.pt, s.pb, s.pl, s.pr, oh, ow
  netc_pool_fwd(s.kind, x.get(), yRef.get(), DIMS);
  netc_cuda_pool_fwd(s.kind, x.get(), y.get(), DIMS);
  EXPECT_LE(relativeError(y, yRef), 1e-4) << "forward, kind " << s.kind;
  netc_pool_bwd(s.kind, x.get(), dy.get(), dxRef.get(), DIMS);
  netc_cuda_pool_bwd(s.kind, x.get(), dy.get(), dx.get(), DIMS);
  EXPECT_LE(relativeError(dx, dxRef), 1e-4) << "backward, kind " << s.kind;
#undef DIMS
}

void checkPool(const Pool &s) {
  checkPool(s, randomBuffer(s.n * s.h * s.w * s.c, 4));
}

} // namespace

TEST(Cuda, BackendIsRegistered) {
  const device::Backend *registered = device::findBackend("cuda");
  ASSERT_NE(registered, nullptr);
  EXPECT_EQ(registered->init, cuda::backend().init);
  EXPECT_EQ(registered->allocate, cuda::backend().allocate);
  EXPECT_STREQ(cuda::backend().name, "cuda");
}

// initDriver is idempotent once a device is up: these run before.
#define BEFORE_DEVICE()                                                        \
  if (device::active())                                                        \
  GTEST_SKIP() << "the device is already initialized"

TEST(Cuda, MissingDriverIsReportedClearly) {
  BEFORE_DEVICE();
  std::string reason;
  EXPECT_FALSE(cuda::initDriver(reason, "libcuda-not-installed.so.1"));
  EXPECT_EQ(reason, "no CUDA driver (libcuda-not-installed.so.1) on this "
                    "machine");
}

TEST(Cuda, OldDriverIsReportedClearly) {
  BEFORE_DEVICE();
  std::string reason;
  EXPECT_FALSE(cuda::initDriver(reason, "libz.so.1")); // no cu* at all
  EXPECT_EQ(reason, "the CUDA driver (libz.so.1) lacks cuInit: it is older "
                    "than CUDA 13 needs");
}

TEST(Cuda, NoDeviceIsReportedClearly) {
  BEFORE_DEVICE();
  std::string reason;
  EXPECT_FALSE(cuda::initDriver(reason, fakeDriver()));
  EXPECT_EQ(reason, "no CUDA device (cuInit: CUDA_ERROR_NO_DEVICE (no "
                    "CUDA-capable device is detected))");
}

TEST(Cuda, DeviceWithoutManagedMemoryIsRefused) {
  BEFORE_DEVICE();
  FakeDevice fake(/*managed=*/"0");
  std::string reason;
  EXPECT_FALSE(cuda::initDriver(reason, fakeDriver()));
  EXPECT_EQ(reason, "device 0 (Fake GPU) has no managed memory "
                    "(CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY is 0), which every "
                    "buffer of a netc program uses");
}

TEST(Cuda, DeviceWithoutConcurrentManagedAccessIsRefused) {
  BEFORE_DEVICE();
  FakeDevice fake(/*managed=*/"1", /*concurrent=*/"0");
  std::string reason;
  EXPECT_FALSE(cuda::initDriver(reason, fakeDriver()));
  EXPECT_EQ(reason,
            "device 0 (Fake GPU) cannot share managed memory with the host "
            "while kernels run (CU_DEVICE_ATTRIBUTE_CONCURRENT_MANAGED_ACCESS "
            "is 0: Windows, WSL or a GPU older than Pascal); the data loader "
            "writes the next batch during a step");
}

// The fake device initializes: in a child process (a death test), so that
// this process's driver (a real one on a GPU machine) stays as it is.
TEST(Cuda, DeviceMemoryIsReadAtInit) {
  EXPECT_EXIT(
      {
        FakeDevice fake;
        setenv("NETC_FAKE_CUDA_MEMORY", "123456789", 1);
        cuda::resetDriverForTests();
        std::string reason;
        if (!cuda::initDriver(reason, fakeDriver())) {
          std::fprintf(stderr, "init failed: %s\n", reason.c_str());
          std::_Exit(1);
        }
        std::fprintf(stderr, "device %s, %zu bytes\n",
                     cuda::driver().deviceName.c_str(),
                     cuda::driver().totalMemory);
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(0), "device Fake GPU, 123456789 bytes");
}

// An illegal address in a kernel shows at the next synchronization: the
// message names the kernel launched last.
TEST(Cuda, FailedSynchronizationNamesTheLastKernel) {
  EXPECT_DEATH(
      {
        FakeDevice fake;
        cuda::resetDriverForTests();
        std::string reason;
        if (!cuda::initDriver(reason, fakeDriver()))
          std::_Exit(1);
        static char blob[] = "a module";
        CUmodule m = mgpuModuleLoad(blob, sizeof blob);
        CUfunction f = mgpuModuleGetFunction(m, "k0_train_kernel_53");
        mgpuLaunchKernel(f, 1, 1, 1, 32, 1, 1, 0, mgpuStreamCreate(), nullptr,
                         nullptr, 0);
        mgpuStreamSynchronize(mgpuStreamCreate());
      },
      "netc runtime: CUDA error: .*cuStreamSynchronize\\(stream\\): "
      "CUDA_ERROR_ILLEGAL_ADDRESS \\(an illegal memory access was "
      "encountered\\); the last kernel launched was k0_train_kernel_53");
}

TEST(Cuda, ActivationWithoutDriverFailsWithoutCrashing) {
  if (driverInstalled())
    GTEST_SKIP() << "this machine has a CUDA driver";
  std::string reason;
  EXPECT_FALSE(device::activate("cuda", reason));
  EXPECT_EQ(reason, "no CUDA driver (libcuda.so.1) on this machine");
  EXPECT_EQ(device::active(), nullptr);
  AlignedBuffer stillHostMemory(16); // the allocator hooks stay plain
  stillHostMemory[15] = 1.0f;
}

TEST(Cuda, DeviceHasAName) {
  NEED_DEVICE();
  EXPECT_FALSE(device::active()->deviceName().empty());
}

TEST(Cuda, ConvolutionsMatchTheCpu) {
  NEED_DEVICE();
  checkConv({2, 9, 9, 3, 3, 3, 4, 1, 1, 1, 1, 1, 1});   // 'same', stride 1
  checkConv({2, 8, 8, 3, 3, 3, 5, 2, 2, 0, 1, 0, 1});   // 'same', stride 2
  checkConv({3, 11, 7, 4, 3, 3, 6, 2, 2, 1, 1, 0, 1});  // mixed
  checkConv({4, 12, 12, 1, 5, 5, 6, 1, 1, 0, 0, 0, 0}); // LeNet's first
  checkConv({2, 7, 7, 8, 2, 2, 16, 2, 2, 0, 0, 0, 0});  // unused last row
  checkConv({2, 16, 16, 64, 3, 3, 32, 1, 1, 1, 1, 1, 1});
}

TEST(Cuda, PoolingMatchesTheCpu) {
  NEED_DEVICE();
  for (int64_t kind : {0, 1}) {
    checkPool({kind, 2, 8, 8, 3, 2, 2, 2, 2, 0, 0, 0, 0});
    checkPool({kind, 2, 8, 8, 3, 3, 3, 2, 2, 0, 1, 0, 1}); // 'same' stride 2
    checkPool({kind, 2, 7, 7, 5, 2, 2, 2, 2, 0, 1, 0, 1});
    checkPool({kind, 2, 9, 9, 4, 3, 3, 1, 1, 1, 1, 1, 1}); // 'same' stride 1
    checkPool({kind, 3, 6, 10, 2, 3, 3, 2, 2, 1, 1, 0, 1});
  }
}

// netc_pool_bwd routes dy to the first maximum of a window; all-equal
// windows show what cuDNN does with ties.
TEST(Cuda, MaxPoolingTiesGoToTheFirstMaximum) {
  NEED_DEVICE();
  AlignedBuffer ones(2 * 8 * 8 * 3);
  for (int64_t i = 0; i < ones.size(); ++i)
    ones[i] = 1.0f;
  checkPool({0, 2, 8, 8, 3, 2, 2, 2, 2, 0, 0, 0, 0}, ones);
  checkPool({0, 2, 8, 8, 3, 3, 3, 2, 2, 0, 1, 0, 1}, ones);
}

TEST(Cuda, MatrixProductsMatchTheCpu) {
  NEED_DEVICE();
  for (auto [m, n, k] : {std::array<int64_t, 3>{5, 7, 3},
                         {64, 33, 129},
                         {1, 10, 800},
                         {32, 1, 1}})
    for (int64_t ta : {0, 1})
      for (int64_t tb : {0, 1}) {
        AlignedBuffer a = randomBuffer(m * k, 7), b = randomBuffer(k * n, 8);
        AlignedBuffer c(m * n), ref(m * n);
        netc_matmul(a.get(), b.get(), ref.get(), m, n, k, ta, tb);
        netc_cuda_matmul(a.get(), b.get(), c.get(), m, n, k, ta, tb);
        EXPECT_LE(relativeError(c, ref), 1e-4)
            << m << "x" << n << "x" << k << " transA " << ta << " transB "
            << tb;
      }
}

TEST(Cuda, DataParallelHooksAreNoOpsAlone) {
  NEED_DEVICE();
  AlignedBuffer g = randomBuffer(100, 9), before = randomBuffer(100, 9);
  netc_cuda_grad_allreduce(g.get(), g.size(), 0, 1);
  netc_cuda_sync_moments(g.get(), g.size());
  EXPECT_EQ(relativeError(g, before), 0.0);
}
