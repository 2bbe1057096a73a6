// Test helper: the table-driven golden-file check shared by the codec tests. In `dir`, every
// NAME.json is decoded with `decode`; with NAME.expected.json beside it, decoding must succeed
// and re-encode (canonical JSON) to exactly that file; with NAME.errors.txt, it must fail with
// an error at every JSON pointer listed there. Returns the number of cases run.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "codecs/canonical_json.h"

namespace crossdock::testing_util {

inline std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string Describe(const FieldErrors& errors) {
  std::string out;
  for (const auto& e : errors) out += "  " + e.pointer + ": " + e.detail + "\n";
  return out;
}

inline int RunGoldenFiles(const std::filesystem::path& dir,
                          const std::function<Decoded<Order>(const std::string&)>& decode) {
  namespace fs = std::filesystem;
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    fs::path p = entry.path();
    std::string name = p.filename().string();
    if (p.extension() != ".json" || name.find(".expected.") != std::string::npos) continue;
    fs::path stem = p;
    stem.replace_extension();
    fs::path expected = stem.string() + ".expected.json";
    fs::path errors = stem.string() + ".errors.txt";
    auto d = decode(ReadFile(p));
    SCOPED_TRACE(name);
    ++cases;
    if (fs::exists(expected)) {
      EXPECT_TRUE(d.ok()) << Describe(d.errors);
      if (!d.ok()) continue;
      std::string want = ReadFile(expected);
      while (!want.empty() && want.back() == '\n') want.pop_back();
      EXPECT_EQ(EncodeOrder(*d.value), want);
      continue;
    }
    EXPECT_TRUE(fs::exists(errors)) << "golden input without .expected.json or .errors.txt";
    EXPECT_FALSE(d.ok());
    std::ifstream in(errors);
    std::string pointer;
    while (std::getline(in, pointer)) {
      if (pointer.empty()) continue;
      bool found = std::any_of(d.errors.begin(), d.errors.end(),
                               [&](const FieldError& e) { return e.pointer == pointer; });
      EXPECT_TRUE(found) << "no error at " << pointer << "; got\n" << Describe(d.errors);
    }
  }
  return cases;
}

}  // namespace crossdock::testing_util
