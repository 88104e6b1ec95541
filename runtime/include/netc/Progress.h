//===- Progress.h - Keras-style per-epoch progress on stderr ---*- C++ -*-===//
#ifndef NETC_PROGRESS_H
#define NETC_PROGRESS_H

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace netc::rt {

/// Prints `Epoch 2/5  1563/1563 [====] 12s 8ms/step - loss: 1.2100 -
/// accuracy: 0.5700`. On a terminal the line is redrawn in place as batches
/// finish; otherwise only the finished line is printed, once per epoch, so
/// logs stay readable.
class Progress {
public:
  Progress(FILE *stream, bool interactive, int64_t epoch, int64_t epochs,
           int64_t steps, std::string metricName);
  /// After batch `step` (1-based) with the running means so far.
  void update(int64_t step, double loss, double metric);
  /// End of the epoch: the final line and a newline.
  void finish(double loss, double metric);
  /// The same with the validation values (`- val_loss: ... - val_M: ...`).
  void finish(double loss, double metric, double valLoss, double valMetric);

  /// Whether `stream` is a terminal.
  static bool isTerminal(FILE *stream);

private:
  std::string line(int64_t step, double loss, double metric) const;

  FILE *stream;
  bool interactive;
  int64_t epoch, epochs, steps;
  std::string metricName;
  std::chrono::steady_clock::time_point start, lastDraw;
};

} // namespace netc::rt

#endif // NETC_PROGRESS_H
