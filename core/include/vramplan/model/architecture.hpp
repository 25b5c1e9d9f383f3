#pragma once
// A decoder-only transformer, normalised from a HuggingFace config.json.
// Every formula in the core reads this struct; nothing downstream looks at model_type.
#include <cstdint>
#include <string>
#include <vector>

#include "vramplan/common/text.hpp"
#include "vramplan/model/quantization.hpp"

namespace vramplan {

// How a layer attends to earlier tokens (none: a layer without softmax attention).
enum class AttentionKind : std::uint8_t {
  none,
  full,        // ordinary causal attention over the whole context (MHA / GQA / MQA)
  sliding,     // holds the last `window` tokens
  chunked,     // Llama 4 local attention: tokens of the current chunk only (worst case `window`)
  mla,         // DeepSeek multi-head latent attention: one compressed latent per token
  cross,       // cross-attention to a fixed set of (image) tokens (Llama 3.2 Vision)
  compressed,  // DeepSeek-V4: a sliding window plus one compressed row per compress_ratio tokens
};

// A recurrent token mixer with a constant-size state per sequence (none: no such mixer in the layer).
enum class StateKind : std::uint8_t {
  none,
  gated_deltanet,  // Gated DeltaNet linear attention (Qwen3-Next, Qwen3.5)
  kda,             // Kimi Delta Attention (Kimi-Linear)
  mamba,           // Mamba-1 selective scan (Jamba)
  mamba2,          // Mamba-2 (Nemotron-H, Granite-4.0-H, Falcon-H1, Bamba)
  short_conv,      // a gated short convolution (LFM2)
};

enum class MlpKind : std::uint8_t {
  dense,
  moe,
  none,
  linear,  // one hidden x hidden Linear in place of the MLP (Llama-Nemotron NAS replace_with_linear)
};

// One decoder layer. Zero geometry fields mean "the model's value" (Architecture::heads(...) resolves them).
struct LayerSpec {
  AttentionKind attention = AttentionKind::full;
  std::int64_t window = 0;            // tokens, for sliding and chunked layers
  StateKind state = StateKind::none;  // alone (attention none), or beside attention (Falcon-H1)
  MlpKind mlp = MlpKind::dense;
  std::int64_t num_heads = 0;          // query heads of this layer (Llama-Nemotron NAS, Gemma 4)
  std::int64_t num_kv_heads = 0;       // KV heads of this layer
  std::int64_t head_dim = 0;           // key (and value) head size of this layer (Gemma 4 global layers)
  std::int64_t intermediate_size = 0;  // dense MLP width of this layer (NAS)
  bool kv_shared = false;              // one projection serves as K and V (Gemma 4 attention_k_eq_v)
  bool linear_mixer = false;           // one hidden x hidden Linear in place of attention (NAS replace_with_linear)
  bool indexer = false;                // a sparse-attention indexer with its own key cache (DeepSeek-V3.2)
  std::int64_t compress_ratio = 0;     // compressed attention: one cached row per this many tokens
  bool sinks = false;                  // a learned sink logit per query head (gpt-oss; MiMo-V2's sliding layers)
  bool kv_reused = false;              // reads an earlier layer's K and V (Gemma 4 num_kv_shared_layers): no k/v
                                       // projections, no cache of its own
  bool hash_routed = false;            // experts chosen by a token-id table, not a scored router (DeepSeek-V4)

