// Every tensor of the checkpoint, from the architecture. The sum is the parameter count; the
// same list feeds weight bytes (per format), TP/PP placement and the GGUF mixes.
#include "vramplan/model/params.hpp"

#include <algorithm>

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
    TensorGroup g;
    g.name = std::move(name);
    g.gguf_role = std::move(role);
    g.cls = cls;
    g.mtp = mtp;
    g.rows = rows;
    g.cols = cols;
    g.per_layer = per_layer;
    g.active_per_layer = active;
    g.matrix = matrix;
    g.shard = shard;
    g.layers = layers;
    out.push_back(std::move(g));
  }
  void vec(std::string name, std::string role, TensorClass cls, I n, Shard shard = Shard::replicated, I per_layer = 1,
           I active = -1) {
    add(std::move(name), std::move(role), cls, 1, n, shard, per_layer, active < 0 ? per_layer : active, false);
  }
};

void add_attention(Builder& b, const Architecture& a, AttentionKind kind, const std::string& p) {
  const I h = a.hidden_size;
  const auto A = TensorClass::attention;
  if (kind == AttentionKind::mla) {
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
    return;
  }
  if (kind == AttentionKind::linear) {
    // Gated DeltaNet (Qwen3-Next): fused q/k/v/z and b/a input projections, a depthwise conv,
    // per-head decay parameters, a gated RMSNorm over the value head, and the output projection.
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
    return;
  }
  const I q_dim = a.num_heads * a.head_dim * (a.attention_output_gate ? 2 : 1);
  const I kv_dim = a.num_kv_heads * a.head_dim;
  const I v_dim = a.num_kv_heads * a.v_head_dim;
  b.add(p + "self_attn.q_proj.weight", "attn_q", A, q_dim, h, Shard::column);
  b.add(p + "self_attn.k_proj.weight", "attn_k", A, kv_dim, h, Shard::kv_heads);
  b.add(p + "self_attn.v_proj.weight", "attn_v", A, v_dim, h, Shard::kv_heads);
  b.add(p + "self_attn.o_proj.weight", "attn_output", A, h, a.num_heads * a.v_head_dim, Shard::row);
  if (a.qkv_bias) {
    b.vec(p + "self_attn.q_proj.bias", "attn_q.bias", A, q_dim, Shard::column);
    b.vec(p + "self_attn.k_proj.bias", "attn_k.bias", A, kv_dim, Shard::kv_heads);
    b.vec(p + "self_attn.v_proj.bias", "attn_v.bias", A, v_dim, Shard::kv_heads);
  }
  if (a.o_bias) b.vec(p + "self_attn.o_proj.bias", "attn_output.bias", A, h);
  if (a.qk_norm) {
    if (a.qk_norm_full) {
      b.vec(p + "self_attn.q_norm.weight", "attn_q_norm", TensorClass::norm, a.num_heads * a.head_dim);
      b.vec(p + "self_attn.k_norm.weight", "attn_k_norm", TensorClass::norm, kv_dim);
    } else {
      b.vec(p + "self_attn.q_norm.weight", "attn_q_norm", TensorClass::norm, a.head_dim);
      b.vec(p + "self_attn.k_norm.weight", "attn_k_norm", TensorClass::norm, a.head_dim);
    }
  }
  if (a.attention_sinks > 0) b.vec(p + "self_attn.sinks", "attn_sinks", A, a.attention_sinks, Shard::column);
}

void add_dense_mlp(Builder& b, const Architecture& a, I width, const std::string& p, const std::string& role_suffix,
                   TensorClass cls, I per_layer = 1, I active = 1) {
  const I h = a.hidden_size;
  if (a.gated_mlp)
    b.add(p + "gate_proj.weight", "ffn_gate" + role_suffix, cls, width, h, Shard::column, per_layer, active);
  b.add(p + "up_proj.weight", "ffn_up" + role_suffix, cls, width, h, Shard::column, per_layer, active);
  b.add(p + "down_proj.weight", "ffn_down" + role_suffix, cls, h, width, Shard::row, per_layer, active);
  if (a.mlp_bias || (cls == TensorClass::experts && a.expert_bias)) {
    b.vec(p + "up_proj.bias", "ffn_up" + role_suffix + ".bias", cls, width * (a.gated_mlp ? 2 : 1), Shard::column,
          per_layer, active);
    b.vec(p + "down_proj.bias", "ffn_down" + role_suffix + ".bias", cls, h, Shard::replicated, per_layer, active);
  }
}

