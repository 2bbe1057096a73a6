// Versioned schema migrations for the SQLite store. Migration N moves `PRAGMA user_version`
// from N-1 to N inside one transaction; applied ones are never edited, only appended.
#pragma once

#include "base/status.h"
#include "store/sqlite/db.h"

namespace crossdock::sqlite {

// The schema version this build writes.
int LatestSchemaVersion();
// Applies every migration above the database's user_version. FailedPrecondition-like
// Internal error when the database is newer than this build.
Status Migrate(Db& db);

}  // namespace crossdock::sqlite
