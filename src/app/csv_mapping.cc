#include "app/csv_mapping.h"

namespace crossdock {

Result<CsvInventoryMapping> CsvInventoryMappingOf(const YAML::Node& y, const std::string& where) {
  CsvInventoryMapping m;
  try {
    if (!y.IsMap()) return InvalidArgument(where + ": must be a map of column names");
    for (const auto& kv : y) {
      std::string key = kv.first.as<std::string>(), value = kv.second.as<std::string>();
      if (key == "delimiter" && value.size() == 1) {
        m.delimiter = value[0];
      } else if (key == "sku") {
        m.sku = value;
      } else if (key == "on_hand") {
        m.on_hand = value;
      } else if (key == "as_of") {
        m.as_of = value;
      } else if (key == "node") {
        m.node = value;
      } else {
        return InvalidArgument(where + ": unknown key '" + key +
                               "' (delimiter of one character, sku, on_hand, as_of, node)");
      }
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgument(where + ": " + e.what());
  }
  return m;
}

Result<CsvInventoryMapping> LoadCsvInventoryMapping(const std::string& path) {
  try {
    return CsvInventoryMappingOf(YAML::LoadFile(path), path);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(path + ": " + e.what());
  }
}

}  // namespace crossdock
