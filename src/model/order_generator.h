// OrderGenerator: synthetic, valid canonical orders for demos, benchmarks and tests.
// Deterministic for a given seed. Not thread-safe: one generator per thread.
#pragma once

#include <cstdint>
#include <string>

#include "base/random.h"
#include "model/order.h"

namespace crossdock {

class OrderGenerator {
 public:
  // `channel` names the channel; external refs are "<prefix>-<n>" with n counting from 1.
  OrderGenerator(uint64_t seed, std::string channel, std::string ref_prefix);
  // The next order (without server-owned fields); its totals add up.
  Order Next();

 private:
  SeededRandom random_;
  std::string channel_;
  std::string prefix_;
  uint64_t n_ = 0;
};

}  // namespace crossdock
