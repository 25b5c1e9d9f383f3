// Every tensor of the checkpoint, from the architecture. The sum is the parameter count; the
// same list feeds weight bytes (per format), TP/PP placement and the GGUF mixes.
#include "vramplan/model/params.hpp"

#include <algorithm>

#include "vision.hpp"

namespace vramplan {

const char* to_string(TensorClass cls) {
  switch (cls) {
    case TensorClass::embedding:
      return "embedding";
    case TensorClass::attention:
      return "attention";
    case TensorClass::mlp:
      return "mlp";
    case TensorClass::experts:
      return "experts";
    case TensorClass::shared_experts:
      return "shared_experts";
    case TensorClass::router:
      return "router";
    case TensorClass::norm:
      return "norm";
    case TensorClass::lm_head:
      return "lm_head";
    case TensorClass::mtp:
      return "mtp";
    case TensorClass::vision:
      return "vision";
  }
  return "attention";
}

Msg tensor_class_label(TensorClass cls) {
  static const Msg kLabels[] = {
      Msg::class_embedding, Msg::class_attention, Msg::class_mlp,     Msg::class_experts, Msg::class_shared_experts,
      Msg::class_router,    Msg::class_norm,      Msg::class_lm_head, Msg::class_mtp,     Msg::class_vision};
  return kLabels[static_cast<int>(cls)];
}

namespace {

using I = std::int64_t;

struct Builder {
  std::vector<TensorGroup>& out;
  std::vector<int> layers;  // current layer set
  bool mtp = false;         // tensors being added belong to an MTP module

