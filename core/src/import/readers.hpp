#pragma once
// Private to the importer: the readers config.cpp chains, and the limits they check against.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "families.hpp"
#include "vramplan/api/json_read.hpp"
#include "vramplan/common/strings.hpp"
#include "vramplan/model/architecture.hpp"

namespace vramplan::import {

constexpr std::int64_t kMaxDim = 1 << 20;  // hidden/intermediate sizes
constexpr std::int64_t kMaxLayers = 4096;
constexpr std::int64_t kMaxHeads = 4096;
constexpr std::int64_t kMaxVocab = 1 << 23;
constexpr std::int64_t kMaxExperts = 16384;
constexpr std::int64_t kMaxContext = std::int64_t{1} << 32;

// Every layer's mixer, MLP kind and own geometry (layout.cpp).
Status read_layer_layout(JsonReader& r, const nlohmann::json& merged, const Family& fam, Architecture& a);
// The recurrent mixers' and the indexer's sizes, for the kinds the layout uses (layout.cpp).
Status read_state_specs(JsonReader& r, const nlohmann::json& merged, Architecture& a);
// The keys of `merged` neither read nor known to change nothing in memory (keys.cpp), in the config's order.
std::vector<std::string> unread_keys(const nlohmann::json& merged, const std::set<std::string>& read);
// The checkpoint's quantisation, every method's keys (quantization.cpp).
Status read_quantization(const nlohmann::json& merged, const JsonReader& r, Architecture& a);

}  // namespace vramplan::import
