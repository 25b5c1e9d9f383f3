#pragma once
// HuggingFace config.json -> Architecture.
#include <nlohmann/json.hpp>
#include <string>

#include "vramplan/common/error.hpp"
#include "vramplan/model/architecture.hpp"

namespace vramplan {

// Reads a config.json object (multimodal configs: the text model under text_config/llm_config).
// `field` names the request field for errors ("model.config").
Expected<Architecture> parse_hf_config(const nlohmann::json& config, const std::string& field);

}  // namespace vramplan
