//===- Prefetcher.cpp - Double-buffered batch gathering -------------------===//

#include "netc/data/Prefetcher.h"

#include <cstring>

namespace netc::rt {

Prefetcher::Prefetcher(const Split &split, std::vector<int64_t> order,
                       int64_t cap)
    : split(split), order(std::move(order)), cap(cap),
      total((static_cast<int64_t>(this->order.size()) + cap - 1) / cap) {
  for (int i = 0; i < 2; ++i) {
    xs[i] = AlignedBuffer(split.sampleSize() * cap);
    ys[i] = AlignedBuffer(split.labelSize() * cap);
  }
  worker = std::thread([this] { work(); });
}

Prefetcher::Prefetcher(const Split &split, std::vector<int64_t> order,
                       int64_t cap, std::vector<int64_t> starts)
    : split(split), order(std::move(order)), cap(cap),
      total(static_cast<int64_t>(starts.size()) - 1),
      starts(std::move(starts)) {
  for (int i = 0; i < 2; ++i) {
    xs[i] = AlignedBuffer(split.sampleSize() * cap);
    ys[i] = AlignedBuffer(split.labelSize() * cap);
  }
  worker = std::thread([this] { work(); });
}

Prefetcher::~Prefetcher() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stop = true;
  }
  changed.notify_all();
  worker.join();
}

void Prefetcher::work() {
  const int64_t sampleSize = split.sampleSize(), labelSize = split.labelSize();
  for (int64_t b = 0; b < total; ++b) {
    {
      // Buffer b % 2 held batch b - 2, which the consumer releases by asking
      // for batch b - 1 (taken counts the batches asked for).
      std::unique_lock<std::mutex> lock(mutex);
      changed.wait(lock, [&] { return stop || b < 2 || taken >= b; });
      if (stop)
        return;
    }
    const int slot = static_cast<int>(b % 2);
    const int64_t begin = starts.empty() ? b * cap : starts[b];
    const int64_t n =
        starts.empty()
            ? std::min<int64_t>(cap, static_cast<int64_t>(order.size()) - begin)
            : starts[b + 1] - begin;
    for (int64_t i = 0; i < n; ++i) {
      const int64_t src = order[begin + i];
      std::memcpy(xs[slot].get() + i * sampleSize,
                  split.x.data() + src * sampleSize,
                  sizeof(float) * sampleSize);
      std::memcpy(ys[slot].get() + i * labelSize,
                  split.y.data() + src * labelSize, sizeof(float) * labelSize);
    }
    {
      std::lock_guard<std::mutex> lock(mutex);
      counts[slot] = n;
      filled = b + 1;
    }
    changed.notify_all();
  }
}

Prefetcher::Batch Prefetcher::next() {
  std::unique_lock<std::mutex> lock(mutex);
  if (taken >= total)
    return {};
  const int64_t b = taken++;
  // Taking batch b releases batch b - 1's buffer to the worker.
  changed.notify_all();
  changed.wait(lock, [&] { return filled > b; });
  const int slot = static_cast<int>(b % 2);
  return {&xs[slot], &ys[slot], counts[slot]};
}

} // namespace netc::rt
