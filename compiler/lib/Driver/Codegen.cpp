//===- Codegen.cpp - LLVM -O3, parallel codegen, the object cache ---------===//
//
// The back half of `netc build`: the kernels' LLVM module is optimized once
// (MergeFunctions first, so that the identical loop nests and steps of
// kernels that differ only in their optimizer are optimized and generated
// once), split into partitions that are turned into machine code on threads
// of their own, and the objects are kept in a cache keyed by the module's
// content, so that a program that changes only what the plan holds
// (hyper-parameters, epochs, data) recompiles nothing.
//
//===----------------------------------------------------------------------===//
#include "Codegen.h"
#include "Target.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/BLAKE3.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Transforms/IPO/MergeFunctions.h"
#include "llvm/Transforms/Utils/SplitModule.h"

#include <cstdio>
#include <iomanip>
#include <sstream>
#include <thread>

using namespace netc;

void PhaseTimes::end(const std::string &name) {
  auto now = std::chrono::steady_clock::now();
  phases.push_back({name, std::chrono::duration<double>(now - begin).count()});
  begin = now;
}

void PhaseTimes::note(const std::string &line) { notes.push_back(line); }

void PhaseTimes::print(std::ostream &os) const {
  if (!enabled)
    return;
  double total = 0;
  std::ostringstream text;
  text << std::fixed << std::setprecision(3);
  for (const auto &[name, seconds] : phases) {
    text << "netc: time " << std::left << std::setw(14) << name << std::right
         << std::setw(9) << seconds << " s\n";
    total += seconds;
  }
  text << "netc: time " << std::left << std::setw(14) << "total" << std::right
       << std::setw(9) << total << " s\n";
  for (const std::string &n : notes)
    text << "netc: " << n << "\n";
  os << text.str();
}

void netc::optimizeModule(llvm::Module &m, llvm::TargetMachine &tm) {
  m.setDataLayout(tm.createDataLayout());
  m.setTargetTriple(tm.getTargetTriple().str());
  for (llvm::Function &f : m)
    if (!f.isDeclaration()) {
      f.addFnAttr("target-cpu", tm.getTargetCPU());
      f.addFnAttr("target-features", tm.getTargetFeatureString());
      // Outlined nests and parallel bodies are private and never compared
      // by address (their pointers only reach netc_parallel_for), so
      // MergeFunctions may replace every use of a duplicate, pointer uses
      // included, and the callers then become identical too.
      if (f.hasLocalLinkage())
        f.setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
    }
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm;
  mpm.addPass(llvm::MergeFunctionsPass());
  mpm.addPass(pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3));
  mpm.run(m, mam);
}

bool netc::emitObject(llvm::Module &m, llvm::TargetMachine &tm,
                      const std::string &path, std::ostream &err) {
  std::error_code ec;
  llvm::raw_fd_ostream file(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    err << "error: cannot write '" << path << "': " << ec.message() << "\n";
    return false;
  }
  llvm::legacy::PassManager codegen;
  if (tm.addPassesToEmitFile(codegen, file, nullptr,
                             llvm::CodeGenFileType::ObjectFile)) {
    err << "error: this target cannot emit object files\n";
    return false;
  }
  codegen.run(m);
  file.flush();
  return !file.has_error();
}

namespace {

/// One partition's codegen, on its own thread: its own LLVMContext (a
/// context is not shared between threads), read back from bitcode.
struct Partition {
  llvm::SmallVector<char, 0> bitcode;
  std::unique_ptr<llvm::TargetMachine> tm;
  std::string path;
  std::ostringstream err;
  bool ok = false;

  void run() {
    llvm::LLVMContext ctx;
    llvm::StringRef text(bitcode.data(), bitcode.size());
    auto m = llvm::parseBitcodeFile(llvm::MemoryBufferRef(text, path), ctx);
    if (!m) {
      err << "error: internal: partition of '" << path
          << "' unreadable: " << llvm::toString(m.takeError()) << "\n";
      return;
    }
    ok = emitObject(**m, *tm, path, err);
  }
};

} // namespace

