// Names the calling thread (visible in top -H, perf, gdb). Linux limits names to 15 bytes.
#pragma once

#include <pthread.h>

#include <string>

namespace crossdock {

inline void SetThreadName(const std::string& name) {
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace crossdock