void add_moe(Builder& b, const Architecture& a, const std::string& p) {
  const I h = a.hidden_size;
  b.add(p + "mlp.gate.weight", "ffn_gate_inp", TensorClass::router, a.num_experts, h, Shard::replicated);
  if (a.router_bias) b.vec(p + "mlp.router.bias", "ffn_gate_inp.bias", TensorClass::router, a.num_experts);
  if (a.router_score_correction_bias)
    b.vec(p + "mlp.gate.e_score_correction_bias", "exp_probs_b", TensorClass::router, a.num_experts);
  add_dense_mlp(b, a, a.moe_intermediate_size, p + "mlp.experts.*.", "_exps", TensorClass::experts, a.num_experts,
                a.experts_per_token);
  if (a.num_shared_experts > 0 && a.shared_expert_intermediate_size > 0) {
    add_dense_mlp(b, a, a.shared_expert_intermediate_size, p + "mlp.shared_experts.", "_shexp",
                  TensorClass::shared_experts);
    if (a.shared_expert_gate)
      b.add(p + "mlp.shared_expert_gate.weight", "ffn_gate_inp_shexp", TensorClass::shared_experts, 1, h,
            Shard::replicated);
  }
}

void add_layer_norms(Builder& b, const Architecture& a, const std::string& p) {
  const char* names[4] = {"input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                          "post_feedforward_layernorm"};
  const char* roles[4] = {"attn_norm", "ffn_norm", "ffn_pre_norm", "ffn_post_norm"};
  for (int n = 0; n < a.norms_per_layer && n < 4; ++n) {
    b.vec(p + names[n] + ".weight", roles[n], TensorClass::norm, a.hidden_size);
    if (a.norm_bias) b.vec(p + names[n] + ".bias", std::string(roles[n]) + ".bias", TensorClass::norm, a.hidden_size);
  }
}

// One decoder layer kind (attention kind x MLP kind) over the layers in `b.layers`.
void add_layer(Builder& b, const Architecture& a, AttentionKind kind, bool moe, const std::string& p) {
  add_attention(b, a, kind, p);
  if (moe)
    add_moe(b, a, p);
  else
    add_dense_mlp(b, a, a.intermediate_size, p + "mlp.", "", TensorClass::mlp);
  add_layer_norms(b, a, p);
}

// Vision towers of multimodal checkpoints, so totals match the official safetensors counts.
void add_vision(Builder& b, const Architecture& a) {
  const auto& v = a.vision;
  if (v.num_layers <= 0) return;
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

std::vector<TensorGroup> enumerate_tensors(const Architecture& a) {
  std::vector<TensorGroup> out;
  Builder b{out, {}};
  const I h = a.hidden_size;

  b.add("model.embed_tokens.weight", "token_embd", TensorClass::embedding, a.vocab_size, h, Shard::column);
  out.back().pp_stage_hint = 0;

  // Group layers with the same (attention kind, moe) so the list stays short.
  struct Key {
    AttentionKind kind;
    bool moe;
  };
  std::vector<Key> keys;
  std::vector<std::vector<int>> members;
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    AttentionKind kind = a.layers[i].attention;
    // Sliding and chunked layers carry the same tensors as full layers.
    if (kind == AttentionKind::sliding || kind == AttentionKind::chunked) kind = AttentionKind::full;
    std::size_t k = 0;
    for (; k < keys.size(); ++k)
      if (keys[k].kind == kind && keys[k].moe == a.layers[i].moe) break;
    if (k == keys.size()) {
      keys.push_back({kind, a.layers[i].moe});
      members.emplace_back();
    }
    members[k].push_back(static_cast<int>(i));
  }
  for (std::size_t k = 0; k < keys.size(); ++k) {
    b.layers = members[k];
    add_layer(b, a, keys[k].kind, keys[k].moe, "model.layers.*.");
  }

  b.layers.clear();
  b.vec("model.norm.weight", "output_norm", TensorClass::norm, h);
  out.back().pp_stage_hint = 1;
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
    const bool moe = a.is_moe() && !a.layers.empty() && a.layers.back().moe;
    const AttentionKind kind = a.is_mla() ? AttentionKind::mla : AttentionKind::full;
    for (I m = 0; m < n; ++m) {
      const std::string p = "model.layers." + std::to_string(a.num_layers + m) + ".";
      b.vec(p + "enorm.weight", "nextn.enorm", TensorClass::mtp, h);
      b.vec(p + "hnorm.weight", "nextn.hnorm", TensorClass::mtp, h);
      b.add(p + "eh_proj.weight", "nextn.eh_proj", TensorClass::mtp, h, 2 * h, Shard::replicated);
      add_layer(b, a, kind, moe, p);
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
