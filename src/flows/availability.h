// Available to promise: what a channel (or anyone, with every node) may sell of one SKU, from
// the stock ledger's positions: each selling node's on hand less reserved (not below 0),
// summed, less the channel's safety stock (not below 0). Pure; one rule for the availability
// API and the feeds to channels.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/records.h"

namespace crossdock {

// A node's own availability: on hand less reserved, not below 0.
int64_t NodeAvailable(const InventoryLevel& level);

// `nodes`: the nodes that sell to the channel; nullptr = every node.
int64_t AvailableToPromise(const std::vector<InventoryLevel>& levels,
                           const std::vector<std::string>* nodes, int64_t safety_stock = 0);

// What a channel is told of `atp` when it holds back a `buffer_percent` share (0–100):
// atp × (100 − buffer_percent) / 100, rounded down.
int64_t PublishedAvailability(int64_t atp, int64_t buffer_percent);

}  // namespace crossdock
