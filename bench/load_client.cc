#include "bench/load_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <mutex>
#include <thread>

namespace crossdock::bench {

namespace {

int Connect(const std::string& host, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool WriteAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(fd, data.data() + off, data.size() - off);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// Reads one response; returns its status or -1. `buf` keeps bytes of the next response.
int ReadResponse(int fd, std::string& buf) {
  size_t header_end;
  char chunk[8192];
  while ((header_end = buf.find("\r\n\r\n")) == std::string::npos) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n <= 0) return -1;
    buf.append(chunk, static_cast<size_t>(n));
  }
  int status = std::atoi(buf.c_str() + 9);
  size_t length = 0;
  for (const char* name : {"Content-Length: ", "content-length: "}) {
    auto p = buf.find(name);
    if (p != std::string::npos && p < header_end)
      length = std::strtoul(buf.c_str() + p + 16, nullptr, 10);
  }
  size_t total = header_end + 4 + length;
  while (buf.size() < total) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n <= 0) return -1;
    buf.append(chunk, static_cast<size_t>(n));
  }
  buf.erase(0, total);
  return status;
}

}  // namespace

long long PeakRssKb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

LoadResult RunLoad(const std::string& host, int port, const std::string& path,
                   const std::string& api_key, const std::vector<LoadRequest>& requests,
                   int concurrency) {
  // Build every request up front.
  std::vector<std::string> wire(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    wire[i] =
        "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + api_key +
        "\r\nContent-Type: application/json\r\nIdempotency-Key: " + requests[i].idempotency_key +
        "\r\nContent-Length: " + std::to_string(requests[i].body.size()) + "\r\n\r\n" +
        requests[i].body;
  }
  return RunWire(host, port, wire, concurrency, 201);
}

std::string GetRequest(const std::string& host, const std::string& target,
                       const std::string& api_key) {
  return "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + api_key +
         "\r\nAccept: application/json\r\n\r\n";
}

LoadResult RunWire(const std::string& host, int port, const std::vector<std::string>& wire,
                   int concurrency, int ok_status) {
  LoadResult result;
  std::mutex mu;
  std::atomic<size_t> next{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&] {
      LoadResult local;
      int fd = Connect(host, port);
      std::string buf;
      while (true) {
        size_t i = next.fetch_add(1);
        if (i >= wire.size()) break;
        if (fd < 0) fd = Connect(host, port);
        auto t0 = std::chrono::steady_clock::now();
        int status = fd >= 0 && WriteAll(fd, wire[i]) ? ReadResponse(fd, buf) : -1;
        auto t1 = std::chrono::steady_clock::now();
        if (status == ok_status) {
          ++local.accepted;
          local.latency_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        } else if (status < 0) {
          ++local.errors;
          if (fd >= 0) close(fd);
          fd = -1;
          buf.clear();
        } else {
          ++local.other;
        }
      }
      if (fd >= 0) close(fd);
      std::lock_guard lock(mu);
      result.accepted += local.accepted;
      result.other += local.other;
      result.errors += local.errors;
      result.latency_ms.insert(result.latency_ms.end(), local.latency_ms.begin(),
                               local.latency_ms.end());
    });
  }
  for (auto& t : threads) t.join();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace crossdock::bench
