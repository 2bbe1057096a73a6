// ChildProcess: starts a helper program (the simulators) with extra environment variables and
// its stdout on a pipe; stops it on destruction. Used by `crossdock demo`. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace crossdock {

class ChildProcess {
 public:
  static Result<std::unique_ptr<ChildProcess>> Spawn(const std::vector<std::string>& argv,
                                                     const std::map<std::string, std::string>& env);
  ~ChildProcess();
  // Reads one line of the child's stdout (without newline). Unavailable at EOF.
  Result<std::string> ReadLine();
  // Reads stdout until EOF.
  std::string ReadAll();
  // Sends `signal` (SIGTERM by default) and waits. Returns the exit status as from waitpid.
  int Stop(int signal = 15);
  // Waits for exit. Returns the exit code (128+signal when killed).
  int Wait();
  pid_t pid() const { return pid_; }

 private:
  ChildProcess(pid_t pid, int out_fd) : pid_(pid), out_fd_(out_fd) {}
  pid_t pid_;
  int out_fd_;
  std::string buffer_;
  bool exited_ = false;
  int exit_code_ = 0;
};

// The folder holding the running executable (from /proc/self/exe).
std::string SelfDirectory();
// A TCP port on 127.0.0.1 that was free a moment ago.
Result<uint16_t> PickFreePort();

}  // namespace crossdock
