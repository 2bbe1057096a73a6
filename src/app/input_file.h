// Reading a command's input: a file, or standard input for "-". Used by the format commands.
#pragma once

#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>

namespace crossdock {

// The whole input, or nullopt after printing "crossdock <command>: cannot read <path>".
inline std::optional<std::string> ReadCommandInput(const std::string& path,
                                                   const std::string& command) {
  if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "crossdock " << command << ": cannot read " << path << "\n";
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace crossdock
