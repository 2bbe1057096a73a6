#include "flows/availability.h"

#include <algorithm>

namespace crossdock {

int64_t NodeAvailable(const InventoryLevel& level) {
  return std::max<int64_t>(0, level.available());
}

int64_t AvailableToPromise(const std::vector<InventoryLevel>& levels,
                           const std::vector<std::string>* nodes, int64_t safety_stock) {
  int64_t total = 0;
  for (const auto& l : levels) {
    if (nodes && std::find(nodes->begin(), nodes->end(), l.node) == nodes->end()) continue;
    total += NodeAvailable(l);
  }
  return std::max<int64_t>(0, total - safety_stock);
}

int64_t PublishedAvailability(int64_t atp, int64_t buffer_percent) {
  if (atp <= 0) return 0;
  return atp * (100 - std::clamp<int64_t>(buffer_percent, 0, 100)) / 100;
}

}  // namespace crossdock