  bool moe() const { return mlp == MlpKind::moe; }
  bool attends() const { return attention != AttentionKind::none; }
  bool has_mixer() const { return attends() || state != StateKind::none || linear_mixer; }
  bool operator==(const LayerSpec& o) const {
    return attention == o.attention && window == o.window && state == o.state && mlp == o.mlp &&
           num_heads == o.num_heads && num_kv_heads == o.num_kv_heads && head_dim == o.head_dim &&
           intermediate_size == o.intermediate_size && kv_shared == o.kv_shared && linear_mixer == o.linear_mixer &&
           indexer == o.indexer && compress_ratio == o.compress_ratio && sinks == o.sinks && kv_reused == o.kv_reused &&
           hash_routed == o.hash_routed;
  }
  bool operator!=(const LayerSpec& o) const { return !(*this == o); }
};

const char* to_string(AttentionKind kind);
const char* to_string(StateKind kind);
// A layer's kind as reports name it: the attention kind, the recurrent kind, or "attention+mamba2" for both.
std::string layer_kind(const LayerSpec& layer);

// Gated DeltaNet: a key_head_dim x value_head_dim state per value head, plus the short convolution's window.
struct LinearAttentionSpec {
  std::int64_t num_key_heads = 0;
  std::int64_t num_value_heads = 0;
  std::int64_t key_head_dim = 0;
  std::int64_t value_head_dim = 0;
  std::int64_t conv_kernel = 0;
};

// Kimi Delta Attention: per head a head_dim x head_dim state; q, k and v each pass a short convolution.
struct KdaSpec {
  std::int64_t num_heads = 0;
  std::int64_t head_dim = 0;
  std::int64_t conv_kernel = 0;
};

// Mamba-1 and Mamba-2 mixers (d_inner = num_heads x head_dim for Mamba-2).
struct MambaSpec {
  std::int64_t d_inner = 0;
  std::int64_t d_state = 0;
  std::int64_t conv_kernel = 4;
  std::int64_t num_heads = 0;  // Mamba-2
  std::int64_t head_dim = 0;   // Mamba-2
  std::int64_t n_groups = 1;   // Mamba-2: B and C groups
  std::int64_t dt_rank = 0;    // Mamba-1
  bool conv_bias = true;
  bool proj_bias = false;                                                          // in_proj / out_proj biases
  bool gated_norm = true;                                                          // Mamba-2's RMSNorm before out_proj
  bool dt_norms = false;                                                           // Jamba: RMSNorms on dt, B and C
  std::int64_t conv_channels() const { return d_inner + 2 * n_groups * d_state; }  // Mamba-2
};

// LFM2's gated short convolution: in_proj (B, C, x), a depthwise conv of `conv_kernel`, out_proj.
struct ShortConvSpec {
  std::int64_t conv_kernel = 0;
  bool bias = false;
};

// The sparse-attention indexer (DeepSeek-V3.2): its own small key per token and layer.
struct IndexerSpec {
  std::int64_t num_heads = 0;
  std::int64_t head_dim = 0;
  std::int64_t topk = 0;
};

// A vision tower of a multimodal checkpoint (counted so totals match the official safetensors).
struct VisionTowerSpec {
  std::string kind;  // "siglip" (Gemma 3), "pixtral" (Mistral 3), "llama4", or a kind of vision.cpp
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
  // The towers of vision.cpp (Qwen2.5-VL, Qwen3-VL/3.5, GLM-4V, MoonViT, InternViT) also read these.
  std::int64_t temporal_patch = 1;     // Conv3d patch embedding over this many frames
  std::int64_t positions = 0;          // learned position-embedding rows (0: none, RoPE only)
  std::int64_t deepstack_mergers = 0;  // Qwen3-VL: extra patch mergers feeding decoder layers
  bool qkv_bias = true;
  bool qk_norm = false;      // InternViT (InternVL3 6B tower)
  bool layer_scale = false;  // InternViT lambda_1 / lambda_2
  bool post_norm = true;     // a final norm after the blocks (InternViT: absent with mean pooling)
  // Gemma 4's tower also reads these.
  std::int64_t head_dim = 0;      // attention head size when heads x head_dim != hidden_size (0: hidden / heads)
  std::int64_t num_kv_heads = 0;  // key/value heads (0: num_heads)
  bool standardize = false;       // std_bias and std_scale buffers over the output (stored in the checkpoint)
  bool clipped_linears = false;   // four clamp bounds stored with each clippable Linear
  // Llama 3.2 Vision's tower also reads these.
  std::int64_t global_layers = 0;     // gated "global" encoder layers after the local ones
  std::int64_t max_tiles = 0;         // tiles per image
  std::int64_t aspect_ratio_ids = 0;  // rows of the tile / aspect-ratio embedding tables (supported ratios + 1)
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

  // The rotary cos/sin tables an engine builds when it loads the model (vLLM rotary_embedding get_rope: one
  // [positions x rotary_dim] table per distinct RoPE configuration, shared by the layers that use it), kept in
  // the model dtype unless rope_fp32 (gpt-oss). Empty for models without rotary embeddings.
  struct RopeCache {
    std::int64_t positions = 0;
    std::int64_t dim = 0;
  };
  std::vector<RopeCache> rope_caches;
  bool rope_fp32 = false;
  std::int64_t rope_original_max = 0;  // original_max_position_embeddings beside rope_scaling (Phi-3)

  // Which small tensors exist: these make the difference between "close" and "exact".
  bool qkv_bias = false;
  bool o_bias = false;
  bool mlp_bias = false;
  bool gated_mlp = true;               // gate+up+down (SwiGLU/GeGLU) vs up+down
  bool qk_norm = false;                // per-head RMSNorm on q and k (Qwen3, Gemma 3, OLMo 2)
  bool qk_norm_full = false;           // norm over the whole projection (OLMo 2) rather than per head
  int norms_per_layer = 2;             // Gemma 2/3 and GLM-4 have 4
  bool norm_bias = false;              // LayerNorm with bias instead of RMSNorm
  bool attention_output_gate = false;  // q_proj also emits a sigmoid gate per head (Qwen3-Next)

