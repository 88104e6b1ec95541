//===- Report.cpp - report.html ------------------------------------------===//

#include "netc/Report.h"

#include "netc/Aggregate.h"
#include "netc/CrossValidation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace netc::rt {

namespace {

std::string escape(const std::string &s) {
  std::string out;
  for (char c : s) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string fmt(double v, const char *spec = "%.4g") {
  char buf[64];
  std::snprintf(buf, sizeof buf, spec, v);
  return buf;
}

// Colour-blind-safe palette (Okabe-Ito), cycled.
const char *colour(size_t i) {
  static const char *palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                  "#E69F00", "#56B4E9", "#000000", "#F0E442"};
  return palette[i % 8];
}

// The scales of one plot: the value range over every run's curves and the
// number of epochs, mapped to SVG coordinates.
struct PlotFrame {
  static constexpr double W = 520, H = 300, L = 60, R = 16, T = 28, B = 40;
  double lo = INFINITY, hi = -INFINITY;
  int64_t epochs = 1;

  PlotFrame(const ExperimentRecord &exp, bool metric) {
    for (const RunRecord &run : exp.runs)
      for (const EpochRecord &e : run.history) {
        epochs = std::max(epochs, e.epoch);
        for (double v : {metric ? e.metric : e.loss,
                         e.hasVal ? (metric ? e.valMetric : e.valLoss) : NAN})
          if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
          }
      }
    if (!(lo <= hi)) {
      lo = 0;
      hi = 1;
    }
    if (hi - lo < 1e-12) {
      lo -= 0.5;
      hi += 0.5;
    }
  }
  double x(double epoch) const {
    return L + (epochs > 1 ? (epoch - 1) / (epochs - 1) : 0.5) * (W - L - R);
  }
  double y(double v) const { return T + (hi - v) / (hi - lo) * (H - T - B); }
};

// The title, axes, grid and ticks: five on y and up to ten on x.
std::string plotAxes(const PlotFrame &f, const std::string &title) {
  using F = PlotFrame;
  std::string svg = "<text x=\"" + fmt(F::W / 2) +
                    "\" y=\"18\" class=\"title\">" + escape(title) +
                    "</text>\n";
  svg += "<line class=\"axis\" x1=\"" + fmt(F::L) + "\" y1=\"" +
         fmt(F::H - F::B) + "\" x2=\"" + fmt(F::W - F::R) + "\" y2=\"" +
         fmt(F::H - F::B) + "\"/>\n";
  svg += "<line class=\"axis\" x1=\"" + fmt(F::L) + "\" y1=\"" + fmt(F::T) +
         "\" x2=\"" + fmt(F::L) + "\" y2=\"" + fmt(F::H - F::B) + "\"/>\n";
  for (int i = 0; i <= 4; ++i) {
    const double v = f.lo + (f.hi - f.lo) * i / 4;
    svg += "<line class=\"grid\" x1=\"" + fmt(F::L) + "\" y1=\"" + fmt(f.y(v)) +
           "\" x2=\"" + fmt(F::W - F::R) + "\" y2=\"" + fmt(f.y(v)) + "\"/>";
    svg += "<text class=\"tick\" x=\"" + fmt(F::L - 4) + "\" y=\"" +
           fmt(f.y(v) + 4) + "\" text-anchor=\"end\">" + fmt(v) + "</text>\n";
  }
  const int64_t step = std::max<int64_t>(1, (f.epochs + 9) / 10);
  for (int64_t e = 1; e <= f.epochs; e += step)
    svg += "<text class=\"tick\" x=\"" + fmt(f.x(e)) + "\" y=\"" +
           fmt(F::H - F::B + 16) + "\" text-anchor=\"middle\">" +
           std::to_string(e) + "</text>";
  svg += "<text class=\"tick\" x=\"" + fmt((F::L + F::W - F::R) / 2) +
         "\" y=\"" + fmt(F::H - 6) + "\" text-anchor=\"middle\">epoch</text>\n";
  return svg;
}

// Run r's train curve (solid) and validation curve (dashed, if any).
std::string plotRun(const PlotFrame &f, const RunRecord &run, size_t r,
                    bool metric) {
  std::string train, val;
  for (const EpochRecord &e : run.history) {
    const double v = metric ? e.metric : e.loss;
    if (std::isfinite(v))
      train += (train.empty() ? "M" : " L") + fmt(f.x(e.epoch), "%.1f") + " " +
               fmt(f.y(v), "%.1f");
    const double w = metric ? e.valMetric : e.valLoss;
    if (e.hasVal && std::isfinite(w))
      val += (val.empty() ? "M" : " L") + fmt(f.x(e.epoch), "%.1f") + " " +
             fmt(f.y(w), "%.1f");
  }
  // A one-epoch curve is a dot: a zero-length path with round caps.
  auto dot = [](std::string &d) {
    if (!d.empty() && d.find('L') == std::string::npos)
      d += " l0.01 0";
  };
  dot(train);
  dot(val);
  const std::string label = escape(runLabel(run));
  std::string svg = "<path class=\"train\" data-run=\"" + std::to_string(r) +
                    "\" stroke=\"" + colour(r) + "\" d=\"" + train +
                    "\"><title>" + label + "</title></path>\n";
  if (!val.empty())
    svg += "<path class=\"val\" data-run=\"" + std::to_string(r) +
           "\" stroke=\"" + colour(r) + "\" d=\"" + val + "\"><title>" + label +
           " (validation)</title></path>\n";
  return svg;
}

