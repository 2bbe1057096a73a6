#include "bench/bench_server.h"

#include <chrono>
#include <filesystem>
#include <thread>

#include "delivery/http_client.h"

namespace crossdock::bench {

Result<std::unique_ptr<ChildProcess>> StartCrossdock(const std::string& bin_dir,
                                                     const std::string& config,
                                                     const std::string& url) {
  auto server = ChildProcess::Spawn(
      {(std::filesystem::path(bin_dir) / "crossdock").string(), "serve", "--config", config}, {});
  if (!server.ok()) return server.status();
  auto client = HttpClient::Create();
  for (int i = 0; i < 400; ++i) {
    auto r = client->Send({"GET", url + "/readyz", {}, "", std::chrono::milliseconds(500)});
    if (r.ok() && r->status == 200) return std::move(*server);
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return Unavailable("crossdock did not become ready");
}

}  // namespace crossdock::bench
