#pragma once
// Private to the importer: the vision towers of vision.cpp (model/vision.cpp counts their tensors).
#include <nlohmann/json.hpp>
#include <string>

#include "vramplan/common/error.hpp"
#include "vramplan/model/architecture.hpp"

namespace vramplan::import {

// Fills `a.vision` from `config`'s vision_config when the checkpoint's family (top-level model_type, or the
// vision_config's own) is one vision.cpp models: Qwen2.5-VL, Qwen3-VL(-MoE), Qwen3.5(-MoE), GLM-4.1V/4.5V,
// Kimi-K2.5, InternVL (transformers format). Sets *handled; leaves `a` alone when it is not such a family.
Status read_vision_family(const nlohmann::json& config, const std::string& field, Architecture& a, bool* handled);

}  // namespace vramplan::import
