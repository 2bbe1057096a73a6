#include "delivery/folder_transport.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace crossdock {

namespace fs = std::filesystem;

namespace {

constexpr const char* kOutbound = "outbound";
constexpr const char* kInbound = "inbound";
constexpr const char* kSent = "archive/sent";
constexpr const char* kReceived = "archive/received";
constexpr const char* kFailed = "failed";

Status Errno(const std::string& what, const std::string& path) {
  return Unavailable(what + " " + path + ": " + std::strerror(errno));
}

Status FsyncPath(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open", path);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Errno("cannot fsync", path);
  return Status::Ok();
}

// A file name the partner may use: no folders, no dot-files.
bool SafeName(const std::string& name) {
  return !name.empty() && name[0] != '.' && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

}  // namespace

Status WriteFileAtomically(const std::string& path, std::string_view bytes) {
  fs::path target(path);
  fs::path temp = target.parent_path() / ("." + target.filename().string() + ".tmp");
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return Errno("cannot create", temp.string());
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = Errno("cannot write", temp.string());
      ::close(fd);
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status s = Errno("cannot fsync", temp.string());
    ::close(fd);
    return s;
  }
  ::close(fd);
  if (::rename(temp.c_str(), target.c_str()) != 0) return Errno("cannot rename to", path);
  return FsyncPath(target.parent_path().string(), O_RDONLY | O_DIRECTORY);
}

FolderTransport::FolderTransport(std::string root) : root_(std::move(root)) {}

std::string FolderTransport::Path(const char* folder, const std::string& name) const {
  return (fs::path(root_) / folder / name).string();
}

Status FolderTransport::Prepare() {
  for (const char* folder : {kOutbound, kInbound, kSent, kReceived, kFailed}) {
    std::error_code ec;
    fs::create_directories(fs::path(root_) / folder, ec);
    if (ec) return Unavailable("cannot create " + Path(folder, "") + ": " + ec.message());
  }
  // Our own temporary files (".<name>.tmp") left by a crash; inbound/ belongs to the partner.
  for (const char* folder : {kOutbound, kSent, kReceived, kFailed}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::path(root_) / folder, ec)) {
      std::string name = entry.path().filename().string();
      if (name.starts_with(".") && name.ends_with(".tmp")) fs::remove(entry.path(), ec);
    }
  }
  return Status::Ok();
}

Status FolderTransport::Send(const std::string& name, std::string_view bytes) {
  if (!SafeName(name)) return InvalidArgument("unusable file name '" + name + "'");
  CROSSDOCK_RETURN_IF_ERROR(WriteFileAtomically(Path(kSent, name), bytes));
  if (post_) return post_(name, bytes);
  return WriteFileAtomically(Path(kOutbound, name), bytes);
}

Status FolderTransport::Receive(const std::string& name, std::string_view bytes) {
  if (!SafeName(name)) return InvalidArgument("unusable file name '" + name + "'");
  return WriteFileAtomically(Path(kInbound, name), bytes);
}

Result<std::vector<std::string>> FolderTransport::Inbound() const {
  std::error_code ec;
  std::vector<std::pair<fs::file_time_type, std::string>> files;
  for (const auto& entry : fs::directory_iterator(fs::path(root_) / kInbound, ec)) {
    std::string name = entry.path().filename().string();
    std::error_code entry_ec;
    if (!SafeName(name) || !entry.is_regular_file(entry_ec)) continue;
    auto mtime = entry.last_write_time(entry_ec);
    if (entry_ec) continue;  // gone meanwhile
    files.emplace_back(mtime, std::move(name));
  }
  if (ec) return Unavailable("cannot list " + Path(kInbound, "") + ": " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<std::string> out;
  out.reserve(files.size());
  for (auto& f : files) out.push_back(std::move(f.second));
  return out;
}

Result<std::string> FolderTransport::ReadInbound(const std::string& name) const {
  if (!SafeName(name)) return InvalidArgument("unusable file name '" + name + "'");
  std::ifstream in(Path(kInbound, name), std::ios::binary);
  if (!in) return Unavailable("cannot read " + Path(kInbound, name));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

Result<TimePoint> FolderTransport::InboundModifiedAt(const std::string& name) const {
  if (!SafeName(name)) return InvalidArgument("unusable file name '" + name + "'");
  std::error_code ec;
  auto mtime = fs::last_write_time(Path(kInbound, name), ec);
  if (ec) return Unavailable("cannot stat " + Path(kInbound, name) + ": " + ec.message());
  // Whole microseconds, as the store keeps times.
  return TimePoint(std::chrono::time_point_cast<Duration>(std::chrono::file_clock::to_sys(mtime)));
}

Status FolderTransport::MoveFromInbound(const char* folder, const std::string& name,
                                        const std::string* error) {
  if (!SafeName(name)) return InvalidArgument("unusable file name '" + name + "'");
  std::string target = Path(folder, name);
  for (int n = 1; fs::exists(target); ++n) target = Path(folder, name + "." + std::to_string(n));
  // The reasons go beside the file under its own (possibly numbered) name, so a file that
  // fails again under the same name keeps each error with its file.
  if (error) CROSSDOCK_RETURN_IF_ERROR(WriteFileAtomically(target + ".error.txt", *error + "\n"));
  if (::rename(Path(kInbound, name).c_str(), target.c_str()) != 0) {
    return Errno("cannot move " + Path(kInbound, name) + " to", target);
  }
  CROSSDOCK_RETURN_IF_ERROR(FsyncPath(Path(folder, ""), O_RDONLY | O_DIRECTORY));
  return FsyncPath(Path(kInbound, ""), O_RDONLY | O_DIRECTORY);
}

Status FolderTransport::Archive(const std::string& name) {
  return MoveFromInbound(kReceived, name);
}

Status FolderTransport::Fail(const std::string& name, const std::string& error) {
  return MoveFromInbound(kFailed, name, &error);
}

}  // namespace crossdock
