// PeriodicTask: runs one function on its own named thread, now and then every `interval` (or
// first after one interval), until Stop. Stop wakes the wait at once and waits for a run under
// way to finish. For the poll loops (ERP, X12 folders) and scheduled jobs. Thread-safe
// Start/Stop; Start once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "base/thread_name.h"

namespace crossdock {

class PeriodicTask {
 public:
  enum class First { kNow, kAfterInterval };
  ~PeriodicTask() { Stop(); }

  void Start(std::string name, std::chrono::milliseconds interval, First first,
             std::function<void()> run) {
    thread_ = std::thread([this, name = std::move(name), interval, first, run = std::move(run)] {
      SetThreadName(name);
      std::unique_lock lock(mu_);
      if (first == First::kAfterInterval && Wait(lock, interval)) return;
      while (!stopping_) {
        lock.unlock();
        run();
        lock.lock();
        if (Wait(lock, interval)) return;
      }
    });
  }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  // Waits `interval` or until Stop; true when stopping.
  bool Wait(std::unique_lock<std::mutex>& lock, std::chrono::milliseconds interval) {
    return cv_.wait_for(lock, interval, [this] { return stopping_; });
  }
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace crossdock
