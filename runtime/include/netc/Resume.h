//===- Resume.h - Reading back results.json for --resume -------*- C++ -*-===//
//
// results.json is rewritten atomically after every finished run, so after an
// interruption it holds exactly the runs that finished. --resume reads them
// back and the runner skips each run whose loop values, fold and seed match
// one of them, reusing its record (history, test result, report cells), so
// the final files and table equal those of an uninterrupted run.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_RESUME_H
#define NETC_RESUME_H

#include "netc/Results.h"

#include <string>
#include <vector>

namespace netc::rt {

/// The finished runs recorded in `path` (a results.json of experiment
/// `experiment`). A missing file gives no runs; a malformed one, or one of
/// another experiment, throws DataError naming the file.
std::vector<RunRecord> readFinishedRuns(const std::string &path,
                                        const std::string &experiment);

/// A run as runRecordJson (netc/Results.h) writes it. Throws
/// nlohmann::json::exception or std::invalid_argument when malformed.
RunRecord runRecordFromJson(const nlohmann::ordered_json &run);

/// Whether `done` is the record of the run with these loop values, fold and
/// seed.
bool sameRun(const RunRecord &done, const nlohmann::json &params, int64_t fold,
             uint64_t seed);

} // namespace netc::rt

#endif // NETC_RESUME_H
