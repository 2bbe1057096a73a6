// Percentiles of a sample, for benchmarks, demos and tests. Pure.
#pragma once

#include <vector>

namespace crossdock {

// The p-th percentile (0..100, nearest rank) of `values`; 0 when there are none.
double Percentile(std::vector<double> values, double p);

}  // namespace crossdock
