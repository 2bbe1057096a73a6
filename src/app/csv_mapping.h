// A partner's CSV inventory column mapping from its YAML file (keys delimiter, sku, on_hand,
// as_of, node: codecs/csv.h CsvInventoryMapping), for `crossdock convert --from csv` and
// `crossdock reconcile inventory`.
#pragma once

#include <string>

#include "base/status.h"
#include "codecs/csv.h"

namespace crossdock {

// InvalidArgument names the file and the unknown key or the YAML error.
Result<CsvInventoryMapping> LoadCsvInventoryMapping(const std::string& path);

}  // namespace crossdock