  // Mixture of experts.
  std::int64_t num_experts = 0;
  std::int64_t experts_per_token = 0;
  std::int64_t moe_intermediate_size = 0;
  std::int64_t num_shared_experts = 0;
  std::int64_t shared_expert_intermediate_size = 0;  // total width of the shared expert(s)
  bool shared_expert_gate = false;                   // Qwen2-MoE sigmoid gate on the shared expert
  bool router_bias = false;                          // gpt-oss router has a bias
  bool block_sparse_moe = false;  // checkpoint names block_sparse_moe.{gate,experts.N.w1/w3/w2} (Mixtral, MiniMax)
  bool router_score_correction_bias = false;  // DeepSeek-V3 e_score_correction_bias
  bool expert_bias = false;                   // gpt-oss expert projections have biases
  std::int64_t moe_latent_size = 0;           // experts work in this narrower space (Nemotron-3 fc1/fc2_latent_proj)
  bool router_scales = false;                 // Gemma 4 router: a scale per hidden channel and one per expert
  int moe_norms = 0;                          // norms a MoE layer adds to norms_per_layer (Gemma 4 enable_moe_block: 3)

  // Per-layer input embeddings (Gemma 4 E2B/E4B, "PLE"): a second token embedding of
  // per_layer_input_vocab x (num_layers x per_layer_input_size), a projection from the hidden state, and per
  // layer a gate, a projection and a norm.
  std::int64_t per_layer_input_size = 0;
  std::int64_t per_layer_input_vocab = 0;
  bool layer_scalar = false;  // one learned scalar per layer (Gemma 4 layer_scalar)

  // Multi-head latent attention.
  std::int64_t q_lora_rank = 0;
  std::int64_t kv_lora_rank = 0;
  std::int64_t qk_nope_head_dim = 0;
  std::int64_t qk_rope_head_dim = 0;

  // DeepSeek-V4 (hc_mult > 0): grouped low-rank output projection and hyper-connection streams.
  std::int64_t o_groups = 0;
  std::int64_t o_lora_rank = 0;
  std::int64_t hc_mult = 0;

  // Multi-token-prediction modules (DeepSeek-V3 / GLM-4.5 / Qwen3-Next style).
  std::int64_t num_mtp_layers = 0;
  // The blocks of each MTP module when the config lists them (Nemotron-3's mtp_hybrid_override_pattern "*E": an
  // attention block, then a MoE block); empty: one decoder layer of the model's own kind.
  std::vector<LayerSpec> mtp_blocks;
  bool mtp_own_embeddings = true;  // each MTP module stores its own embedding and head (DeepSeek-V3, GLM-4.5)
  // The checkpoint stores lm_head although the config ties it (Qwen3-0.6B): counted in the checkpoint total only.
  bool checkpoint_stores_tied_lm_head = false;

  LinearAttentionSpec linear;
  KdaSpec kda;
  MambaSpec mamba;
  ShortConvSpec short_conv;
  IndexerSpec indexer;
  std::string state_dtype;                  // recurrent state dtype the checkpoint asks for ("float32"); "" = dtype
  std::int64_t cross_attention_tokens = 0;  // image tokens a cross-attention layer caches per sequence
  std::int64_t extra_embedding_rows = 0;    // embedding rows beyond vocab_size (MllamaTextModel: vocab_size + 8)
  QuantizationConfig quant;
  VisionTowerSpec vision;

  std::vector<LayerSpec> layers;  // one per decoder layer (MTP layers not included)
  std::vector<Text> warnings;

  bool is_moe() const { return num_experts > 0; }
  bool is_mla() const { return kv_lora_rank > 0; }
  std::int64_t q_head_dim() const { return is_mla() ? qk_nope_head_dim + qk_rope_head_dim : head_dim; }
  // A layer's geometry, its own where it has one, else the model's.
  std::int64_t heads(const LayerSpec& l) const { return l.num_heads > 0 ? l.num_heads : num_heads; }
  std::int64_t kv_heads(const LayerSpec& l) const { return l.num_kv_heads > 0 ? l.num_kv_heads : num_kv_heads; }
  std::int64_t k_head_dim(const LayerSpec& l) const { return l.head_dim > 0 ? l.head_dim : head_dim; }
  std::int64_t v_dim(const LayerSpec& l) const { return l.head_dim > 0 ? l.head_dim : v_head_dim; }
  std::int64_t mlp_width(const LayerSpec& l) const {
    return l.intermediate_size > 0 ? l.intermediate_size : intermediate_size;
  }
};

// The channels a recurrent mixer of `kind` passes through its short convolution per token (the mixed
// q/k/v of Gated DeltaNet, x/B/C of Mamba-2 ...): what its conv state and compute buffers are sized by.
std::int64_t conv_channels(const Architecture& arch, StateKind kind);

}  // namespace vramplan
