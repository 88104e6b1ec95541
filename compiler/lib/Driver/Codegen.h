//===- Codegen.h - LLVM -O3, parallel codegen, the object cache -*- C++ -*-===//
#ifndef NETC_DRIVER_CODEGEN_H
#define NETC_DRIVER_CODEGEN_H

#include "netc/Driver/Compile.h"

#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

namespace netc {

/// Seconds per phase of a build, printed by `netc build --time-phases`.
class PhaseTimes {
public:
  explicit PhaseTimes(bool enabled) : enabled(enabled) { restart(); }
  /// Starts timing the next phase.
  void restart() { begin = std::chrono::steady_clock::now(); }
  /// Ends the phase `name` (begun at the last restart or end) and starts
  /// the next.
  void end(const std::string &name);
  /// A line of its own (the cache's verdict), printed with the phases.
  void note(const std::string &line);
  /// The phases and notes, one per line, with the total.
  void print(std::ostream &os) const;
  bool isEnabled() const { return enabled; }

private:
  bool enabled;
  std::chrono::steady_clock::time_point begin;
  std::vector<std::pair<std::string, double>> phases;
  std::vector<std::string> notes;
};

/// Sets the target triple, data layout, CPU and features on `m` and runs
/// LLVM's MergeFunctions (identical layer nests and steps compiled once)
/// and then the -O3 module pipeline.
void optimizeModule(llvm::Module &m, llvm::TargetMachine &tm);

/// Writes `m` as `paths.size()` object files, one per partition of the
/// module (llvm::SplitModule, round robin), generated on as many threads;
/// consumes `m`. False with `err` set when a file cannot be written.
bool emitObjects(std::unique_ptr<llvm::Module> m, const TargetCpu &cpu,
                 const std::vector<std::string> &paths, std::ostream &err);

/// Writes `m` (small: no partitioning) as one object file at `path`.
bool emitObject(llvm::Module &m, llvm::TargetMachine &tm,
                const std::string &path, std::ostream &err);

/// Compiled kernel objects by content: the key hashes the unoptimized
/// LLVM IR, the target (triple, CPU, features) and the netc and LLVM that
/// compile it. Entries are written to a temporary file and renamed, so
/// concurrent builds never see half an object.
class ObjectCache {
public:
  /// The directory from `options` (NETC_CACHE_DIR, $XDG_CACHE_HOME/netc or
  /// ~/.cache/netc); disabled by `options.cache == false`, NETC_CACHE=0 or
  /// a directory that cannot be created.
  explicit ObjectCache(const BuildOptions &options);
  bool isEnabled() const { return !dir.empty(); }
  const std::string &directory() const { return dir; }
  /// The key of `m` compiled for `cpu` into `parts` objects.
  std::string key(const llvm::Module &m, const TargetCpu &cpu,
                  unsigned parts) const;
  /// The cache's paths of the `parts` objects of `key`.
  std::vector<std::string> paths(const std::string &key, unsigned parts) const;
  /// Fresh, unique paths in the cache's directory to write the objects of
  /// `key` to before `store` renames them into place.
  std::vector<std::string> temporaries(const std::string &key,
                                       unsigned parts) const;
  /// Whether every object of `key` is present.
  bool has(const std::string &key, unsigned parts) const;
  /// Moves the freshly written `objects` into the cache under `key`; on
  /// success `objects` names the cache's copies.
  bool store(const std::string &key, std::vector<std::string> &objects) const;

private:
  std::string dir;
};

} // namespace netc

#endif
