//===- SummaryReport.cpp - report.html's section over seeds ---------------===//
//
// The aggregated table, the paired comparisons and the learning curves of
// each configuration as the mean over its seeds with a ±SE band.
//
//===----------------------------------------------------------------------===//

#include "netc/Aggregate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace netc::rt {

namespace {

std::string esc(const std::string &s) {
  std::string out;
  for (char c : s)
    out += c == '&'   ? "&amp;"
           : c == '<' ? "&lt;"
           : c == '>' ? "&gt;"
           : c == '"' ? "&quot;"
                      : std::string(1, c);
  return out;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

const char *colour(size_t i) {
  static const char *palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                  "#E69F00", "#56B4E9", "#000000", "#F0E442"};
  return palette[i % 8];
}

std::string htmlTable(const std::vector<std::vector<std::string>> &rows) {
  std::string html = "<table>\n<tr>";
  for (const std::string &h : rows[0])
    html += "<th>" + esc(h) + "</th>";
  html += "</tr>\n";
  for (size_t r = 1; r < rows.size(); ++r) {
    html += "<tr>";
    for (const std::string &c : rows[r])
      html += "<td>" + esc(c) + "</td>";
    html += "</tr>\n";
  }
  return html + "</table>\n";
}

using Curve = std::vector<stats::Summary>;

struct Frame {
  static constexpr double W = 520, H = 300, L = 60, R = 16, T = 28, B = 40;
  double lo = INFINITY, hi = -INFINITY;
  size_t epochs = 1;
  void cover(const Curve &c) {
    epochs = std::max(epochs, c.size());
    for (const stats::Summary &s : c)
      if (s.n && std::isfinite(s.mean + s.stdError)) {
        lo = std::min(lo, s.mean - s.stdError);
        hi = std::max(hi, s.mean + s.stdError);
      }
  }
  void finish() {
    if (!(lo <= hi)) {
      lo = 0;
      hi = 1;
    }
    if (hi - lo < 1e-12) {
      lo -= 0.5;
      hi += 0.5;
    }
  }
  double x(size_t e) const {
    return L +
           (epochs > 1 ? double(e) / double(epochs - 1) : 0.5) * (W - L - R);
  }
  double y(double v) const { return T + (hi - v) / (hi - lo) * (H - T - B); }
};

// The mean as a path and mean ± SE as a translucent band.
std::string curveSvg(const Frame &f, const Curve &c, size_t k, bool dashed,
                     const std::string &label) {
  std::string line, upper, lower;
  for (size_t e = 0; e < c.size(); ++e) {
    if (!c[e].n || !std::isfinite(c[e].mean + c[e].stdError))
      continue;
    line +=
        (line.empty() ? "M" : " L") + num(f.x(e)) + " " + num(f.y(c[e].mean));
    upper += (upper.empty() ? "" : " ") + num(f.x(e)) + "," +
             num(f.y(c[e].mean + c[e].stdError));
    lower = num(f.x(e)) + "," + num(f.y(c[e].mean - c[e].stdError)) +
            (lower.empty() ? "" : " ") + lower;
  }
  if (line.empty())
    return "";
  return "<polygon class=\"band\" fill=\"" + std::string(colour(k)) +
         "\" points=\"" + upper + " " + lower + "\"/>\n<path class=\"" +
         (dashed ? "val" : "train") + "\" stroke=\"" + colour(k) + "\" d=\"" +
         line + (line.find('L') == std::string::npos ? " l0.01 0" : "") +
         "\"><title>" + esc(label) + "</title></path>\n";
}

std::string configName(const Configuration &c) {
  std::string name;
  for (auto &[key, value] : c.params.items())
    name += (name.empty() ? "" : ", ") + key + "=" +
            (value.is_string() ? value.get<std::string>() : value.dump());
  if (c.fold >= 0)
    name += (name.empty() ? "" : ", ") + std::string("fold=") +
            std::to_string(c.fold);
  return name.empty() ? "run" : name;
}

std::string meanPlot(const ExperimentRecord &exp,
                     const std::vector<Configuration> &configs, bool metric,
                     const std::string &title) {
  Frame f;
  std::vector<std::pair<Curve, Curve>> curves;
  for (const Configuration &c : configs) {
    curves.push_back(
        {meanCurve(exp, c, metric, false), meanCurve(exp, c, metric, true)});
    f.cover(curves.back().first);
    f.cover(curves.back().second);
  }
  f.finish();
  std::string svg = "<svg class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" "
                    "width=\"520\" height=\"300\" viewBox=\"0 0 520 300\">\n"
                    "<text x=\"260\" y=\"18\" class=\"title\">" +
                    esc(title) + " (mean ± SE over seeds)</text>\n";
  for (int i = 0; i <= 4; ++i) {
    const double v = f.lo + (f.hi - f.lo) * i / 4;
    char tick[32];
    std::snprintf(tick, sizeof tick, "%.4g", v);
    svg += "<line class=\"grid\" x1=\"60\" y1=\"" + num(f.y(v)) +
           "\" x2=\"504\" y2=\"" + num(f.y(v)) + "\"/><text class=\"tick\" " +
           "x=\"56\" y=\"" + num(f.y(v) + 4) + "\" text-anchor=\"end\">" +
           tick + "</text>\n";
  }
  svg += "<text class=\"tick\" x=\"282\" y=\"294\" text-anchor=\"middle\">"
         "epoch 1 to " +
         std::to_string(f.epochs) + "</text>\n";
  for (size_t k = 0; k < configs.size(); ++k) {
    svg += curveSvg(f, curves[k].first, k, false, configName(configs[k]));
    svg += curveSvg(f, curves[k].second, k, true,
                    configName(configs[k]) + " (validation)");
  }
  return svg + "</svg>\n";
}

} // namespace

std::string summaryHtml(const ExperimentRecord &exp) {
  if (!repeatsOverSeeds(exp))
    return "";
  const std::vector<Configuration> configs = configurations(exp);
  std::string html = "<h2>Over seeds: mean ± standard error</h2>\n" +
                     htmlTable(summaryRows(configs));
  for (const Comparison &c : pairedComparisons(exp))
    html += "<h3>" + esc(comparisonTitle(c)) + "</h3>\n" +
            htmlTable(comparisonRows(c));
  std::string metricName =
      exp.runs.empty() ? "metric" : exp.runs.back().metricName;
  html += "<h2>Learning curves over seeds</h2>\n<style>polygon.band{"
          "opacity:0.2;stroke:none}</style>\n<div class=\"legend\">";
  for (size_t k = 0; k < configs.size(); ++k)
    html += std::string("<span><i style=\"background:") + colour(k) +
            "\"></i>" + esc(configName(configs[k])) + "</span>";
  html += "</div>\n<div class=\"plots\">\n" +
          meanPlot(exp, configs, false, "loss") +
          meanPlot(exp, configs, true, metricName) + "</div>\n";
  return html;
}

} // namespace netc::rt
