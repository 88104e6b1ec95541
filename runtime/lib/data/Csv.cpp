//===- Csv.cpp - csv(file, label: column) ---------------------------------===//
//
// Splits: `csv(train: "a.csv", test: "b.csv", label: ...)` names both files
// (the test file must exist and match the train file's columns: it is read
// when the data set is, before training). Otherwise, when the path is a
// directory it holds train.csv and test.csv; when it is a file NAME.csv,
// that file is the train split and NAME_test.csv beside it, if present, the
// test split (else the test split is empty and evaluating on it is an
// error).
//
// The first row is a header when any of its fields is not a number. `label`
// names the label column (a header name, or a 0-based index; negative counts
// from the end). Every other column is a numeric feature, so samples have
// shape [features]. A numeric label is kept as is (class index or regression
// target); text labels become class indices in sorted order of the names
// found in the train split.
//
//===----------------------------------------------------------------------===//

#include "netc/data/Dataset.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>

namespace fs = std::filesystem;

namespace netc::rt {

namespace {

// RFC 4180 fields: commas separate, double quotes quote, "" escapes a quote.
bool splitFields(const std::string &line, std::vector<std::string> &fields) {
  fields.clear();
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(field);
      field.clear();
    } else {
      field += c;
    }
  }
  fields.push_back(field);
  return !quoted;
}

std::string trim(const std::string &s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos)
    return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::optional<double> parseNumber(const std::string &text) {
  const std::string t = trim(text);
  if (t.empty())
    return std::nullopt;
  errno = 0;
  char *end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (errno == ERANGE || *end != '\0')
    return std::nullopt;
  return v;
}

struct Table {
  std::string path;
  std::vector<std::string> header; // empty when the file has none
  std::vector<std::vector<std::string>> rows;
  std::vector<int64_t> lines; // source line of each row, for messages
};

Table readTable(const std::string &path) {
  std::ifstream in(path);
  if (!in)
    throw DataError(path, std::strerror(errno));
  Table table;
  table.path = path;
  std::string line;
  std::vector<std::string> fields;
  int64_t lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    if (trim(line).empty())
      continue;
    if (!splitFields(line, fields))
      throw DataError(path + ":" + std::to_string(lineNo),
                      "unterminated quoted field");
    for (std::string &f : fields)
      f = trim(f);
    if (table.rows.empty() && table.header.empty()) {
      bool allNumbers = true;
      for (const std::string &f : fields)
        allNumbers &= parseNumber(f).has_value();
      if (!allNumbers) {
        table.header = fields;
        continue;
      }
    }
    const size_t width =
        table.header.empty()
            ? (table.rows.empty() ? fields.size() : table.rows[0].size())
            : table.header.size();
    if (fields.size() != width)
      throw DataError(path + ":" + std::to_string(lineNo),
                      std::to_string(fields.size()) + " fields, expected " +
                          std::to_string(width));
    table.rows.push_back(fields);
    table.lines.push_back(lineNo);
  }
  if (table.rows.empty())
    throw DataError(path, "no data rows");
  return table;
}

size_t labelColumn(const DatasetSpec &spec, const Table &table) {
  const int64_t width = static_cast<int64_t>(table.rows[0].size());
  if (width < 2)
    throw DataError(table.path, "needs at least one feature column and the "
                                "label column");
  auto name = spec.str_args.find("label");
  if (name != spec.str_args.end()) {
    auto it = std::find(table.header.begin(), table.header.end(), name->second);
    if (it != table.header.end())
      return static_cast<size_t>(it - table.header.begin());
    throw DataError(
        table.path,
        "no column named '" + name->second + "'" +
            (table.header.empty() ? " (the file has no header row)" : ""));
  }
  auto index = spec.args.find("label");
  if (index == spec.args.end())
    throw DataError(spec.name, "csv needs label: COLUMN");
  int64_t i = static_cast<int64_t>(index->second);
  if (i < 0)
    i += width;
  if (i < 0 || i >= width)
    throw DataError(
        table.path,
        "label column " + std::to_string(static_cast<int64_t>(index->second)) +
            " is out of range (" + std::to_string(width) + " columns)");
  return static_cast<size_t>(i);
}

