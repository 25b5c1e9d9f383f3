#pragma once
// Private to the model layer: the vision towers counted tensor by tensor in vision.cpp.
#include <vector>

#include "vramplan/model/architecture.hpp"
#include "vramplan/model/params.hpp"

namespace vramplan::vision {

// Appends the tower and projector of `arch.vision` when its kind is one vision.cpp knows (Qwen2.5-VL,
// Qwen3-VL / Qwen3.5, GLM-4.1V / 4.5V, Kimi-K2.5's MoonViT, InternVL); returns false otherwise, leaving
// `out` untouched, so params.cpp counts the kinds it knows itself (SigLIP, Pixtral, Llama 4).
bool append_tower(const Architecture& arch, std::vector<TensorGroup>& out);

}  // namespace vramplan::vision
