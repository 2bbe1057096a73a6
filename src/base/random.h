// Random: the only source of randomness in domain code. SeededRandom is deterministic
// (xoshiro256**) for tests and simulations; SystemRandom draws from OpenSSL's CSPRNG.
// Neither is thread-safe unless stated: SystemRandom is; give each thread its own SeededRandom.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace crossdock {

class Random {
 public:
  virtual ~Random() = default;
  virtual uint64_t NextU64() = 0;
  // Uniform in [0, bound) for bound > 0.
  uint64_t Uniform(uint64_t bound);
  // Uniform in [0, 1).
  double NextDouble();
};

class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed);
  uint64_t NextU64() override;

 private:
  uint64_t s_[4];
};

// Thread-safe.
class SystemRandom final : public Random {
 public:
  uint64_t NextU64() override;
  static SystemRandom& Instance();
};

// Thread-safe and fast: each thread draws from its own SeededRandom, seeded once from the
// system CSPRNG. For ids and trace ids (unique, unpredictable enough), not for key material.
class ThreadLocalRandom final : public Random {
 public:
  uint64_t NextU64() override;
  static ThreadLocalRandom& Instance();
};

// `bytes` random bytes from `random`, as 2 × `bytes` lower-case hex digits.
std::string RandomHex(Random& random, size_t bytes);

}  // namespace crossdock
