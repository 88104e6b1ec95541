//===- Report.h - report.html: results and learning curves -----*- C++ -*-===//
//
// One self-contained page (inline CSS and SVG, no scripts, no external
// resources, so it opens anywhere, offline): the results table, the
// selection table when there is one, and two plots, loss and the kernel's
// metric per epoch, with one <path class="train"> per run and a dashed
// <path class="val"> per run that has validation values.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_REPORT_H
#define NETC_REPORT_H

#include "netc/Results.h"

#include <string>

namespace netc::rt {

std::string reportHtml(const ExperimentRecord &exp);

} // namespace netc::rt

#endif // NETC_REPORT_H
