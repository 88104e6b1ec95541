//===- Diagnostics.cpp - clang-style error reporting ----------------------===//

#include "netc/Frontend/Diagnostics.h"

#include <algorithm>
#include <ostream>
#include <sstream>

namespace netc {

Diagnostics::Diagnostics(std::string file, std::string source, std::ostream &os)
    : fileName(std::move(file)), os(os) {
  std::istringstream in(source);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    lines.push_back(line);
  }
}

void Diagnostics::emit(SourceLoc loc, const char *severity,
                       const std::string &msg) {
  if (loc.line <= 0) {
    os << fileName << ": " << severity << ": " << msg << "\n";
    return;
  }
  os << fileName << ":" << loc.line << ":" << loc.col << ": " << severity
     << ": " << msg << "\n";
  if (loc.line > (int)lines.size())
    return;
  const std::string &src = lines[loc.line - 1];
  os << src << "\n";
  // Keep tabs so the caret lines up with the source line in a terminal.
  std::string caret;
  for (int i = 0; i + 1 < loc.col && i < (int)src.size(); ++i)
    caret += src[i] == '\t' ? '\t' : ' ';
  os << caret << "^\n";
}

void Diagnostics::error(SourceLoc loc, const std::string &msg) {
  ++reports;
  if (!seen.insert({{loc.line, loc.col}, msg}).second)
    return;
  ++errors;
  emit(loc, "error", msg);
}

void Diagnostics::note(SourceLoc loc, const std::string &msg) {
  emit(loc, "note", msg);
}

void Diagnostics::error(const std::string &msg) {
  ++reports;
  if (!seen.insert({{0, 0}, msg}).second)
    return;
  ++errors;
  os << "error: " << msg << "\n";
}

size_t editDistance(const std::string &a, const std::string &b) {
  // Optimal string alignment: Levenshtein plus adjacent transpositions, so
  // the common typo `adma` is one edit from `adam`.
  size_t n = a.size(), m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i)
    d[i][0] = i;
  for (size_t j = 0; j <= m; ++j)
    d[0][j] = j;
  for (size_t i = 1; i <= n; ++i)
    for (size_t j = 1; j <= m; ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] =
          std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

std::string closestName(const std::string &name,
                        const std::vector<std::string> &candidates) {
  std::string best;
  size_t bestDist = std::max<size_t>(2, name.size() / 3) + 1;
  for (const std::string &c : candidates) {
    size_t d = editDistance(name, c);
    if (d < bestDist) {
      bestDist = d;
      best = c;
    }
  }
  return best;
}

std::string didYouMean(const std::string &name,
                       const std::vector<std::string> &candidates) {
  std::string best = closestName(name, candidates);
  return best.empty() ? "" : "; did you mean '" + best + "'?";
}

} // namespace netc
