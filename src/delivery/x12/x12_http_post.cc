#include "delivery/x12/x12_http_post.h"

namespace crossdock {

FolderTransport::Poster X12HttpPoster(std::string url, std::string api_key,
                                      std::chrono::milliseconds timeout,
                                      std::function<std::unique_ptr<HttpClient>()> clients) {
  return [url = std::move(url), api_key = std::move(api_key), timeout,
          clients = std::move(clients)](const std::string& name, std::string_view bytes) -> Status {
    ClientRequest req{"POST",
                      url,
                      {{"Content-Type", "application/edi-x12"}, {"X-Crossdock-File", name}},
                      std::string(bytes),
                      timeout};
    if (!api_key.empty()) req.headers.push_back({"Authorization", "Bearer " + api_key});
    auto answer = clients()->Send(req);
    if (!answer.ok()) return answer.status();
    if (answer->status / 100 != 2) {
      return Unavailable("the partner answered HTTP " + std::to_string(answer->status) + " to " +
                         name);
    }
    return Status::Ok();
  };
}

}  // namespace crossdock