  void add(std::string name, std::string role, TensorClass cls, I rows, I cols, Shard shard, I per_layer = 1,
           I active = 1, bool matrix = true) {
    if (rows <= 0 || cols <= 0 || per_layer <= 0) return;
    TensorGroup g = tensor_group(std::move(name), std::move(role), cls, rows, cols, shard, per_layer, active, matrix);
    g.mtp = mtp;
    g.layers = layers;
    out.push_back(std::move(g));
  }
  void vec(std::string name, std::string role, TensorClass cls, I n, Shard shard = Shard::replicated, I per_layer = 1,
           I active = -1) {
    add(std::move(name), std::move(role), cls, 1, n, shard, per_layer, active < 0 ? per_layer : active, false);
  }
};

// Multi-head latent attention (DeepSeek-V2/V3): low-rank q and kv projections, the decoupled RoPE key.
void add_mla(Builder& b, const Architecture& a, const std::string& p) {
  const I h = a.hidden_size;
  const auto A = TensorClass::attention;
  const I H = a.num_heads;
  const I qk = a.qk_nope_head_dim + a.qk_rope_head_dim;
  if (a.q_lora_rank > 0) {
    b.add(p + "self_attn.q_a_proj.weight", "attn_q_a", A, a.q_lora_rank, h, Shard::replicated);
    b.vec(p + "self_attn.q_a_layernorm.weight", "attn_q_a_norm", TensorClass::norm, a.q_lora_rank);
    b.add(p + "self_attn.q_b_proj.weight", "attn_q_b", A, H * qk, a.q_lora_rank, Shard::column);
  } else {
    b.add(p + "self_attn.q_proj.weight", "attn_q", A, H * qk, h, Shard::column);
  }
  b.add(p + "self_attn.kv_a_proj_with_mqa.weight", "attn_kv_a_mqa", A, a.kv_lora_rank + a.qk_rope_head_dim, h,
        Shard::replicated);
  b.vec(p + "self_attn.kv_a_layernorm.weight", "attn_kv_a_norm", TensorClass::norm, a.kv_lora_rank);
  b.add(p + "self_attn.kv_b_proj.weight", "attn_kv_b", A, H * (a.qk_nope_head_dim + a.v_head_dim), a.kv_lora_rank,
        Shard::column);
  b.add(p + "self_attn.o_proj.weight", "attn_output", A, h, H * a.v_head_dim, Shard::row);
}

// The sparse-attention indexer (DeepSeek-V3.2 modeling: Indexer): its own query heads from the q latent, one
// key head with a LayerNorm, and per-head weights.
void add_indexer(Builder& b, const Architecture& a, const std::string& p) {
  const I h = a.hidden_size;
  const auto& x = a.indexer;
  const auto A = TensorClass::attention;
  b.add(p + "self_attn.indexer.wq_b.weight", "indexer.attn_q_b", A, x.num_heads * x.head_dim,
        a.q_lora_rank > 0 ? a.q_lora_rank : h, Shard::replicated);
  b.add(p + "self_attn.indexer.wk.weight", "indexer.attn_k", A, x.head_dim, h, Shard::replicated);
  b.vec(p + "self_attn.indexer.k_norm.{weight,bias}", "indexer.k_norm", TensorClass::norm, 2 * x.head_dim);
  b.add(p + "self_attn.indexer.weights_proj.weight", "indexer.proj", A, x.num_heads, h, Shard::replicated);
}

// DeepSeek-V4 attention (vLLM models/deepseek_v4.py DeepseekV4Attention): q through a low-rank latent, one
// head_dim key/value projection (wkv) shared by all heads, a grouped low-rank output (wo_a: o_groups blocks of
// heads x head_dim / o_groups -> o_lora_rank, then wo_b) and a sink logit per head.
void add_dsv4_attention(Builder& b, const Architecture& a, const std::string& p) {
  const I h = a.hidden_size, H = a.num_heads, D = a.head_dim, ql = a.q_lora_rank;
  const auto A = TensorClass::attention;
  b.add(p + "attn.wq_a.weight", "attn_q_a", A, ql, h, Shard::replicated);
  b.vec(p + "attn.q_norm.weight", "attn_q_a_norm", TensorClass::norm, ql);
  b.add(p + "attn.wq_b.weight", "attn_q_b", A, H * D, ql, Shard::column);
  b.add(p + "attn.wkv.weight", "attn_kv", A, D, h, Shard::replicated);
  b.vec(p + "attn.kv_norm.weight", "attn_kv_norm", TensorClass::norm, D);
  b.add(p + "attn.wo_a.weight", "attn_o_a", A, a.o_groups * a.o_lora_rank, H * D / a.o_groups, Shard::column);
  b.add(p + "attn.wo_b.weight", "attn_output", A, h, a.o_groups * a.o_lora_rank, Shard::row);
  b.vec(p + "attn.attn_sink", "attn_sinks", A, H, Shard::column);
}

// A DeepSeek-V4 KV compressor of `ratio` (vLLM layers/deepseek_compressor.py DeepseekCompressor): with ratio 4
// the windows overlap (coff 2); ape (ratio x coff*dim), wkv and wgate (coff*dim x hidden each), a norm of dim.
void add_dsv4_compressor(Builder& b, const Architecture& a, const std::string& p, I ratio, I dim) {
  const I coff = ratio == 4 ? 2 : 1;
  const auto A = TensorClass::attention;
  b.add(p + "compressor.ape", "attn_compressor_ape", A, ratio, coff * dim, Shard::replicated, 1, 1, false);
  // Built with quant_config=None (fused_wkv_wgate): 16-bit whatever the checkpoint's scheme, so not a quantisable
  // matrix here.
  b.add(p + "compressor.{wkv,wgate}.weight", "attn_compressor_kv", A, coff * dim, a.hidden_size, Shard::replicated, 2,
        2, false);
  b.vec(p + "compressor.norm.weight", "attn_compressor_norm", TensorClass::norm, dim);
}

// DeepSeek-V4's compressed layers and their indexer (DeepseekV4Attention: the compressor when compress_ratio > 1;
// DeepseekV4Indexer on ratio-4 layers: wq_b from the q latent, weights_proj, its own compressor of
// index_head_dim), and the hyper-connection mixers (DeepseekV4DecoderLayer: hc_{attn,ffn}_fn of
// (2 + hc_mult) * hc_mult x hc_mult * hidden, _base of (2 + hc_mult) * hc_mult, _scale of 3).
void add_dsv4_extras(Builder& b, const Architecture& a, const LayerSpec& s, const std::string& p) {
  const auto A = TensorClass::attention;
  if (s.compress_ratio > 1) add_dsv4_compressor(b, a, p + "attn.", s.compress_ratio, a.head_dim);
  if (s.indexer) {
    const auto& x = a.indexer;
    b.add(p + "attn.indexer.wq_b.weight", "indexer.attn_q_b", A, x.num_heads * x.head_dim, a.q_lora_rank,
          Shard::replicated);
    b.add(p + "attn.indexer.weights_proj.weight", "indexer.proj", A, x.num_heads, a.hidden_size, Shard::replicated);
    add_dsv4_compressor(b, a, p + "attn.indexer.", 4, x.head_dim);
  }
  const I m = a.hc_mult, mix = (2 + m) * m;
  b.add(p + "hc_{attn,ffn}_fn", "hc_fn", A, mix, m * a.hidden_size, Shard::replicated, 2, 2, false);
  b.vec(p + "hc_{attn,ffn}_{base,scale}", "hc_base", A, 2 * (mix + 3));
}

// Softmax attention with the layer's own head counts and sizes (GQA / MQA; cross-attention has q/k norms).
void add_attention(Builder& b, const Architecture& a, const LayerSpec& s, const std::string& p) {
  const I h = a.hidden_size;
  const auto A = TensorClass::attention;
  const I heads = a.heads(s), kv_heads = a.kv_heads(s), hd = a.k_head_dim(s), vd = a.v_dim(s);
  const I q_dim = heads * hd * (a.attention_output_gate ? 2 : 1);
  const I kv_dim = kv_heads * hd;
  const I v_dim = kv_heads * vd;
  // A layer that reuses an earlier layer's K and V has no k/v projections or k norm (Gemma4TextAttention:
  // "Layers sharing kv states don't need any weight matrices"); with K = V (kv_shared) there is no v_proj.
  const bool own_k = !s.kv_reused, own_v = own_k && !s.kv_shared;
  b.add(p + "self_attn.q_proj.weight", "attn_q", A, q_dim, h, Shard::column);
  if (own_k) b.add(p + "self_attn.k_proj.weight", "attn_k", A, kv_dim, h, Shard::kv_heads);
  if (own_v) b.add(p + "self_attn.v_proj.weight", "attn_v", A, v_dim, h, Shard::kv_heads);
  b.add(p + "self_attn.o_proj.weight", "attn_output", A, h, heads * vd, Shard::row);
  if (a.qkv_bias) {
    b.vec(p + "self_attn.q_proj.bias", "attn_q.bias", A, q_dim, Shard::column);
    if (own_k) b.vec(p + "self_attn.k_proj.bias", "attn_k.bias", A, kv_dim, Shard::kv_heads);
    if (own_v) b.vec(p + "self_attn.v_proj.bias", "attn_v.bias", A, v_dim, Shard::kv_heads);
  }
  if (a.o_bias) b.vec(p + "self_attn.o_proj.bias", "attn_output.bias", A, h);
  if (a.qk_norm || s.attention == AttentionKind::cross) {
    if (a.qk_norm_full) {
      b.vec(p + "self_attn.q_norm.weight", "attn_q_norm", TensorClass::norm, heads * hd);
      b.vec(p + "self_attn.k_norm.weight", "attn_k_norm", TensorClass::norm, kv_dim);
    } else {
      b.vec(p + "self_attn.q_norm.weight", "attn_q_norm", TensorClass::norm, hd);
      if (own_k) b.vec(p + "self_attn.k_norm.weight", "attn_k_norm", TensorClass::norm, hd);
    }
  }
  if (s.sinks) b.vec(p + "self_attn.sinks", "attn_sinks", A, heads, Shard::column);
}

// Gated DeltaNet (Qwen3-Next): fused q/k/v/z and b/a input projections, a depthwise conv, per-head decay
// parameters, a gated RMSNorm over the value head, and the output projection.
void add_gated_deltanet(Builder& b, const Architecture& a, const std::string& p) {
  const I h = a.hidden_size;
  const auto A = TensorClass::attention;
  const auto& l = a.linear;
  const I key_dim = l.num_key_heads * l.key_head_dim;
  const I value_dim = l.num_value_heads * l.value_head_dim;
  b.add(p + "linear_attn.in_proj_qkvz.weight", "ssm_in", A, 2 * key_dim + 2 * value_dim, h, Shard::column);
  b.add(p + "linear_attn.in_proj_ba.weight", "ssm_ba", A, 2 * l.num_value_heads, h, Shard::column);
  b.add(p + "linear_attn.conv1d.weight", "ssm_conv1d", A, 2 * key_dim + value_dim, l.conv_kernel, Shard::column, 1, 1,
        false);
  b.vec(p + "linear_attn.dt_bias", "ssm_dt", A, l.num_value_heads, Shard::column);
  b.vec(p + "linear_attn.A_log", "ssm_a", A, l.num_value_heads, Shard::column);
  b.vec(p + "linear_attn.norm.weight", "ssm_norm", TensorClass::norm, l.value_head_dim);
  b.add(p + "linear_attn.out_proj.weight", "ssm_out", A, h, value_dim, Shard::row);
}

// Kimi Delta Attention (Kimi-Linear modeling: KimiDeltaAttention): q/k/v projections each with a short conv,
// low-rank decay (f_a, f_b) and output-gate (g_a, g_b) projections, beta, A_log and dt_bias, a gated norm.
void add_kda(Builder& b, const Architecture& a, const std::string& p) {
  const I h = a.hidden_size;
  const auto A = TensorClass::attention;
  const I H = a.kda.num_heads, d = a.kda.head_dim, dim = H * d;
  b.add(p + "self_attn.{q,k,v}_proj.weight", "attn_qkv", A, dim, h, Shard::column, 3, 3);
  b.add(p + "self_attn.{q,k,v}_conv1d.weight", "ssm_conv1d", A, dim, a.kda.conv_kernel, Shard::column, 3, 3, false);
  b.add(p + "self_attn.{f,g}_a_proj.weight", "attn_lora_a", A, d, h, Shard::replicated, 2, 2);
  b.add(p + "self_attn.{f,g}_b_proj.weight", "attn_lora_b", A, dim, d, Shard::column, 2, 2);
  b.add(p + "self_attn.b_proj.weight", "attn_beta", A, H, h, Shard::column);
  b.vec(p + "self_attn.A_log", "ssm_a", A, H, Shard::column);
  b.vec(p + "self_attn.dt_bias", "ssm_dt", A, dim, Shard::column);
  b.vec(p + "self_attn.o_norm.weight", "ssm_norm", TensorClass::norm, d);
  b.add(p + "self_attn.o_proj.weight", "attn_output", A, h, dim, Shard::row);
}

// Mamba-2 (transformers Mamba2Mixer / NemotronHMamba2Mixer): in_proj to (z, x, B, C, dt), a depthwise conv over
// x, B and C, per-head dt_bias, A_log and D, a gated RMSNorm, out_proj.
void add_mamba2(Builder& b, const Architecture& a, const std::string& p) {
  const I h = a.hidden_size;
  const auto A = TensorClass::attention;
  const auto& m = a.mamba;
  const I conv = m.conv_channels();
  b.add(p + "mixer.in_proj.weight", "ssm_in", A, m.d_inner + conv + m.num_heads, h, Shard::column);
  if (m.proj_bias) b.vec(p + "mixer.in_proj.bias", "ssm_in.bias", A, m.d_inner + conv + m.num_heads, Shard::column);
  b.add(p + "mixer.conv1d.weight", "ssm_conv1d", A, conv, m.conv_kernel, Shard::column, 1, 1, false);
  if (m.conv_bias) b.vec(p + "mixer.conv1d.bias", "ssm_conv1d.bias", A, conv, Shard::column);
  b.vec(p + "mixer.{dt_bias,A_log,D}", "ssm_dt", A, 3 * m.num_heads, Shard::column);
  if (m.gated_norm) b.vec(p + "mixer.norm.weight", "ssm_norm", TensorClass::norm, m.d_inner, Shard::column);
  b.add(p + "mixer.out_proj.weight", "ssm_out", A, h, m.d_inner, Shard::row);
  if (m.proj_bias) b.vec(p + "mixer.out_proj.bias", "ssm_out.bias", A, h);
}

// Mamba-1 (transformers JambaMambaMixer): in_proj to (x, z), conv, x_proj to (dt, B, C), dt_proj, A_log, D.
void add_mamba1(Builder& b, const Architecture& a, const std::string& p) {
  const I h = a.hidden_size;
  const auto A = TensorClass::attention;
  const auto& m = a.mamba;
  b.add(p + "mamba.in_proj.weight", "ssm_in", A, 2 * m.d_inner, h, Shard::column);
  b.add(p + "mamba.conv1d.weight", "ssm_conv1d", A, m.d_inner, m.conv_kernel, Shard::column, 1, 1, false);
  if (m.conv_bias) b.vec(p + "mamba.conv1d.bias", "ssm_conv1d.bias", A, m.d_inner, Shard::column);
  b.add(p + "mamba.x_proj.weight", "ssm_x", A, m.dt_rank + 2 * m.d_state, m.d_inner, Shard::row);
  b.add(p + "mamba.dt_proj.weight", "ssm_dt", A, m.d_inner, m.dt_rank, Shard::column);
  b.vec(p + "mamba.dt_proj.bias", "ssm_dt.bias", A, m.d_inner, Shard::column);
  b.add(p + "mamba.A_log", "ssm_a", A, m.d_inner, m.d_state, Shard::column, 1, 1, false);
  b.vec(p + "mamba.D", "ssm_d", A, m.d_inner, Shard::column);
  if (m.dt_norms)
    b.vec(p + "mamba.{dt,b,c}_layernorm.weight", "ssm_norm", TensorClass::norm, m.dt_rank + 2 * m.d_state);
  b.add(p + "mamba.out_proj.weight", "ssm_out", A, h, m.d_inner, Shard::row);
  if (m.proj_bias) b.vec(p + "mamba.{in,out}_proj.bias", "ssm_in.bias", A, 3 * m.d_inner);
}

// LFM2's gated short convolution: in_proj to (B, C, x), a depthwise conv, out_proj.
void add_short_conv(Builder& b, const Architecture& a, const std::string& p) {
  const I h = a.hidden_size;
  const auto A = TensorClass::attention;
  b.add(p + "conv.in_proj.weight", "shortconv.in_proj", A, 3 * h, h, Shard::column);
  b.add(p + "conv.conv.weight", "shortconv.conv", A, h, a.short_conv.conv_kernel, Shard::column, 1, 1, false);
  b.add(p + "conv.out_proj.weight", "shortconv.out_proj", A, h, h, Shard::row);
  if (a.short_conv.bias) b.vec(p + "conv.{in,conv,out}_proj.bias", "shortconv.bias", A, 5 * h);
}

// Gate (when gated), up and down projections of `width` over a hidden size of `h`; Mixtral-style experts name
// them w1, w3 and w2.
void add_dense_mlp(Builder& b, const Architecture& a, I width, const std::string& p, const std::string& role_suffix,
                   TensorClass cls, I per_layer = 1, I active = 1, I h = 0) {
  if (h == 0) h = a.hidden_size;
  const bool w123 = cls == TensorClass::experts && a.block_sparse_moe;
  const std::string gate = w123 ? "w1" : "gate_proj", up = w123 ? "w3" : "up_proj", down = w123 ? "w2" : "down_proj";
  if (a.gated_mlp)
    b.add(p + gate + ".weight", "ffn_gate" + role_suffix, cls, width, h, Shard::column, per_layer, active);
  b.add(p + up + ".weight", "ffn_up" + role_suffix, cls, width, h, Shard::column, per_layer, active);
  b.add(p + down + ".weight", "ffn_down" + role_suffix, cls, h, width, Shard::row, per_layer, active);
  if (a.mlp_bias || (cls == TensorClass::experts && a.expert_bias)) {
    b.vec(p + up + ".bias", "ffn_up" + role_suffix + ".bias", cls, width * (a.gated_mlp ? 2 : 1), Shard::column,
          per_layer, active);
    b.vec(p + down + ".bias", "ffn_down" + role_suffix + ".bias", cls, h, Shard::replicated, per_layer, active);
  }
}

// Router, routed experts (in a narrower latent space for Nemotron-3's latent MoE), shared experts.
void add_moe(Builder& b, const Architecture& a, const LayerSpec& s, const std::string& p) {
  const I h = a.hidden_size;
  // The checkpoint's own module names, which quantization configs match (Mixtral, MiniMax: block_sparse_moe).
  const std::string moe = p + (a.block_sparse_moe ? "block_sparse_moe." : "mlp.");
  b.add(moe + "gate.weight", "ffn_gate_inp", TensorClass::router, a.num_experts, h, Shard::replicated);
  if (a.router_bias) b.vec(p + "mlp.router.bias", "ffn_gate_inp.bias", TensorClass::router, a.num_experts);
  if (s.hash_routed)  // DeepseekV4MoE: tid2eid, num_experts_per_tok expert ids per vocabulary token, no bias
    b.add(p + "ffn.gate.tid2eid", "ffn_gate_tid2eid", TensorClass::router, a.vocab_size, a.experts_per_token,
          Shard::replicated, 1, 1, false);
  else if (a.router_score_correction_bias)
    b.vec(a.block_sparse_moe ? moe + "e_score_correction_bias" : moe + "gate.e_score_correction_bias", "exp_probs_b",
          TensorClass::router, a.num_experts);
  if (a.router_scales)  // Gemma4TextRouter: scale (hidden) and per_expert_scale (experts); its norm has no weight
    b.vec(p + "router.{scale,per_expert_scale}", "ffn_gate_inp.scale", TensorClass::router, h + a.num_experts);
  const I expert_h = a.moe_latent_size > 0 ? a.moe_latent_size : h;
  if (a.moe_latent_size > 0) {
    b.add(p + "mlp.fc1_latent_proj.weight", "ffn_latent_in", TensorClass::experts, a.moe_latent_size, h,
          Shard::replicated);
    b.add(p + "mlp.fc2_latent_proj.weight", "ffn_latent_out", TensorClass::experts, h, a.moe_latent_size,
          Shard::replicated);
  }
  add_dense_mlp(b, a, a.moe_intermediate_size, moe + "experts.*.", "_exps", TensorClass::experts, a.num_experts,
                a.experts_per_token, expert_h);
  if (a.num_shared_experts > 0 && a.shared_expert_intermediate_size > 0) {
    add_dense_mlp(b, a, a.shared_expert_intermediate_size, p + "mlp.shared_experts.", "_shexp",
                  TensorClass::shared_experts);
    if (a.shared_expert_gate)
      b.add(p + "mlp.shared_expert_gate.weight", "ffn_gate_inp_shexp", TensorClass::shared_experts, 1, h,
            Shard::replicated);
  }
}

// The layer's norms: with two per layer (Llama), the one before the mixer exists only when the layer has a
// mixer and the one before the MLP only when it has an MLP (NAS no-op blocks, Nemotron-H's one-norm blocks
// come through norms_per_layer 1); Gemma's four are always there.
void add_layer_norms(Builder& b, const Architecture& a, const LayerSpec& s, const std::string& p) {
  const char* names[4] = {"input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                          "post_feedforward_layernorm"};
  const char* roles[4] = {"attn_norm", "ffn_norm", "ffn_pre_norm", "ffn_post_norm"};
  for (int n = 0; n < a.norms_per_layer && n < 4; ++n) {
    if (a.norms_per_layer == 2 && ((n == 0 && !s.has_mixer()) || (n == 1 && s.mlp == MlpKind::none))) continue;
    b.vec(p + names[n] + ".weight", roles[n], TensorClass::norm, a.hidden_size);
    if (a.norm_bias) b.vec(p + names[n] + ".bias", std::string(roles[n]) + ".bias", TensorClass::norm, a.hidden_size);
  }
  if (s.moe() && a.moe_norms > 0)
    b.vec(p + "{pre_feedforward_layernorm_2,post_feedforward_layernorm_{1,2}}.weight", "ffn_moe_norm",
          TensorClass::norm, a.hidden_size, Shard::replicated, a.moe_norms);
}

// Gemma 4's per-layer input (Gemma4TextDecoderLayer: per_layer_input_gate, per_layer_projection,
// post_per_layer_input_norm) and its layer_scalar buffer, which the checkpoint stores.
void add_layer_extras(Builder& b, const Architecture& a, const std::string& p) {
  const I h = a.hidden_size, ple = a.per_layer_input_size;
  if (ple > 0) {
    b.add(p + "per_layer_input_gate.weight", "inp_gate", TensorClass::mlp, ple, h, Shard::replicated);
    b.add(p + "per_layer_projection.weight", "proj", TensorClass::mlp, h, ple, Shard::replicated);
    b.vec(p + "post_per_layer_input_norm.weight", "post_norm", TensorClass::norm, h);
  }
  if (a.layer_scalar) b.vec(p + "layer_scalar", "layer_output_scale", TensorClass::norm, 1);
}

// One decoder layer kind over the layers in `b.layers`.
void add_layer(Builder& b, const Architecture& a, const LayerSpec& s, const std::string& p) {
  switch (s.attention) {
    case AttentionKind::none:
      break;
    case AttentionKind::compressed:
      add_dsv4_attention(b, a, p);
      break;
    case AttentionKind::mla:
      add_mla(b, a, p);
      break;
    case AttentionKind::full:
    case AttentionKind::sliding:
    case AttentionKind::chunked:
    case AttentionKind::cross:
      add_attention(b, a, s, p);
      break;
  }
  // MllamaCrossAttentionDecoderLayer: a tanh gate on the attention and one on the MLP, one value each.
  if (s.attention == AttentionKind::cross)
    b.vec(p + "cross_attn_{attn,mlp}_gate", "cross_attn_gate", TensorClass::attention, 2);
  if (s.attention == AttentionKind::compressed)
    add_dsv4_extras(b, a, s, p);
  else if (s.indexer)
    add_indexer(b, a, p);
  if (s.linear_mixer)
    b.add(p + "self_attn.linear_attn.weight", "attn_linear", TensorClass::attention, a.hidden_size, a.hidden_size,
          Shard::replicated);
  switch (s.state) {
    case StateKind::none:
      break;
    case StateKind::gated_deltanet:
      add_gated_deltanet(b, a, p);
      break;
    case StateKind::kda:
      add_kda(b, a, p);
      break;
    case StateKind::mamba:
      add_mamba1(b, a, p);
      break;
    case StateKind::mamba2:
      add_mamba2(b, a, p);
      break;
    case StateKind::short_conv:
      add_short_conv(b, a, p);
      break;
  }
  switch (s.mlp) {
    case MlpKind::dense:
      add_dense_mlp(b, a, a.mlp_width(s), p + "mlp.", "", TensorClass::mlp);
      break;
    case MlpKind::moe:
      add_moe(b, a, s, p);
      break;
    case MlpKind::linear:
      b.add(p + "mlp.linear_mlp.weight", "ffn_linear", TensorClass::mlp, a.hidden_size, a.hidden_size,
            Shard::replicated);
      break;
    case MlpKind::none:
      break;
  }
  add_layer_norms(b, a, s, p);
  add_layer_extras(b, a, p);
}

// Vision towers of multimodal checkpoints, so totals match the official safetensors counts.
void add_vision(Builder& b, const Architecture& a) {
  const auto& v = a.vision;
  if (v.num_layers <= 0 || vision::append_tower(a, b.out)) return;
  const auto C = TensorClass::vision;
  const auto R = Shard::replicated;
  const I d = v.hidden_size, f = v.intermediate_size, L = v.num_layers;
  const I side = v.image_size / v.patch_size;
  b.layers.clear();
  b.add("vision.patch_embedding.weight", "v.patch_embd", C, d, v.num_channels * v.patch_size * v.patch_size, R);
  if (v.kind == "pixtral") {
    // RMSNorms, no biases, a gated MLP; then a patch merger and a two-layer projector.
    b.vec("vision.ln_pre.weight", "v.pre_ln", C, d);
    b.vec("vision.layers.*.{attention,ffn}_norm.weight", "v.ln", C, 2 * d, R, L, L);
    b.add("vision.layers.*.attention.{q,k,v,o}_proj.weight", "v.attn", C, d, d, R, 4 * L, 4 * L);
    b.add("vision.layers.*.feed_forward.{gate,up}_proj.weight", "v.ffn_up", C, f, d, R, 2 * L, 2 * L);
    b.add("vision.layers.*.feed_forward.down_proj.weight", "v.ffn_down", C, d, f, R, L, L);
    b.vec("multi_modal_projector.norm.weight", "mm.norm", C, d);
    b.add("multi_modal_projector.patch_merger.merging_layer.weight", "mm.merge", C, d,
          d * v.spatial_merge * v.spatial_merge, R);
    b.add("multi_modal_projector.linear_1.weight", "mm.1", C, v.projector_out, d, R);
    b.add("multi_modal_projector.linear_2.weight", "mm.2", C, v.projector_out, v.projector_out, R);
    return;
  }
  // SigLIP and Llama 4: LayerNorms with bias, biased attention and MLP.
  if (v.kind == "siglip") b.vec("vision.patch_embedding.bias", "v.patch_embd.bias", C, d);
  const I positions = side * side + (v.kind == "llama4" ? 1 : 0);  // Llama 4 adds a class token
  b.add("vision.position_embedding.weight", "v.position_embd", C, positions, d, R, 1, 1, false);
  if (v.kind == "llama4") {
    b.vec("vision.class_embedding", "v.class_embd", C, d);
    b.vec("vision.layernorm_pre.{weight,bias}", "v.pre_ln", C, 2 * d);
  }
  b.vec("vision.layers.*.layer_norm{1,2}.{weight,bias}", "v.ln", C, 4 * d, R, L, L);
  b.add("vision.layers.*.self_attn.{q,k,v,o}_proj.weight", "v.attn", C, d, d, R, 4 * L, 4 * L);
  b.vec("vision.layers.*.self_attn.{q,k,v,o}_proj.bias", "v.attn.bias", C, d, R, 4 * L, 4 * L);
  b.add("vision.layers.*.mlp.fc1.weight", "v.ffn_up", C, f, d, R, L, L);
  b.vec("vision.layers.*.mlp.fc1.bias", "v.ffn_up.bias", C, f, R, L, L);
  b.add("vision.layers.*.mlp.fc2.weight", "v.ffn_down", C, d, f, R, L, L);
  b.vec("vision.layers.*.mlp.fc2.bias", "v.ffn_down.bias", C, d, R, L, L);
  b.vec("vision.post_layernorm.{weight,bias}", "v.post_ln", C, 2 * d);
  if (v.kind == "siglip") {
    // Gemma 3: RMSNorm over the vision features, then one projection matrix.
    b.add("multi_modal_projector.mm_input_projection_weight", "mm.input_projection", C, v.projector_out, d, R);
    b.vec("multi_modal_projector.mm_soft_emb_norm.weight", "mm.soft_emb_norm", C, d);
  } else {
    // Llama 4: pixel-shuffle MLP adapter, then a linear projector into the text model.
    b.add("vision.vision_adapter.mlp.fc1.weight", "v.adapter1", C, v.projector_inner, v.pixel_shuffle_dim, R);
    b.add("vision.vision_adapter.mlp.fc2.weight", "v.adapter2", C, v.projector_inner, v.projector_inner, R);
    b.add("multi_modal_projector.linear_1.weight", "mm.1", C, v.projector_out, v.projector_inner, R);
  }
}

}  // namespace

TensorGroup tensor_group(std::string name, std::string role, TensorClass cls, I rows, I cols, Shard shard, I per_layer,
                         I active, bool matrix) {
  TensorGroup g;
  g.name = std::move(name);
  g.gguf_role = std::move(role);
  g.cls = cls;
  g.rows = rows;
  g.cols = cols;
  g.per_layer = per_layer;
  g.active_per_layer = active;
  g.matrix = matrix;
  g.shard = shard;
  return g;
}

std::vector<TensorGroup> enumerate_tensors(const Architecture& a) {
  std::vector<TensorGroup> out;
  Builder b{out, {}};
  const I h = a.hidden_size;

  b.add("model.embed_tokens.weight", "token_embd", TensorClass::embedding, a.vocab_size + a.extra_embedding_rows, h,
        Shard::column);
  out.back().pp_stage_hint = 0;
  if (a.per_layer_input_size > 0) {
    // Gemma4TextModel: embed_tokens_per_layer, per_layer_model_projection, per_layer_projection_norm.
    const I ple_all = a.num_layers * a.per_layer_input_size;
    b.add("model.embed_tokens_per_layer.weight", "per_layer_token_embd", TensorClass::embedding,
          a.per_layer_input_vocab, ple_all, Shard::replicated);
    b.add("model.per_layer_model_projection.weight", "per_layer_model_proj", TensorClass::mlp, ple_all, h,
          Shard::replicated);
    b.vec("model.per_layer_projection_norm.weight", "per_layer_proj_norm", TensorClass::norm, a.per_layer_input_size);
    for (std::size_t i = out.size() - 3; i < out.size(); ++i) out[i].pp_stage_hint = 0;
  }

  // Group layers with the same tensors so the list stays short: sliding and chunked layers carry the same
  // tensors as full ones.
  std::vector<LayerSpec> kinds;
  std::vector<std::vector<int>> members;
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    LayerSpec key = a.layers[i];
    if (key.attention == AttentionKind::sliding || key.attention == AttentionKind::chunked)
      key.attention = AttentionKind::full;
    key.window = 0;
    if (a.hc_mult == 0) key.compress_ratio = 0;  // DeepSeek-V4: the ratio sizes the compressor's tensors
    auto it = std::find(kinds.begin(), kinds.end(), key);
    if (it == kinds.end()) {
      kinds.push_back(key);
      members.emplace_back();
      it = kinds.end() - 1;
    }
    members[static_cast<std::size_t>(it - kinds.begin())].push_back(static_cast<int>(i));
  }
  for (std::size_t k = 0; k < kinds.size(); ++k) {
    b.layers = members[k];
    add_layer(b, a, kinds[k], "model.layers.*.");
  }

