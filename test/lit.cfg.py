# lit configuration for netc's tests: .net and .mlir files under test/.
import os
import shutil
import lit.formats

config.name = "netc"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".net", ".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.netc_obj_root, "test")

path = os.pathsep.join([config.netc_tools_dir, config.llvm_tools_dir,
                        config.environment.get("PATH", os.environ["PATH"])])
config.environment["PATH"] = path
config.environment["OMP_NUM_THREADS"] = os.environ.get("OMP_NUM_THREADS", "2")
# The programs the tests build go to a compile cache inside the build tree,
# not the user's ~/.cache/netc (test/Driver/compile-cache.test uses its own).
config.environment["NETC_CACHE_DIR"] = os.path.join(config.netc_obj_root,
                                                    "test", "netc-cache")
# Sanitizer settings (scripts/sanitize.sh) and oneDNN's ISA limit reach the
# programs that the tests build and run.
for var in ["HOME", "TMPDIR", "ASAN_OPTIONS", "UBSAN_OPTIONS",
            "ASAN_SYMBOLIZER_PATH", "DNNL_MAX_CPU_ISA"]:
    if var in os.environ:
        config.environment[var] = os.environ[var]

config.substitutions.append(("%netc-opt", os.path.join(config.netc_tools_dir, "netc-opt")))
config.substitutions.append(("%netc", os.path.join(config.netc_tools_dir, "netc")))
config.substitutions.append(("%shared", config.shared_dir))
# LLVM's tools and MLIR's runner libraries, from the LLVM that CMake found.
llvm_bin = config.llvm_tools_dir
llvm_lib = config.llvm_libs_dir
config.substitutions.append(("%mlir_cpu_runner", os.path.join(llvm_bin, "mlir-cpu-runner")))
config.substitutions.append(("%mlir_translate", os.path.join(llvm_bin, "mlir-translate")))
config.substitutions.append(("%llc", os.path.join(llvm_bin, "llc")))
config.substitutions.append(("%runner_libs",
    os.path.join(llvm_lib, "libmlir_runner_utils.so") + "," +
    os.path.join(llvm_lib, "libmlir_c_runner_utils.so") + "," +
    # Compiled code allocates through the runtime's step allocator and runs
    # parallel nests through its parallel for.
    os.path.join(config.netc_libs_dir, "libnetc_jit_support.so")))
# The runtime libraries that netc links programs with (bin/../lib).
config.substitutions.append(("%runtime_libdir", config.netc_libs_dir))

# End-to-end tests that need real data sets are skipped where they are absent.
if os.path.exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"):
    config.available_features.add("fashion-mnist")
if os.path.exists(os.path.join(config.shared_dir, "datasets", "mnist")):
    config.available_features.add("mnist")

# Tests of programs run over MPI ranks (mpirun, Open MPI) where it is installed.
import shutil
if shutil.which("mpirun"):
    config.available_features.add("mpi")
    # Two hosts as network namespaces (ranks-two-hosts.test): root, and a
    # kernel and container that let it make them.
    import subprocess
    probe = os.path.join(config.test_source_root, "e2e", "Inputs", "two_hosts.py")
    if (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("ip") and
            subprocess.run(["python3", probe, "--probe"],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL).returncode == 0):
        config.available_features.add("netns")

# netc built with the cuda target (CUDA toolkit, cuBLAS, cuDNN found at
# configure time); `gpu` where a CUDA driver and device are present too.
if config.netc_cuda:
    config.available_features.add("cuda-toolkit")
    import ctypes
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
        count = ctypes.c_int(0)
        if cuda.cuInit(0) == 0 and cuda.cuDeviceGetCount(ctypes.byref(count)) == 0 \
                and count.value > 0:
            config.available_features.add("gpu")
    except OSError:
        pass

# CPU features of the machine running the tests, for tests of programs built
# for another CPU (`netc build --cpu`).
try:
    with open("/proc/cpuinfo") as f:
        flags = next((l.split(":", 1)[1].split() for l in f if l.startswith("flags")), [])
    for flag in ["avx2", "avx512f"]:
        if flag in flags:
            config.available_features.add("cpu-" + flag)
except OSError:
    pass