// One plot: per run, the train curve solid and the validation curve dashed.
std::string plot(const ExperimentRecord &exp, const std::string &title,
                 bool metric) {
  using F = PlotFrame;
  const PlotFrame frame(exp, metric);
  std::string svg = "<svg class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" "
                    "width=\"" +
                    fmt(F::W) + "\" height=\"" + fmt(F::H) +
                    "\" viewBox=\"0 0 " + fmt(F::W) + " " + fmt(F::H) + "\">\n";
  svg += plotAxes(frame, title);
  for (size_t r = 0; r < exp.runs.size(); ++r)
    svg += plotRun(frame, exp.runs[r], r, metric);
  return svg + "</svg>\n";
}

std::string table(const std::vector<std::vector<std::string>> &rows) {
  std::string html = "<table>\n<tr>";
  for (const std::string &h : rows[0])
    html += "<th>" + escape(h) + "</th>";
  html += "</tr>\n";
  for (size_t r = 1; r < rows.size(); ++r) {
    html += "<tr>";
    for (const std::string &c : rows[r])
      html += "<td>" + escape(c) + "</td>";
    html += "</tr>\n";
  }
  return html + "</table>\n";
}

} // namespace

std::string reportHtml(const ExperimentRecord &exp) {
  std::string metricName = "accuracy";
  bool anyVal = false;
  for (const RunRecord &run : exp.runs) {
    metricName = run.metricName;
    for (const EpochRecord &e : run.history)
      anyVal |= e.hasVal;
  }
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>" +
      escape(exp.name) +
      " - netc report</title>\n<style>\n"
      "body{font-family:system-ui,sans-serif;margin:24px;color:#222;"
      "background:#fff}\n"
      "h1{font-size:22px}h2{font-size:17px;margin-top:28px}\n"
      "table{border-collapse:collapse;font-size:13px}\n"
      "th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}\n"
      "th{background:#eef2f7}td:first-child,th:first-child{text-align:left}\n"
      ".plots{display:flex;flex-wrap:wrap;gap:16px}\n"
      ".plot{border:1px solid #ddd;background:#fcfcfc}\n"
      ".plot .title{font-size:14px;text-anchor:middle;font-weight:600}\n"
      ".plot .tick{font-size:11px;fill:#555}\n"
      ".plot .axis{stroke:#333;stroke-width:1}\n"
      ".plot .grid{stroke:#e4e4e4;stroke-width:1}\n"
      "path.train,path.val{fill:none;stroke-width:2;stroke-linecap:round;"
      "stroke-linejoin:round}\n"
      "path.val{stroke-dasharray:6 4}\n"
      ".diverged{color:#a00;font-weight:600}\n"
      ".legend span{display:inline-block;margin-right:14px;font-size:13px}\n"
      ".legend i{display:inline-block;width:18px;height:3px;"
      "vertical-align:middle;margin-right:4px}\n"
      "</style>\n</head>\n<body>\n";
  html += "<h1>Experiment " + escape(exp.name) + "</h1>\n<p>target " +
          escape(exp.target) + ", " + std::to_string(exp.runs.size()) +
          " runs</p>\n";
  html += "<h2>Results</h2>\n" + table(resultsRows(exp, true));
  const std::string diverged = divergenceSummary(exp);
  if (!diverged.empty())
    html += "<p class=\"diverged\">Warning: " + escape(diverged) + ".</p>\n";
  html += summaryHtml(exp); // runs repeated over seeds
  if (!exp.selection.is_null()) {
    const auto &s = exp.selection;
    std::vector<std::vector<std::string>> rows{
        {"candidate", s["metric"].get<std::string>() + " mean", "std error",
         "trainable params", ""}};
    for (const auto &c : s["candidates"]) {
      std::string name;
      for (auto &[k, v] : c["params"].items())
        name += (name.empty() ? "" : ", ") + k + "=" +
                (v.is_string() ? v.get<std::string>() : v.dump());
      const std::string key = chosenByKey(s);
      std::string mark;
      if (c["params"] == s["chosen"])
        mark = "chosen";
      if (c["params"] == s[key])
        mark += mark.empty() ? key : ", " + key;
      if (c.contains("skipped"))
        mark = "skipped: " + c["skipped"].get<std::string>();
      auto num = [](const nlohmann::ordered_json &v) {
        return v.is_number() ? fmt(v.get<double>(), "%.4f") : std::string("-");
      };
      rows.push_back({name, num(c["mean"]), num(c["std_error"]),
                      c["trainable_params"].dump(), mark});
    }
    html += "<h2>Selection (rule " + escape(s["rule"].get<std::string>()) +
            ")</h2>\n" + table(rows);
  }
  html += "<h2>Learning curves</h2>\n<div class=\"legend\">";
  for (size_t r = 0; r < exp.runs.size(); ++r)
    html += std::string("<span><i style=\"background:") + colour(r) +
            "\"></i>" + escape(runLabel(exp.runs[r])) + "</span>";
  html += std::string("</div>\n<p>solid: training") +
          (anyVal ? ", dashed: validation" : "") + "</p>\n";
  html += "<div class=\"plots\">\n" + plot(exp, "loss", false) +
          plot(exp, metricName, true) + "</div>\n</body>\n</html>\n";
  return html;
}

} // namespace netc::rt