bool netc::emitObjects(std::unique_ptr<llvm::Module> m, const TargetCpu &cpu,
                       const std::vector<std::string> &paths,
                       std::ostream &err) {
  std::vector<std::unique_ptr<Partition>> parts;
  llvm::SplitModule(
      *m, paths.size(),
      [&](std::unique_ptr<llvm::Module> part) {
        auto p = std::make_unique<Partition>();
        llvm::raw_svector_ostream os(p->bitcode);
        llvm::WriteBitcodeToFile(*part, os);
        parts.push_back(std::move(p));
      },
      /*PreserveLocals=*/false, /*RoundRobin=*/true);
  m.reset();
  std::string error;
  for (size_t i = 0; i < parts.size(); ++i) {
    parts[i]->path = paths[i];
    // Created here: the target registry is initialized on this thread.
    parts[i]->tm = createTargetMachine(cpu, error);
    if (!parts[i]->tm) {
      err << "error: no target for CPU '" << cpu.name << "': " << error << "\n";
      return false;
    }
  }
  std::vector<std::thread> threads;
  for (auto &p : parts)
    threads.emplace_back([&p] { p->run(); });
  bool ok = true;
  for (size_t i = 0; i < threads.size(); ++i) {
    threads[i].join();
    err << parts[i]->err.str();
    ok &= parts[i]->ok;
  }
  return ok;
}

namespace {

/// The environment variable `name`, or "".
std::string env(const char *name) {
  std::optional<std::string> v = llvm::sys::Process::GetEnv(name);
  return v ? *v : "";
}

std::string defaultCacheDir() {
  if (std::string d = env("NETC_CACHE_DIR"); !d.empty())
    return d;
  llvm::SmallString<256> dir;
  if (std::string x = env("XDG_CACHE_HOME"); !x.empty())
    dir = x;
  else if (std::string h = env("HOME"); !h.empty())
    llvm::sys::path::append(dir, h, ".cache");
  else
    return "";
  llvm::sys::path::append(dir, "netc");
  return std::string(dir);
}

/// A hash of the running netc executable (its code generator and passes):
/// a rebuilt netc never reuses another netc's objects. Empty if unreadable.
std::string compilerIdentity() {
  static const std::string identity = [] {
    std::string exe =
        llvm::sys::fs::getMainExecutable(nullptr, (void *)&compilerIdentity);
    auto buffer = llvm::MemoryBuffer::getFile(exe);
    if (!buffer)
      return std::string();
    auto hash = llvm::BLAKE3::hash<16>(
        llvm::arrayRefFromStringRef((*buffer)->getBuffer()));
    return llvm::toHex(hash, /*LowerCase=*/true);
  }();
  return identity;
}

} // namespace

ObjectCache::ObjectCache(const BuildOptions &options) {
  if (!options.cache || env("NETC_CACHE") == "0" || compilerIdentity().empty())
    return;
  std::string d =
      options.cacheDir.empty() ? defaultCacheDir() : options.cacheDir;
  if (d.empty() || llvm::sys::fs::create_directories(d))
    return;
  dir = d;
}

std::string ObjectCache::key(const llvm::Module &m, const TargetCpu &cpu,
                             unsigned parts) const {
  llvm::SmallVector<char, 0> bitcode;
  llvm::raw_svector_ostream os(bitcode);
  llvm::WriteBitcodeToFile(m, os);
  llvm::BLAKE3 hasher;
  auto field = [&](llvm::StringRef s) {
    hasher.update(s);
    hasher.update(llvm::StringRef("\0", 1));
  };
  field(llvm::StringRef(bitcode.data(), bitcode.size()));
  field(m.getTargetTriple());
  field(cpu.name);
  field(cpu.featureString);
  for (const std::string &f : cpu.features)
    field(f);
  field(LLVM_VERSION_STRING);
  field(compilerIdentity());
  field(std::to_string(parts));
  return llvm::toHex(hasher.final<20>(), /*LowerCase=*/true);
}

std::vector<std::string> ObjectCache::paths(const std::string &key,
                                            unsigned parts) const {
  std::vector<std::string> result;
  for (unsigned i = 0; i < parts; ++i) {
    llvm::SmallString<256> p(dir);
    llvm::sys::path::append(p, key + "." + std::to_string(i) + ".o");
    result.push_back(std::string(p));
  }
  return result;
}

std::vector<std::string> ObjectCache::temporaries(const std::string &key,
                                                  unsigned parts) const {
  std::vector<std::string> result;
  for (unsigned i = 0; i < parts; ++i) {
    llvm::SmallString<256> model(dir), path;
    llvm::sys::path::append(model,
                            key + "." + std::to_string(i) + ".tmp-%%%%%%%%");
    llvm::sys::fs::createUniquePath(model, path, /*MakeAbsolute=*/false);
    result.push_back(std::string(path));
  }
  return result;
}

bool ObjectCache::has(const std::string &key, unsigned parts) const {
  for (const std::string &p : paths(key, parts))
    if (!llvm::sys::fs::exists(p))
      return false;
  return true;
}

bool ObjectCache::store(const std::string &key,
                        std::vector<std::string> &objects) const {
  std::vector<std::string> final = paths(key, objects.size());
  for (size_t i = 0; i < objects.size(); ++i)
    if (llvm::sys::fs::rename(objects[i], final[i]))
      return false;
  objects = final;
  return true;
}
