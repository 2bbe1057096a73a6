// `crossdock x12 parse FILE` prints the segment tree as JSON; `crossdock x12 validate FILE`
// prints the envelope check, each set's faults against the X12 dictionary (mandatory segments
// and elements, types, lengths) and the 997 it would send for each interchange.
#pragma once

#include <string>

namespace crossdock {

struct X12Command {
  std::string action;  // "parse" | "validate"
  std::string file;    // path, or "-" for stdin
  bool json = false;   // validate: one JSON object instead of text
};

// Exit codes: 0 readable, every envelope agrees and every set passes the dictionary; 1 errors
// found (listed with segment,
// element and byte); 2 bad usage or unreadable file.
int RunX12Command(const X12Command& command);

}  // namespace crossdock
