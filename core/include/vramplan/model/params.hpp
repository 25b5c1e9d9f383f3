#pragma once
// The model's tensors, group by group, as the checkpoint stores them.
#include <cstdint>
#include <string>
#include <vector>

#include "vramplan/common/messages.hpp"
#include "vramplan/model/architecture.hpp"

namespace vramplan {

enum class TensorClass { embedding, attention, mlp, experts, shared_experts, router, norm, lm_head, mtp, vision };
const char* to_string(TensorClass cls);
Msg tensor_class_label(TensorClass cls);  // the class's name for people

// How tensor parallelism divides a tensor between ranks.
enum class Shard {
  replicated,  // every rank holds all of it (norms, router, MLA latent projections)
  column,      // output rows split (q/k/v, gate/up, vocab-parallel embedding and lm_head)
  row,         // input columns split (o_proj, down_proj)
  kv_heads,    // split by KV heads, one head per rank when kv_heads < TP (vLLM's QKVParallelLinear)
};

// One kind of tensor, present `per_layer` times in each layer listed in `layers`
// (or `per_layer` times in the whole model when `layers` is empty).
struct TensorGroup {
  std::string name;       // checkpoint-style name, '*' for the layer index: "layers.*.self_attn.q_proj.weight"
  std::string gguf_role;  // llama.cpp's tensor name: "attn_q", "ffn_down_exps", "token_embd" ...
  TensorClass cls = TensorClass::attention;
  std::int64_t rows = 1;              // output features (a 1-D tensor has rows = 1)
  std::int64_t cols = 1;              // input features / elements of a vector
  std::int64_t per_layer = 1;         // instances in one layer (e.g. the number of experts)
  std::int64_t active_per_layer = 1;  // instances one token reads (experts_per_token for routed experts)
  bool matrix = true;                 // a 2-D weight a quantizer may touch; biases and norms are not
  Shard shard = Shard::replicated;
  std::vector<int> layers;  // decoder layer indices; empty = outside the layers
  int pp_stage_hint = 0;    // for tensors outside the layers: 0 = first stage, 1 = last stage
  bool mtp = false;         // part of a multi-token-prediction module (loaded only for speculative decoding)

  std::int64_t elements() const { return rows * cols; }
  std::int64_t instances() const { return per_layer * (layers.empty() ? 1 : static_cast<std::int64_t>(layers.size())); }
  std::int64_t total_params() const { return elements() * instances(); }
  std::int64_t active_params() const {
    return elements() * active_per_layer * (layers.empty() ? 1 : static_cast<std::int64_t>(layers.size()));
  }
};

// One tensor group: `per_layer` instances of a rows x cols tensor (`active` of them read per token).
TensorGroup tensor_group(std::string name, std::string role, TensorClass cls, std::int64_t rows, std::int64_t cols,
                         Shard shard, std::int64_t per_layer = 1, std::int64_t active = 1, bool matrix = true);

struct ParamCount {
  std::int64_t total = 0;
  std::int64_t active = 0;  // parameters one token touches (MoE: routed experts_per_token + shared)
  std::int64_t embedding = 0;
  std::int64_t per_class[10] = {};  // indexed by TensorClass
};

// Enumerates every tensor of the model (decoder, MTP modules and vision tower).
std::vector<TensorGroup> enumerate_tensors(const Architecture& arch);
ParamCount count_params(const std::vector<TensorGroup>& tensors);

}  // namespace vramplan
