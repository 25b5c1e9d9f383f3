#pragma once
// The engine registry: one row per engine profile. Everything outside a profile that needs to know
// about engines asks its row: request validation (ids, aliases, options), parallelism rules, the fit
// and planner choices (which KV dtypes and weight formats to try or suggest), the launch command, and the
// lists the CLI and the page show. Adding an engine is one file (its rule, options and launch command)
// plus one line in registry.cpp.
#include <cstdint>
#include <string>
#include <vector>

#include "vramplan/common/error.hpp"
#include "vramplan/engines/options.hpp"
#include "vramplan/formats/formats.hpp"
#include "vramplan/model/architecture.hpp"
#include "vramplan/model/cache.hpp"

namespace vramplan {

struct Deployment;
struct EngineOutcome;

// What a launch command needs: one replica's shape and limits.
struct LaunchRequest {
  std::string model;    // the catalog id (HuggingFace repo id) or the config's name
  WeightFormat format;  // the plan's weight format
  WeightFormat native;  // the checkpoint's own
  KvDtype kv;
  bool kv_auto = true;  // the model's own dtype: no KV flag
  std::int64_t tp = 1, pp = 1, replicas = 1;
  std::int64_t max_len = 0;        // tokens per request (prompt + output)
  std::int64_t prompt_tokens = 0;  // of which the prompt
  std::int64_t sequences = 1;      // concurrent sequences per replica
  bool moe = false;
};

struct EngineProfile {
  const char* id;       // canonical id: "vllm", "llama.cpp" ...
  const char* name;     // as people write it: "vLLM", "llama.cpp"
  const char* aliases;  // other accepted ids, '|'-separated ("llamacpp|llama-cpp|llama-server")
  Msg doc;              // one line: what the profile models

  // Parallelism.
  bool splits_heads;         // tensor parallelism splits attention heads (TP must divide them)
  bool layer_split_default;  // several GPUs default to one pipeline stage each (llama.cpp, device_map)

  // What the engine accepts, best first: KV cache dtypes (ids of find_kv_dtype; "auto" = the model's) and,
  // for fit's "best format", the weight formats to try.
  const char* kv_dtypes;
  const char* format_ladder;

  Span<OptionSpec> options;
  Expected<EngineOutcome> (*run)(const Deployment&);
  // The command that starts one replica, or nullptr: the engine has no launcher these settings map to.
  std::string (*launch)(const LaunchRequest&);

  // dtype "auto" runs a float32 checkpoint in 16 bits (serving engines); false: it loads as stored.
  bool fp32_checkpoints_in_16bit = false;
  // The engine can place whole routed experts on each GPU (vLLM --enable-expert-parallel, SGLang --ep-size,
  // TensorRT-LLM moe_expert_parallel_size); false: hardware.expert_parallel is refused.
  bool expert_parallel = false;

  bool accepts_kv(const std::string& kv_id) const;
  std::vector<std::string> kv_dtype_list() const;
  std::vector<std::string> format_list() const;
};

// Every profile, in the order the CLI and the page list them.
Span<const EngineProfile*> engines();
// An engine by id or alias, case-insensitive ("llamacpp", "TRT-LLM", "hf" ...); nullptr if unknown.
const EngineProfile* find_engine(const std::string& id_or_alias);
const EngineProfile& generic_engine();
// "generic, vllm, ..." for error messages.
std::string engine_ids_text();

// Tensor parallelism `tp` is valid for the model: it divides the attention heads, and it and the KV
// heads divide one another (vLLM replicates KV heads when there are fewer than ranks; MLA has no KV heads).
bool tp_valid(const Architecture& arch, std::int64_t tp);
// The largest power of two <= limit that divides `count` and is valid for the model (1 at least).
std::int64_t largest_valid_tp(const Architecture& arch, std::int64_t limit, std::int64_t count);

}  // namespace vramplan
