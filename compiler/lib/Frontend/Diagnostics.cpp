//===- Diagnostics.cpp - clang-style error reporting ----------------------===//

#include "netc/Frontend/Diagnostics.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
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

size_t utf8Length(const std::string &s, size_t i) {
  unsigned char c = s[i];
  size_t len = c < 0x80             ? 1
               : (c & 0xE0) == 0xC0 ? 2
               : (c & 0xF0) == 0xE0 ? 3
               : (c & 0xF8) == 0xF0 ? 4
                                    : 0;
  if (len == 0 || i + len > s.size())
    return 0;
  uint32_t cp = len == 1 ? c : c & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) {
    unsigned char d = s[i + k];
    if ((d & 0xC0) != 0x80)
      return 0;
    cp = cp << 6 | (d & 0x3F);
  }
  static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < least[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

/// Prints the source line and a caret under column `col` (in characters, as
/// ANTLR counts them). Bytes that are not UTF-8 are shown as '?', so that the
/// echo is always printable text; a long line is shown as a window around
/// the column, found in one pass (a file of one long line may have hundreds
/// of errors).
static void echoLine(std::ostream &os, const std::string &line, int col) {
  const size_t width = 160;
  size_t at = col > 0 ? (size_t)col - 1 : 0;
  size_t begin = line.size() > width && at > width / 2 ? at - width / 2 : 0;
  std::string text = begin ? "..." : "", caret = begin ? "   " : "";
  size_t c = 0, i = 0;
  for (; i < line.size() && c < begin + width; ++c) {
    size_t len = utf8Length(line, i);
    if (c >= begin) {
      if (len)
        text.append(line, i, len);
      else
        text += '?';
      // Keep tabs so the caret lines up with the line in a terminal.
      if (c < at)
        caret += line[i] == '\t' ? '\t' : ' ';
    }
    i += len ? len : 1;
  }
  if (i < line.size())
    text += "...";
  os << text << "\n" << caret << "^\n";
}

void Diagnostics::emit(SourceLoc loc, const char *severity,
                       const std::string &msg) {
  if (loc.line <= 0) {
    os << fileName << ": " << severity << ": " << msg << "\n";
    return;
  }
  const bool inText = textLine > 0 && loc.line >= textLine;
  os << (inText ? textName : fileName) << ":"
     << (inText ? loc.line - textLine + 1 : loc.line) << ":" << loc.col << ": "
     << severity << ": " << msg << "\n";
  if (loc.line <= (int)lines.size())
    echoLine(os, lines[loc.line - 1], loc.col);
}

namespace {

/// The message with every run of digits (and a sign, a point, an exponent
/// within it) replaced by '#': the errors one layer raises in each instance
/// of a network swept over a parameter differ only there.
std::string shapeOf(const std::string &msg) {
  std::string out;
  for (size_t i = 0; i < msg.size();) {
    if (!std::isdigit((unsigned char)msg[i])) {
      out += msg[i++];
      continue;
    }
    while (i < msg.size() && (std::isdigit((unsigned char)msg[i]) ||
                              msg[i] == '.' || msg[i] == 'e'))
      ++i;
    out += '#';
  }
  return out;
}

} // namespace

void Diagnostics::error(SourceLoc loc, const std::string &msg) {
  ++reports;
  repeated = !seen.insert({{loc.line, loc.col}, msg}).second;
  if (repeated)
    return;
  // The same error at the same place with other numbers: another instance
  // of a swept network. Shown once, with a note the first time it recurs.
  if (loc.line > 0 &&
      !seen.insert({{loc.line, loc.col}, "\2shape " + shapeOf(msg)}).second) {
    repeated = true;
    if (seen.insert({{loc.line, loc.col}, "\3noted"}).second)
      emit(loc, "note",
           "the same error, with other values, in further instances; only "
           "the first is shown");
    return;
  }
  ++errors;
  emit(loc, "error", msg);
}

void Diagnostics::warning(SourceLoc loc, const std::string &msg) {
  // The prefix keeps a warning and an error of the same text apart.
  if (!seen.insert({{loc.line, loc.col}, "\1warning " + msg}).second)
    return;
  ++warnings;
  emit(loc, "warning", msg);
}

int Diagnostics::addText(const std::string &name, const std::string &text) {
  textName = name;
  textLine = (int)lines.size() + 1;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    lines.push_back(line);
  return textLine;
}

void Diagnostics::note(SourceLoc loc, const std::string &msg) {
  if (!repeated)
    emit(loc, "note", msg);
}

void Diagnostics::error(const std::string &msg) {
  ++reports;
  repeated = !seen.insert({{0, 0}, msg}).second;
  if (repeated)
    return;
  ++errors;
  os << "error: " << msg << "\n";
}

size_t editDistance(const std::string &a, const std::string &b) {
  // Optimal string alignment: Levenshtein plus adjacent transpositions, so
  // the common typo `adma` is one edit from `adam`.
  size_t n = a.size(), m = b.size(), w = m + 1;
  std::vector<size_t> d((n + 1) * w); // d[i * w + j]
  for (size_t i = 0; i <= n; ++i)
    d[i * w] = i;
  for (size_t j = 0; j <= m; ++j)
    d[j] = j;
  for (size_t i = 1; i <= n; ++i)
    for (size_t j = 1; j <= m; ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t &x = d[i * w + j];
      x = std::min({d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1,
                    d[(i - 1) * w + j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        x = std::min(x, d[(i - 2) * w + j - 2] + 1);
    }
  return d[n * w + m];
}

std::string closestName(const std::string &name,
                        const std::vector<std::string> &candidates) {
  std::string best;
  size_t bestDist = std::max<size_t>(2, name.size() / 3) + 1;
  // Names this long are not typos of a vocabulary word; the edit distance is
  // quadratic in the length.
  if (name.size() > 64)
    return best;
  for (const std::string &c : candidates) {
    size_t gap = c.size() > name.size() ? c.size() - name.size()
                                        : name.size() - c.size();
    if (gap >= bestDist)
      continue;
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
