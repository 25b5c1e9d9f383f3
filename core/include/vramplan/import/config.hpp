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

// The same with the repository's hf_quant_config.json (NVIDIA ModelOpt checkpoints whose config.json has no
// quantization_config). Engines fall back to that file when config.json has none: vLLM's get_config
// (transformers_utils/config.py) loads it as the quantization_config the modelopt method reads, TensorRT-LLM's
// ModelOPTQuantConfigReader reads the same file. A config.json's own quantization_config wins, as there.
// `quant_field` names the file's request field for errors.
Expected<Architecture> parse_hf_config(const nlohmann::json& config, const nlohmann::json& hf_quant_config,
                                       const std::string& field, const std::string& quant_field);

}  // namespace vramplan
