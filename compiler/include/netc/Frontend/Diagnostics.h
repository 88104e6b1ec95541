//===- Diagnostics.h - clang-style error reporting --------------*- C++ -*-===//
//
// `FILE:LINE:COL: error: MESSAGE`, then the source line and a caret under the
// column. Errors are printed as they are reported so that a run shows all of
// them; identical (location, message) pairs are printed once, because a
// network instantiated twice would otherwise repeat its errors.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_FRONTEND_DIAGNOSTICS_H
#define NETC_FRONTEND_DIAGNOSTICS_H

#include "netc/Frontend/Program.h"

#include <iosfwd>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace netc {

class Diagnostics {
public:
  Diagnostics(std::string file, std::string source, std::ostream &os);

  void error(SourceLoc loc, const std::string &msg);
  /// A note attached to the previous error (same format, `note:`); not
  /// printed when that error was a repeat.
  void note(SourceLoc loc, const std::string &msg);
  /// An error with no location (`error: MESSAGE`).
  void error(const std::string &msg);
  /// A warning: printed like an error (`warning:`), once per (location,
  /// message) like errors, and counted apart (errorCount() and
  /// reportCount() do not change, so a warning fails nothing).
  void warning(SourceLoc loc, const std::string &msg);
  int warningCount() const { return warnings; }

  /// Names a second text, such as a command-line argument parsed with the
  /// language's rules: locations from line `firstLine()` on are shown as
  /// `NAME:LINE:COL` within it (its first line is 1). Returns firstLine().
  int addText(const std::string &name, const std::string &text);

  int errorCount() const { return errors; }
  /// Errors reported including repeats that were not printed again: tells a
  /// caller whether its own work failed even when the message was a repeat.
  int reportCount() const { return reports; }
  bool hasErrors() const { return errors != 0; }
  const std::string &file() const { return fileName; }

private:
  void emit(SourceLoc loc, const char *severity, const std::string &msg);

  std::string fileName;
  std::vector<std::string> lines;
  std::ostream &os;
  int errors = 0;
  int reports = 0;
  int warnings = 0;
  bool repeated = false; // the last error was a repeat
  std::set<std::pair<std::pair<int, int>, std::string>> seen;
  // addText(): the text's name and the line its first line is given.
  std::string textName;
  int textLine = 0;
};

/// Length in bytes of the well-formed UTF-8 sequence that starts at s[i]
/// (1 to 4), or 0 where it is not one: a stray continuation byte, a
/// truncated sequence, an overlong form, a surrogate or a code point beyond
/// U+10FFFF.
size_t utf8Length(const std::string &s, size_t i);

/// Edit distance (with transpositions), for "did you mean" suggestions.
size_t editDistance(const std::string &a, const std::string &b);

/// The candidate closest to `name`, or "" when none is close enough to be a
/// plausible typo (distance at most max(2, len/3)).
std::string closestName(const std::string &name,
                        const std::vector<std::string> &candidates);

/// "; did you mean 'X'?" or "".
std::string didYouMean(const std::string &name,
                       const std::vector<std::string> &candidates);

} // namespace netc

#endif
