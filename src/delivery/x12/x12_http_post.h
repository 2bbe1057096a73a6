// X12 over HTTP POST, the second transport of an x12 node (docs/x12.md, "HTTP POST"): each
// outbound interchange is POSTed to the partner's URL (Content-Type application/edi-x12, the
// file name in X-Crossdock-File, "Authorization: Bearer <key>" when a key is set); any 2xx
// is delivery, anything else an error the outbox retries (the same bytes: the control numbers
// are kept, so the partner discards a repeat by its ISA13). Inbound interchanges arrive at
// POST /v1/nodes/{node}/x12 and join the node's inbound folder.
#pragma once

#include <string>

#include "delivery/folder_transport.h"
#include "delivery/http_client.h"

namespace crossdock {

// `timeout`: each POST's deadline (the node's timeout_ms).
FolderTransport::Poster X12HttpPoster(
    std::string url, std::string api_key, std::chrono::milliseconds timeout,
    std::function<std::unique_ptr<HttpClient>()> clients = HttpClient::Create);

}  // namespace crossdock
