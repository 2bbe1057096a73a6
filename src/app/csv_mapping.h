// A partner's CSV inventory column mapping from its YAML file or a node's configuration (keys
// delimiter, sku, on_hand, as_of, node: codecs/csv.h CsvInventoryMapping), for `crossdock convert
// --from csv` and `crossdock reconcile inventory`.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "base/status.h"
#include "codecs/csv.h"

namespace crossdock {

// The mapping of a YAML map (a node's snapshots.mapping); `where` names it in errors.
Result<CsvInventoryMapping> CsvInventoryMappingOf(const YAML::Node& y, const std::string& where);

// InvalidArgument names the file and the unknown key or the YAML error.
Result<CsvInventoryMapping> LoadCsvInventoryMapping(const std::string& path);

}  // namespace crossdock
