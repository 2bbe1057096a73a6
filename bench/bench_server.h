// Starting the real `crossdock serve` for a benchmark: a child process on `config`, ready
// (GET /readyz answers 200) before the measurement starts.
#pragma once

#include <memory>
#include <string>

#include "app/child_process.h"
#include "base/status.h"

namespace crossdock::bench {

// Unavailable when the server cannot be started or is not ready within 10 s.
Result<std::unique_ptr<ChildProcess>> StartCrossdock(const std::string& bin_dir,
                                                     const std::string& config,
                                                     const std::string& url);

}  // namespace crossdock::bench
