#pragma once
// One background thread for work that must not run inside a frame (a typed case search costs
// ~20 ms at 100,000 cases: a frame has 16). A job runs on the worker thread and returns what to
// do with its result on the UI thread; deliver() runs those, in order, between two frames. When
// a result is ready the worker calls `wake` (the platform's glfwPostEmptyEvent), so the idle
// frame loop draws one frame to show it.
//
// What must stay true: stop() (and the destructor) drops every queued job and every result not
// yet delivered, and returns only after the running job has finished — so after a lock's wipe()
// no thread still reads the database and no result of a search is left anywhere.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace ik::ui {

class Worker {
 public:
  using Deliver = std::function<void()>;
  using Job = std::function<Deliver()>;

  explicit Worker(std::function<void()> wake);
  ~Worker() { stop(); }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void post(Job job);
  // On the UI thread: runs the results that are ready; returns how many ran.
  int deliver();
  bool has_results() const;
  bool idle() const;  // nothing queued, running or waiting to be delivered
  void stop();

 private:
  void run();

  std::function<void()> wake_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  std::deque<Deliver> results_;
  bool running_job_ = false, stopping_ = false;
  std::thread thread_;
};

}  // namespace ik::ui
