#pragma once
// Readable tables for the terminal, from the same JSON results the --json output prints.
#include <nlohmann/json.hpp>
#include <string>

namespace vramplan::cli {

std::string estimate_table(const nlohmann::json& result, bool explain);
std::string catalog_table(const nlohmann::json& catalog);
std::string fit_table(const nlohmann::json& fit);
std::string plan_table(const nlohmann::json& plan);
std::string perf_table(const nlohmann::json& perf);

}  // namespace vramplan::cli