  b.layers.clear();
  b.vec("model.norm.weight", "output_norm", TensorClass::norm, h);
  out.back().pp_stage_hint = 1;
  if (a.hc_mult > 0) {  // DeepseekV4Model: hc_head_fn (hc_mult x hc_mult * hidden), hc_head_base, hc_head_scale
    b.vec("model.hc_head_{fn,base,scale}", "hc_head", TensorClass::norm, a.hc_mult * a.hc_mult * h + a.hc_mult + 1);
    out.back().pp_stage_hint = 1;
  }
  if (a.norm_bias) {
    b.vec("model.norm.bias", "output_norm.bias", TensorClass::norm, h);
    out.back().pp_stage_hint = 1;
  }
  if (!a.tie_word_embeddings) {
    b.add("lm_head.weight", "output", TensorClass::lm_head, a.vocab_size, h, Shard::column);
    out.back().pp_stage_hint = 1;
  }

  // Multi-token prediction modules: a full decoder layer plus its own norms, a 2h -> h projection,
  // and (in DeepSeek-style checkpoints) its own copies of the embedding and output head.
  if (a.num_mtp_layers > 0) {
    const std::size_t first = out.size();
    b.mtp = true;
    b.layers.clear();
    const I n = a.num_mtp_layers;
    // The MTP module's block: full attention (MLA where the model uses it), the last layer's MLP kind.
    LayerSpec mtp_layer;
    mtp_layer.attention = a.is_mla() ? AttentionKind::mla : AttentionKind::full;
    if (!a.layers.empty() && a.layers.back().attention == AttentionKind::compressed) {
      mtp_layer.attention = AttentionKind::compressed;  // DeepSeek-V4's MTP block attends as its layers do
      mtp_layer.window = a.layers.back().window;
    }
    if (!a.layers.empty()) mtp_layer.indexer = a.layers.back().indexer;
    mtp_layer.mlp = a.is_moe() && !a.layers.empty() && a.layers.back().moe() ? MlpKind::moe : MlpKind::dense;
    for (I m = 0; m < n; ++m) {
      const std::string p = "model.layers." + std::to_string(a.num_layers + m) + ".";
      b.vec(p + "enorm.weight", "nextn.enorm", TensorClass::mtp, h);
      b.vec(p + "hnorm.weight", "nextn.hnorm", TensorClass::mtp, h);
      b.add(p + "eh_proj.weight", "nextn.eh_proj", TensorClass::mtp, h, 2 * h, Shard::replicated);
      if (a.mtp_blocks.empty()) {
        add_layer(b, a, mtp_layer, p);
      } else {
        for (std::size_t k = 0; k < a.mtp_blocks.size(); ++k)
          add_layer(b, a, a.mtp_blocks[k], p + "blocks." + std::to_string(k) + ".");
      }
      b.vec(p + "shared_head.norm.weight", "nextn.shared_head_norm", TensorClass::mtp, h);
      if (a.mtp_own_embeddings) {
        b.add(p + "embed_tokens.weight", "nextn.embed_tokens", TensorClass::mtp, a.vocab_size, h, Shard::column);
        b.add(p + "shared_head.head.weight", "nextn.shared_head_head", TensorClass::mtp, a.vocab_size, h,
              Shard::column);
      }
    }
    for (std::size_t i = first; i < out.size(); ++i) out[i].pp_stage_hint = 1;
    b.mtp = false;
  }
  add_vision(b, a);
  return out;
}

ParamCount count_params(const std::vector<TensorGroup>& tensors) {
  ParamCount c;
  for (const auto& g : tensors) {
    const I n = g.total_params();
    c.per_class[static_cast<int>(g.mtp ? TensorClass::mtp : g.cls)] += n;
    if (g.mtp || g.cls == TensorClass::vision) {
      c.total += n;
      continue;  // not read when generating a token
    }
    c.total += n;
    c.active += g.active_params();
    if (g.cls == TensorClass::embedding) c.embedding += n;
  }
  return c;
}

}  // namespace vramplan