Split toSplit(const Table &table, size_t label,
              const std::vector<std::string> &classNames, int64_t limit) {
  Split split;
  const size_t width = table.rows[0].size();
  split.count = static_cast<int64_t>(table.rows.size());
  if (limit >= 0 && limit < split.count)
    split.count = limit;
  split.sampleShape = {static_cast<int64_t>(width - 1)};
  split.labelShape = {1};
  split.sources.push_back(
      {0, table.path,
       std::vector<int64_t>(table.lines.begin(),
                            table.lines.begin() + split.count)});
  for (int64_t r = 0; r < split.count; ++r) {
    const std::vector<std::string> &row = table.rows[r];
    const std::string where = table.path + ":" + std::to_string(table.lines[r]);
    for (size_t c = 0; c < width; ++c) {
      if (c == label) {
        if (classNames.empty()) {
          std::optional<double> v = parseNumber(row[c]);
          if (!v)
            throw DataError(where, "label '" + row[c] + "' is not a number");
          if (!std::isfinite(static_cast<float>(*v)))
            throw DataError(where,
                            "label '" + row[c] + "' is not a finite number");
          split.y.push_back(static_cast<float>(*v));
        } else {
          auto it = std::find(classNames.begin(), classNames.end(), row[c]);
          if (it == classNames.end())
            throw DataError(where, "label '" + row[c] +
                                       "' is not a class of the train split");
          split.y.push_back(static_cast<float>(it - classNames.begin()));
        }
        continue;
      }
      std::optional<double> v = parseNumber(row[c]);
      if (!v || !std::isfinite(static_cast<float>(*v)))
        throw DataError(where, "column " + std::to_string(c + 1) + " ('" +
                                   row[c] + "') is not " +
                                   (v ? "a finite number" : "a number"));
      split.x.push_back(static_cast<float>(*v));
    }
  }
  return split;
}

} // namespace

Dataset loadCsv(const DatasetSpec &spec, const std::string &path) {
  if (path.empty())
    throw DataError(spec.name, "csv needs a file");
  std::string trainPath = path, testPath, sibling;
  std::error_code ec;
  auto test = spec.str_args.find("test");
  if (test != spec.str_args.end() && !test->second.empty()) {
    testPath = test->second;
    if (!fs::is_regular_file(testPath, ec))
      throw DataError(testPath,
                      std::string(fs::exists(testPath, ec) ? "not a file"
                                                           : "no such file") +
                          " (the test split of " + spec.name +
                          ", named by test:)");
  } else if (fs::is_directory(path, ec)) {
    trainPath = (fs::path(path) / "train.csv").string();
    testPath = (fs::path(path) / "test.csv").string();
  } else {
    fs::path p(path);
    sibling = (p.parent_path() /
               (p.stem().string() + "_test" + p.extension().string()))
                  .string();
    if (fs::exists(sibling, ec))
      testPath = sibling;
  }
  auto limitArg = spec.args.find("limit");
  const int64_t limit = limitArg == spec.args.end() || limitArg->second < 0
                            ? -1
                            : static_cast<int64_t>(limitArg->second);
  const Table train = readTable(trainPath);
  const size_t label = labelColumn(spec, train);

  // Text labels: the sorted names of the train split are the classes.
  std::vector<std::string> classNames;
  bool numeric = true;
  for (const auto &row : train.rows)
    numeric &= parseNumber(row[label]).has_value();
  if (!numeric) {
    std::set<std::string> names;
    for (const auto &row : train.rows)
      names.insert(row[label]);
    classNames.assign(names.begin(), names.end());
  }

  Dataset data;
  data.train = toSplit(train, label, classNames, limit);
  if (!testPath.empty()) {
    const Table test = readTable(testPath);
    if (test.rows[0].size() != train.rows[0].size())
      throw DataError(testPath, std::to_string(test.rows[0].size()) +
                                    " columns, the train split has " +
                                    std::to_string(train.rows[0].size()));
    data.test = toSplit(test, label, classNames, limit);
  } else {
    data.test.sampleShape = data.train.sampleShape;
    data.test.labelShape = data.train.labelShape;
    data.test.emptyBecause = "there is no " + sibling;
  }
  data.numClasses = static_cast<int64_t>(classNames.size());
  if (data.numClasses > 0)
    data.classesFrom = trainPath;
  return data;
}

} // namespace netc::rt
