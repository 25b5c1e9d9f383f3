#include <cctype>

#include "vramplan/common/strings.hpp"
#include "vramplan/engines/engines.hpp"

namespace vramplan {
namespace {

const EngineTraits kEngines[] = {
    // id            splits_heads layer_split_default llama_cpp_cache_types
    {"generic", true, false, false},
    {"vllm", true, false, false},
    {"sglang", true, false, false},
    {"llama.cpp", false, true, true},
    {"ollama", false, true, true},
    {"transformers", true, true, false},  // device_map splits layers; tp_plan splits heads
    {"tensorrt-llm", true, false, false},
    {"tgi", true, false, false},
    {"lmdeploy", true, false, false},
    {"ktransformers", false, true, true},
};

const char* const kAliases[][2] = {
    {"llamacpp", "llama.cpp"},       {"llama-cpp", "llama.cpp"},           {"llama-server", "llama.cpp"},
    {"trtllm", "tensorrt-llm"},      {"trt-llm", "tensorrt-llm"},          {"hf", "transformers"},
    {"huggingface", "transformers"}, {"text-generation-inference", "tgi"}, {"turbomind", "lmdeploy"},
};

}  // namespace

const EngineTraits* find_engine(const std::string& id_or_alias) {
  std::string id = lower(id_or_alias);
  for (const auto& a : kAliases)
    if (id == a[0]) id = a[1];
  for (const auto& e : kEngines)
    if (id == e.id) return &e;
  return nullptr;
}

std::string engine_ids_text() {
  std::string out;
  for (const auto& e : kEngines) out += (out.empty() ? "" : ", ") + std::string(e.id);
  return out;
}

bool tp_valid(const Architecture& a, std::int64_t tp) {
  if (tp < 1 || a.num_heads % tp != 0) return false;
  if (a.is_mla()) return true;
  return a.num_kv_heads >= tp ? a.num_kv_heads % tp == 0 : tp % a.num_kv_heads == 0;
}

std::int64_t largest_valid_tp(const Architecture& a, std::int64_t limit, std::int64_t count) {
  std::int64_t tp = 1;
  while (tp * 2 <= limit) tp *= 2;
  while (tp > 1 && (count % tp != 0 || !tp_valid(a, tp))) tp /= 2;
  return tp;
}

}  // namespace vramplan
