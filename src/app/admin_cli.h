// `crossdock dead-letters …`: the operator's command line for the dead-letter API of a running
// server. Talks HTTP to --url with the operator key from CROSSDOCK_API_KEY; prints JSON.
#pragma once

#include <optional>
#include <string>

namespace crossdock {

struct DeadLetterCommand {
  std::string action;  // list | show | replay | replay-all | discard
  std::string url = "http://127.0.0.1:8080";
  std::string id;
  std::string destination;
  std::string error_class;
  int64_t older_than_s = -1;
  int max = 100;
  double per_second = 10;
  std::string reason;
  std::string payload_file;  // replay: a JSON file with the edited payload
};

// Returns the exit code: 0 on a 2xx answer, 1 otherwise (the problem is printed on stderr),
// 2 on bad usage.
int RunDeadLetterCommand(const DeadLetterCommand& command);

}  // namespace crossdock
