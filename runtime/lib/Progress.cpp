//===- Progress.cpp - Keras-style per-epoch progress ----------------------===//

#include "netc/Progress.h"

#include <unistd.h>

namespace netc::rt {

Progress::Progress(FILE *stream, bool interactive, int64_t epoch,
                   int64_t epochs, int64_t steps, std::string metricName)
    : stream(stream), interactive(interactive), epoch(epoch), epochs(epochs),
      steps(steps), metricName(std::move(metricName)),
      start(std::chrono::steady_clock::now()), lastDraw(start) {}

bool Progress::isTerminal(FILE *stream) { return ::isatty(fileno(stream)); }

std::string Progress::line(int64_t step, double loss, double metric) const {
  constexpr int kWidth = 30;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::string bar(kWidth, '.');
  const int64_t filled = steps ? step * kWidth / steps : kWidth;
  for (int64_t i = 0; i < filled; ++i)
    bar[i] = '=';
  if (filled < kWidth && filled > 0)
    bar[filled] = '>';
  char text[512];
  // Keras switches to microseconds for fast steps.
  const double perStep = step ? elapsed / step : 0.0;
  const bool micro = perStep < 1e-3;
  std::snprintf(text, sizeof text,
                "Epoch %lld/%lld  %lld/%lld [%s] %.0fs %.0f%s/step - loss: "
                "%.4f - %s: %.4f",
                static_cast<long long>(epoch), static_cast<long long>(epochs),
                static_cast<long long>(step), static_cast<long long>(steps),
                bar.c_str(), elapsed, perStep * (micro ? 1e6 : 1e3),
                micro ? "us" : "ms", loss, metricName.c_str(), metric);
  return text;
}

void Progress::update(int64_t step, double loss, double metric) {
  if (!interactive)
    return;
  // Redrawing every batch of a fast model would cost more than the model.
  const auto now = std::chrono::steady_clock::now();
  if (step != 1 && now - lastDraw < std::chrono::milliseconds(100))
    return;
  lastDraw = now;
  std::fprintf(stream, "\r%s\033[K", line(step, loss, metric).c_str());
  std::fflush(stream);
}

void Progress::finish(double loss, double metric, double valLoss,
                      double valMetric) {
  char val[128];
  std::snprintf(val, sizeof val, " - val_loss: %.4f - val_%s: %.4f", valLoss,
                metricName.c_str(), valMetric);
  std::fprintf(stream, interactive ? "\r%s%s\033[K\n" : "%s%s\n",
               line(steps, loss, metric).c_str(), val);
  std::fflush(stream);
}

void Progress::finish(double loss, double metric) {
  std::fprintf(stream, interactive ? "\r%s\033[K\n" : "%s\n",
               line(steps, loss, metric).c_str());
  std::fflush(stream);
}

} // namespace netc::rt
