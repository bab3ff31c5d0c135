#include "ui/worker.hpp"

namespace ik::ui {

Worker::Worker(std::function<void()> wake) : wake_(std::move(wake)), thread_([this] { run(); }) {}

void Worker::post(Job job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
}

int Worker::deliver() {
  std::deque<Deliver> ready;
  {
    std::lock_guard lock(mu_);
    ready.swap(results_);
  }
  for (auto& d : ready)
    if (d) d();
  return static_cast<int>(ready.size());
}

bool Worker::has_results() const {
  std::lock_guard lock(mu_);
  return !results_.empty();
}

bool Worker::idle() const {
  std::lock_guard lock(mu_);
  return jobs_.empty() && results_.empty() && !running_job_;
}

void Worker::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    jobs_.clear();
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  // Results (and the jobs' captures) are destroyed here, on the stopping thread.
  std::lock_guard lock(mu_);
  results_.clear();
}

void Worker::run() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
      running_job_ = true;
    }
    Deliver result = job();
    job = nullptr;
    bool wake = false;
    {
      std::lock_guard lock(mu_);
      running_job_ = false;
      if (!stopping_) {
        results_.push_back(std::move(result));
        wake = true;
      }
    }
    // Dropped results go with `result` here, on this thread, when stopping.
    if (wake && wake_) wake_();
  }
}

}  // namespace ik::ui
