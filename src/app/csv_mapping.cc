#include "app/csv_mapping.h"

#include <yaml-cpp/yaml.h>

namespace crossdock {

Result<CsvInventoryMapping> LoadCsvInventoryMapping(const std::string& path) {
  CsvInventoryMapping m;
  try {
    YAML::Node y = YAML::LoadFile(path);
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
        return InvalidArgument(path + ": unknown key '" + key +
                               "' (delimiter, sku, on_hand, as_of, node)");
      }
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgument(path + ": " + e.what());
  }
  return m;
}

}  // namespace crossdock
