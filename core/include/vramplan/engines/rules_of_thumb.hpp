#pragma once
// The seeds' popular formulas, computed beside the detailed model so a reader sees how far each is off.
#include <cstdint>
#include <vector>

#include "vramplan/engines/estimate.hpp"

namespace vramplan {

// Nominal bytes per parameter the seeds use for a format: 2 for 16-bit, 1 for 8-bit, 0.5 for 4-bit.
double nominal_bytes_per_param(const WeightFormat& fmt);

std::vector<RuleOfThumb> rules_of_thumb(std::int64_t params, const WeightFormat& fmt, std::int64_t kv_bytes,
                                        std::int64_t detailed_total);

}  // namespace vramplan
