// A partner's order documents read as its configuration says (partners[].format, .mapping):
// `crossdock convert --from <partner id>` uses it, and `crossdock partner check <id>` runs the
// partner's sample documents (partners[].samples) through it and compares each with the
// canonical order checked in beside it (<name>.expected.json) or the errors it must be refused
// with (<name>.errors.txt, one "pointer: detail" per line): the partner's contract tests.
#pragma once

#include <string>

#include "app/config.h"
#include "codecs/decoded.h"
#include "codecs/partner_format.h"
#include "model/order.h"

namespace crossdock {

// How the partner's documents read: its format, channel, mapping and order limits.
PartnerFormat PartnerFormatOf(const PartnerConfig& partner);

// The partner's document as a canonical order; an error at "" when the partner has no format.
Decoded<Order> DecodeAsPartner(const PartnerConfig& partner, const std::string& document);

struct PartnerCheckCommand {
  std::string partner;
  bool json = false;  // one JSON summary instead of lines
};

// Exit codes: 0 every sample gives what is expected; 1 some do not (each named with the first
// difference); 2 bad usage (unknown partner, no format or samples, unreadable folder).
int RunPartnerCheck(const PartnerCheckCommand& command, const Config& config);

}  // namespace crossdock
