//===- Link.cpp - Object + runtime -> standalone program ------------------===//
//
// The runtime libraries are found next to the netc binary (bin/netc ->
// lib/libnetc_runtime*.a), so a build tree and an installed tree both work.
// The system C++ compiler drives the link: it knows where libstdc++ and
// OpenMP live. A cuda program also links libnetc_runtime_cuda.a (whole:
// its device backend registers itself from a static initializer), cuDNN
// and cuBLAS from the toolkit netc was built with (docs/design.md, "The
// cuda target (compiler)").
//
//===----------------------------------------------------------------------===//
#include "netc/Driver/Compile.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

using namespace netc;

static std::string findRuntimeDir() {
  std::string exe =
      llvm::sys::fs::getMainExecutable(nullptr, (void *)&findRuntimeDir);
  llvm::SmallString<256> dir(llvm::sys::path::parent_path(exe));
  llvm::sys::path::append(dir, "..", "lib");
  return std::string(dir);
}

/// Resolved at startup: a long compilation may outlive the netc binary it
/// started from (a rebuild replaces it), after which /proc/self/exe no
/// longer names an existing file.
static const std::string runtimeLibDir = findRuntimeDir();

bool netc::checkOutputPath(const std::string &output, std::ostream &err) {
  auto refuse = [&](const std::string &why) {
    err << "netc: error: cannot write the program to '" << output
        << "': " << why << "\n";
    return false;
  };
  if (llvm::sys::fs::is_directory(output))
    return refuse("it is a directory (-o names the program file)");
  llvm::StringRef parent = llvm::sys::path::parent_path(output);
  const std::string dir = parent.empty() ? "." : parent.str();
  if (!llvm::sys::fs::exists(dir))
    return refuse("no such directory '" + dir + "'");
  if (!llvm::sys::fs::is_directory(dir))
    return refuse("'" + dir + "' is not a directory");
  if (llvm::sys::fs::access(dir, llvm::sys::fs::AccessMode::Write))
    return refuse("the directory '" + dir + "' is not writable");
  if (llvm::sys::fs::exists(output) &&
      llvm::sys::fs::access(output, llvm::sys::fs::AccessMode::Write))
    return refuse("the file is not writable");
  return true;
}

/// The arguments that link the cuda runtime, before libnetc_runtime.a; the
/// libraries of the toolkit go after it, from cudaLibraries.
static std::vector<std::string> cudaRuntime(const std::string &lib) {
  return {"-Wl,--whole-archive", lib + "/libnetc_runtime_cuda.a",
          "-Wl,--no-whole-archive"};
}

static std::vector<std::string> cudaLibraries() {
#ifdef NETC_CUDA_LIB_DIR
  return {std::string("-L") + NETC_CUDA_LIB_DIR,
          std::string("-Wl,-rpath,") + NETC_CUDA_LIB_DIR, "-lcudnn", "-lcublas",
          "-ldl"};
#else
  return {};
#endif
}

bool netc::linkProgram(const std::vector<std::string> &objects,
                       const std::string &output, std::ostream &err,
                       Target target) {
  const std::string &lib = runtimeLibDir;
  std::string mainLib = lib + "/libnetc_runtime_main.a";
  std::string runtimeLib = lib + "/libnetc_runtime.a";
  std::vector<std::string> required{mainLib, runtimeLib};
  bool cuda = target == Target::Cuda;
  if (cuda)
    required.push_back(lib + "/libnetc_runtime_cuda.a");
  for (const std::string &f : required)
    if (!llvm::sys::fs::exists(f)) {
      err << "error: runtime library '" << f << "' not found\n";
      return false;
    }
  auto linker = llvm::sys::findProgramByName(NETC_DEFAULT_LINKER);
  if (!linker) {
    err << "error: no C++ compiler '" << NETC_DEFAULT_LINKER
        << "' on PATH to link with\n";
    return false;
  }
  // The image decoders are referenced weakly by the runtime (a program that
  // reads no images needs neither library), so they must be linked even
  // though --as-needed sees no strong reference.
  std::vector<llvm::StringRef> args{*linker, "-o", output};
  args.insert(args.end(), objects.begin(), objects.end());
  args.push_back(mainLib);
  std::vector<std::string> before, after;
  if (cuda)
    before = cudaRuntime(lib), after = cudaLibraries();
  args.insert(args.end(), before.begin(), before.end());
  for (llvm::StringRef a : std::initializer_list<llvm::StringRef>{
           runtimeLib, "-ldnnl", "-lz", "-Wl,--no-as-needed", "-ljpeg", "-lpng",
           "-Wl,--as-needed", "-fopenmp", "-lpthread", "-lm"})
    args.push_back(a);
  args.insert(args.end(), after.begin(), after.end());
  llvm::SmallVector<llvm::StringRef> mpi;
  llvm::StringRef(NETC_LINK_MPI).split(mpi, ' ', -1, false);
  args.insert(args.end(), mpi.begin(), mpi.end());
#ifdef NETC_LINK_SANITIZE
  // Space-separated sanitizer flags of this netc's own build.
  llvm::SmallVector<llvm::StringRef> sanitize;
  llvm::StringRef(NETC_LINK_SANITIZE).split(sanitize, ' ', -1, false);
  args.insert(args.end(), sanitize.begin(), sanitize.end());
#endif
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(*linker, args, std::nullopt, {}, 0, 0,
                                     &message);
  if (rc != 0) {
    err << "error: linking '" << output << "' failed"
        << (message.empty() ? "" : ": " + message) << "\n";
    return false;
  }
  return true;
}
