#pragma once
// Deployment planning: workload and latency targets -> ranked hardware plans.
#include <nlohmann/json.hpp>
#include <string>

#include "vramplan/catalog/catalog.hpp"

namespace vramplan {

// The plan request and result of API.md ("Plan request and result"), never throws.
nlohmann::json plan_json(const nlohmann::json& request, const Catalog& catalog = builtin_catalog());
std::string plan_text(const std::string& request_text);

}  // namespace vramplan
