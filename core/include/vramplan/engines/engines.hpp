#pragma once
// The engine profiles the tool knows, with the few facts about each that code outside the profile
// needs (request defaults, parallelism rules, planner and fit choices).
#include <cstdint>
#include <string>

#include "vramplan/model/architecture.hpp"

namespace vramplan {

struct EngineTraits {
  const char* id;              // canonical id: "vllm", "llama.cpp" ...
  bool splits_heads;           // tensor parallelism splits attention heads (TP must divide them)
  bool layer_split_default;    // several GPUs default to one pipeline stage each (llama.cpp, device_map)
  bool llama_cpp_cache_types;  // KV cache types are ggml's (q8_0, q4_0) rather than fp8
};

// An engine by id or alias ("llamacpp", "TRT-LLM", "hf" ...); nullptr if unknown.
const EngineTraits* find_engine(const std::string& id_or_alias);
// "generic, vllm, ..." for error messages.
std::string engine_ids_text();

// Tensor parallelism `tp` is valid for the model: it divides the attention heads, and it and the KV
// heads divide one another (vLLM replicates KV heads when there are fewer than ranks; MLA has no KV heads).
bool tp_valid(const Architecture& arch, std::int64_t tp);
// The largest power of two <= limit that divides `count` and is valid for the model (1 at least).
std::int64_t largest_valid_tp(const Architecture& arch, std::int64_t limit, std::int64_t count);

}  // namespace vramplan
