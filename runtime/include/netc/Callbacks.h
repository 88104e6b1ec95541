//===- Callbacks.h - Keras' training callbacks, per epoch -------*- C++ -*-===//
//
// The callbacks of a `train` block (`callbacks: [...]`), with Keras 3's
// semantics: EarlyStopping, ReduceLROnPlateau and ModelCheckpoint with
// save_best_only and save_weights_only (netc's save_best). They see only the
// epoch's logs (loss, the metric, val_loss, ...) and answer with what the
// train step must do (stop, keep a copy of the weights, write the weights,
// a new learning rate), so they are tested on constructed metric sequences
// without any network (runtime/tests/CallbacksTest.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef NETC_CALLBACKS_H
#define NETC_CALLBACKS_H

#include "netc/Plan.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace netc {

/// Keras' MonitorCallback: which logged value a callback watches, in which
/// direction, and by how much it must move to count as an improvement.
struct Monitor {
  std::string name = "val_loss";
  /// True: lower is better (losses, mse, mae); false: higher (accuracies).
  bool lower = true;
  double minDelta = 0;

  /// `mode` "min", "max" or "auto" (from the name, as Keras decides it:
  /// loss, mse and mae go down, accuracies up). Throws PlanError for a mode
  /// or an auto name it cannot decide.
  Monitor(const std::string &name, const std::string &mode, double minDelta);
  /// Keras' _is_improvement: anything beats no reference; otherwise
  /// current - min_delta > reference (up) or current + min_delta <
  /// reference (down).
  bool improves(double current, std::optional<double> reference) const;
};

/// What the train step does after an epoch's callbacks ran.
struct CallbackActions {
  /// Early stopping: no further epoch.
  bool stop = false;
  /// restore_best_weights: copy the weights now, they may be restored at
  /// the end of training.
  bool keepWeights = false;
  /// save_best: write the weights to these files (as written in the plan)
  /// now.
  std::vector<std::string> saveTo;
};

/// The callbacks of one train step, in the order written; Keras calls
/// them in that order at each epoch's end.
class Callbacks {
public:
  /// `learningRate`: the optimizer's rate at the start (a float32 variable
  /// in Keras, so rounded to float). Throws PlanError for an unknown
  /// callback or argument value.
  Callbacks(const std::vector<CallbackSpec> &specs, double learningRate);

  /// After epoch `epoch` (1-based, as in the history) with its `logs`.
  /// Throws PlanError when a callback monitors a value the logs lack.
  CallbackActions endEpoch(int64_t epoch,
                           const std::map<std::string, double> &logs);

  /// The learning rate for the next steps (the start rate until a
  /// reduce_lr_on_plateau lowers it).
  double learningRate() const { return rate; }
  /// Whether a reduce_lr_on_plateau controls the rate.
  bool controlsLearningRate() const;
  /// The epoch early stopping stopped at (1-based), 0 when it did not.
  int64_t stoppedEpoch() const { return stopped; }
  /// The epoch whose weights restore_best_weights puts back at the end of
  /// training (1-based), 0 when none.
  int64_t restoreEpoch() const;
  bool empty() const { return all.empty(); }

private:
  struct State {
    CallbackSpec spec;
    Monitor monitor;
    std::optional<double> best;
    int64_t wait = 0, cooldownCounter = 0;
    int64_t bestEpoch = 0; // 0-based, as Keras counts
    bool haveWeights = false;
  };
  void earlyStopping(State &s, int64_t epoch0, double current,
                     CallbackActions &out);
  void reduceLearningRate(State &s, double current);
  std::vector<State> all;
  float rate = 0;
  int64_t stopped = 0;
};

} // namespace netc

#endif // NETC_CALLBACKS_H
