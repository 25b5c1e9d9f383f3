#pragma once
// A decoder-only transformer, normalised from a HuggingFace config.json.
// Every formula in the core reads this struct; nothing downstream looks at model_type.
#include <cstdint>
#include <string>
#include <vector>

#include "vramplan/common/text.hpp"

namespace vramplan {

enum class AttentionKind {
  full,     // ordinary causal attention over the whole context (MHA / GQA / MQA)
  sliding,  // holds the last `window` tokens
  chunked,  // Llama 4 local attention: tokens of the current chunk only (worst case `window`)
  mla,      // DeepSeek multi-head latent attention: one compressed latent per token
  linear,   // linear attention / state-space layer: a constant-size state per sequence
};
const char* to_string(AttentionKind kind);

struct LayerSpec {
  AttentionKind attention = AttentionKind::full;
  std::int64_t window = 0;  // tokens, for sliding and chunked layers
  bool moe = false;         // the MLP of this layer is a mixture of experts
};

// Constant per-sequence state of a linear-attention (gated delta net) layer, in elements.
struct LinearAttentionSpec {
  std::int64_t num_key_heads = 0;
  std::int64_t num_value_heads = 0;
  std::int64_t key_head_dim = 0;
  std::int64_t value_head_dim = 0;
  std::int64_t conv_kernel = 0;
};

struct QuantizationConfig {
  std::string method;  // "", "gptq", "awq", "fp8", "mxfp4", "bitsandbytes", "compressed-tensors" ...
  int bits = 0;
  int group_size = 0;  // GPTQ/AWQ group size along the input dimension (-1 = per channel)
  int block_rows = 0;  // FP8 block scales (DeepSeek: 128 x 128)
  int block_cols = 0;
  bool desc_act = false;
  std::vector<std::string> modules_not_converted;  // e.g. gpt-oss keeps attention/router/embeddings in BF16
};

// A vision tower of a multimodal checkpoint (counted so totals match the official safetensors).
struct VisionTowerSpec {
  std::string kind;  // "siglip" (Gemma 3), "pixtral" (Mistral 3), "llama4"
  std::int64_t hidden_size = 0;
  std::int64_t intermediate_size = 0;
  std::int64_t num_layers = 0;
  std::int64_t num_heads = 0;
  std::int64_t image_size = 0;
  std::int64_t patch_size = 0;
  std::int64_t num_channels = 3;
  std::int64_t projector_out = 0;      // text hidden size the projector maps to
  std::int64_t projector_inner = 0;    // Llama 4: projector_input_dim / vision_output_dim
  std::int64_t spatial_merge = 1;      // Pixtral patch merger (2 x 2 patches -> 1)
  std::int64_t pixel_shuffle_dim = 0;  // Llama 4: hidden / pixel_shuffle_ratio^2
};

struct Architecture {
  std::string model_type;          // as in config.json, for display and warnings only
  std::string architecture;        // architectures[0]
  std::string dtype = "bfloat16";  // torch_dtype / dtype

  std::int64_t hidden_size = 0;
  std::int64_t num_layers = 0;
  std::int64_t num_heads = 0;
  std::int64_t num_kv_heads = 0;
  std::int64_t head_dim = 0;    // query/key head size
  std::int64_t v_head_dim = 0;  // value head size (equal to head_dim except MLA)
  std::int64_t vocab_size = 0;
  std::int64_t intermediate_size = 0;  // dense MLP width
  std::int64_t max_position_embeddings = 0;
  bool tie_word_embeddings = false;

  // Which small tensors exist: these make the difference between "close" and "exact".
  bool qkv_bias = false;
  bool o_bias = false;
  bool mlp_bias = false;
  bool gated_mlp = true;               // gate+up+down (SwiGLU/GeGLU) vs up+down
  bool qk_norm = false;                // per-head RMSNorm on q and k (Qwen3, Gemma 3, OLMo 2)
  bool qk_norm_full = false;           // norm over the whole projection (OLMo 2) rather than per head
  int norms_per_layer = 2;             // Gemma 2/3 and GLM-4 have 4
  bool norm_bias = false;              // LayerNorm with bias instead of RMSNorm
  std::int64_t attention_sinks = 0;    // gpt-oss learned sink logits per head
  bool attention_output_gate = false;  // q_proj also emits a sigmoid gate per head (Qwen3-Next)

  // Mixture of experts.
  std::int64_t num_experts = 0;
  std::int64_t experts_per_token = 0;
  std::int64_t moe_intermediate_size = 0;
  std::int64_t num_shared_experts = 0;
  std::int64_t shared_expert_intermediate_size = 0;  // total width of the shared expert(s)
  bool shared_expert_gate = false;                   // Qwen2-MoE sigmoid gate on the shared expert
  bool router_bias = false;                          // gpt-oss router has a bias
  bool router_score_correction_bias = false;         // DeepSeek-V3 e_score_correction_bias
  bool expert_bias = false;                          // gpt-oss expert projections have biases

  // Multi-head latent attention.
  std::int64_t q_lora_rank = 0;
  std::int64_t kv_lora_rank = 0;
  std::int64_t qk_nope_head_dim = 0;
  std::int64_t qk_rope_head_dim = 0;

  // Multi-token-prediction modules (DeepSeek-V3 / GLM-4.5 / Qwen3-Next style).
  std::int64_t num_mtp_layers = 0;
  bool mtp_own_embeddings = true;  // each MTP module stores its own embedding and head (DeepSeek-V3, GLM-4.5)
  // The checkpoint stores lm_head although the config ties it (Qwen3-0.6B): counted in the checkpoint total only.
  bool checkpoint_stores_tied_lm_head = false;

  LinearAttentionSpec linear;
  QuantizationConfig quant;
  VisionTowerSpec vision;

  std::vector<LayerSpec> layers;  // one per decoder layer (MTP layers not included)
  std::vector<Text> warnings;

  bool is_moe() const { return num_experts > 0; }
  bool is_mla() const { return kv_lora_rank > 0; }
  std::int64_t q_head_dim() const { return is_mla() ? qk_nope_head_dim + qk_rope_head_dim : head_dim; }
};

}  // namespace vramplan
