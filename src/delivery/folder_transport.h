// FolderTransport: files exchanged with one trading partner through folders under `root` (X12
// interchanges of an x12 node, inventory snapshots of a node's snapshot folder):
//   outbound/           files Crossdock sends; the partner (or an SFTP job) takes them away
//   inbound/            files the partner sends; read in order of arrival (mtime, then name)
//   archive/sent/       a copy of every file sent
//   archive/received/   received files once their effects are stored
//   failed/             received files that cannot be read, each with <name>.error.txt
// Every write is atomic: the bytes go to a dot-name in the target folder, are fsynced, renamed
// to the real name and the folder is fsynced, so the partner never sees half a file and a crash
// leaves at most a dot-file behind (Prepare removes those). Dot-files in inbound/ are the
// partner's own files in progress and are not read. Thread-safe for distinct file names.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"

namespace crossdock {

class FolderTransport {
 public:
  explicit FolderTransport(std::string root);
  const std::string& root() const { return root_; }
  // Creates the folders and removes temporary files a crash left in outbound/ and the archive.
  Status Prepare();
  // Writes `bytes` as archive/sent/<name>, then as outbound/<name> (or hands them to the poster,
  // when one is set). Writing the same name again replaces the file (a retried command sends
  // the same interchange).
  Status Send(const std::string& name, std::string_view bytes);
  // Outbound files go to `post` (an HTTP POST to the partner, say) instead of outbound/; the
  // copy in archive/sent/ is kept all the same. Set before use.
  using Poster = std::function<Status(const std::string& name, std::string_view bytes)>;
  void SetPoster(Poster post) { post_ = std::move(post); }
  // Writes `bytes` as inbound/<name> (a partner's file that arrived another way, by HTTP POST).
  Status Receive(const std::string& name, std::string_view bytes);
  // Names of the files waiting in inbound/, oldest first.
  Result<std::vector<std::string>> Inbound() const;
  Result<std::string> ReadInbound(const std::string& name) const;
  // When inbound/<name> was last written (the partner's time of the file).
  Result<TimePoint> InboundModifiedAt(const std::string& name) const;
  // Moves inbound/<name> to archive/received/ (under a new name when one is taken already).
  Status Archive(const std::string& name);
  // Moves inbound/<name> to failed/ (as <name>.1, … when the name is taken) and writes `error`
  // beside it as <that name>.error.txt.
  Status Fail(const std::string& name, const std::string& error);

 private:
  std::string Path(const char* folder, const std::string& name) const;
  // `error`, when given, is written as <target>.error.txt beside the moved file.
  Status MoveFromInbound(const char* folder, const std::string& name,
                         const std::string* error = nullptr);
  std::string root_;
  Poster post_;
};

// Writes `bytes` to `path` atomically (temporary dot-file, fsync, rename, fsync of the folder).
Status WriteFileAtomically(const std::string& path, std::string_view bytes);

}  // namespace crossdock
