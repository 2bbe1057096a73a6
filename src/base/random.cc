#include "base/random.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cstdlib>

#include "base/crypto.h"

namespace crossdock {

uint64_t Random::Uniform(uint64_t bound) {
  // Lemire-free simple rejection to avoid modulo bias.
  uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t v;
  do {
    v = NextU64();
  } while (v >= limit);
  return v % bound;
}

double Random::NextDouble() {
  return static_cast<double>(NextU64() >> 11) * 0x1.0p-53;
}

namespace {
uint64_t SplitMix(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
uint64_t Rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}
}  // namespace

SeededRandom::SeededRandom(uint64_t seed) {
  for (auto& s : s_) s = SplitMix(seed);
}

uint64_t SeededRandom::NextU64() {
  uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

uint64_t SystemRandom::NextU64() {
  uint64_t v = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v) != 1) {
    // The CSPRNG failing is an unrecoverable environment fault.
    std::abort();
  }
  return v;
}

SystemRandom& SystemRandom::Instance() {
  static SystemRandom r;
  return r;
}

std::string RandomHex(Random& r, size_t bytes) {
  std::string raw;
  while (raw.size() < bytes) {
    uint64_t v = r.NextU64();
    raw.append(reinterpret_cast<const char*>(&v), std::min(sizeof v, bytes - raw.size()));
  }
  return HexEncode(raw);
}

uint64_t ThreadLocalRandom::NextU64() {
  thread_local SeededRandom random(SystemRandom::Instance().NextU64());
  return random.NextU64();
}

ThreadLocalRandom& ThreadLocalRandom::Instance() {
  static ThreadLocalRandom r;
  return r;
}

}  // namespace crossdock
