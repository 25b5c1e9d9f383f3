#pragma once
// engine_options in a request -> the engine's validated options; an engine's row -> JSON (catalog engines).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vramplan/engines/engine.hpp"

namespace vramplan {

// Validates each value against the engine's option list (type, range, choices); unknown names become warnings.
Expected<EngineOptions> read_engine_options(const nlohmann::json& engine_options, const EngineProfile& engine,
                                            std::vector<Text>* warnings);

// {"id", "name", "aliases", "doc", "kv_cache_dtypes", "weight_formats", "launch_command", "options": [...]}
nlohmann::json engine_json(const EngineProfile& engine);

}  // namespace vramplan
