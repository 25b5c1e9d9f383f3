// Vision towers and projectors of multimodal checkpoints, tensor by tensor, so that a model's total matches
// its official safetensors count. Each kind cites the modeling class whose __init__ defines its tensors.
//
// Tensor parallelism: vLLM shards these towers like the text model (QKV / fc1 / gate-up column-parallel,
// proj / fc2 / down row-parallel, norms and embeddings replicated) unless `mm_encoder_tp_mode` is "data";
// that is assumed here. MoonViT is the exception: vLLM's Kimi-K2.5 tower is built from plain (replicated)
// layers, so every rank holds all of it (assumption, as in SGLang's and rtp-llm's loaders).
// Precision: towers stay 16-bit in quantized checkpoints (formats.cpp keeps TensorClass::vision unquantized).
#include "vision.hpp"

#include <string>

namespace vramplan::vision {
namespace {

using I = std::int64_t;
constexpr auto C = TensorClass::vision;

struct Out {
  std::vector<TensorGroup>& out;

  void add(std::string name, std::string role, I rows, I cols, Shard shard, I count = 1, bool matrix = true) {
    if (rows <= 0 || cols <= 0 || count <= 0) return;
    out.push_back(tensor_group(std::move(name), std::move(role), C, rows, cols, shard, count, count, matrix));
  }
  // A vector (norm weight, bias, embedding table counted as one block): never quantized.
  void vec(std::string name, std::string role, I n, Shard shard = Shard::replicated, I count = 1) {
    add(std::move(name), std::move(role), 1, n, shard, count, false);
  }
  // A Linear layer of in -> out features, `count` times, with its bias when it has one.
  void linear(const std::string& name, const std::string& role, I in, I out_features, bool bias, Shard shard,
              I count = 1) {
    add(name + ".weight", role, out_features, in, shard, count);
    if (bias)
      vec(name + ".bias", role + ".bias", out_features, shard == Shard::column ? Shard::column : Shard::replicated,
          count);
  }
};

constexpr auto R = Shard::replicated;
constexpr auto Col = Shard::column;
constexpr auto Row = Shard::row;

// The Conv3d (or Conv2d, temporal_patch 1) patch embedding.
void patch_embed(Out& o, const VisionTowerSpec& v, const std::string& name, bool bias) {
  o.add(name + ".weight", "v.patch_embd", v.hidden_size,
        v.num_channels * v.temporal_patch * v.patch_size * v.patch_size, R, 1, false);
  if (bias) o.vec(name + ".bias", "v.patch_embd.bias", v.hidden_size);
}

// transformers models/qwen2_5_vl: Qwen2_5_VisionTransformerPretrainedModel. Conv3d patch embedding without
// bias, RoPE only; blocks of two RMSNorms, fused qkv with bias, proj with bias, a gated MLP with biases;
// Qwen2_5_VLPatchMerger: RMSNorm over the tower width, then Linear(4d, 4d) + GELU + Linear(4d, out), biased.
void qwen2_5_vl(Out& o, const VisionTowerSpec& v) {
  const I d = v.hidden_size, f = v.intermediate_size, L = v.num_layers;
  const I merged = d * v.spatial_merge * v.spatial_merge;
  patch_embed(o, v, "visual.patch_embed.proj", false);
  o.vec("visual.blocks.*.norm{1,2}.weight", "v.ln", 2 * d, R, L);
  o.linear("visual.blocks.*.attn.qkv", "v.attn_qkv", d, 3 * d, true, Col, L);
  o.linear("visual.blocks.*.attn.proj", "v.attn_out", d, d, true, Row, L);
  o.linear("visual.blocks.*.mlp.{gate,up}_proj", "v.ffn_up", d, f, true, Col, 2 * L);
  o.linear("visual.blocks.*.mlp.down_proj", "v.ffn_down", f, d, true, Row, L);
  o.vec("visual.merger.ln_q.weight", "mm.norm", d);
  o.linear("visual.merger.mlp.0", "mm.1", merged, merged, true, Col);
  o.linear("visual.merger.mlp.2", "mm.2", merged, v.projector_out, true, Row);
}

// transformers models/qwen3_vl: Qwen3VLVisionModel (Qwen3.5: Qwen3_5VisionModel, the same without DeepStack).
// Conv3d patch embedding with bias, a learned position table of num_position_embeddings rows; blocks of two
// LayerNorms, fused qkv and proj with biases, fc1/fc2 with biases; Qwen3VLVisionPatchMerger: LayerNorm over d
// (the DeepStack mergers: over 4d, after the shuffle), Linear(4d, 4d) + GELU + Linear(4d, out), biased.
void qwen3_vl(Out& o, const VisionTowerSpec& v) {
  const I d = v.hidden_size, f = v.intermediate_size, L = v.num_layers;
  const I merged = d * v.spatial_merge * v.spatial_merge;
  patch_embed(o, v, "visual.patch_embed.proj", true);
  o.add("visual.pos_embed.weight", "v.position_embd", v.positions, d, R, 1, false);
  o.vec("visual.blocks.*.norm{1,2}.{weight,bias}", "v.ln", 4 * d, R, L);
  o.linear("visual.blocks.*.attn.qkv", "v.attn_qkv", d, 3 * d, true, Col, L);
  o.linear("visual.blocks.*.attn.proj", "v.attn_out", d, d, true, Row, L);
  o.linear("visual.blocks.*.mlp.linear_fc1", "v.ffn_up", d, f, true, Col, L);
  o.linear("visual.blocks.*.mlp.linear_fc2", "v.ffn_down", f, d, true, Row, L);
  o.vec("visual.merger.norm.{weight,bias}", "mm.norm", 2 * d);
  o.linear("visual.merger.linear_fc1", "mm.1", merged, merged, true, Col);
  o.linear("visual.merger.linear_fc2", "mm.2", merged, v.projector_out, true, Row);
  const I n = v.deepstack_mergers;
  o.vec("visual.deepstack_merger_list.*.norm.{weight,bias}", "mm.deepstack.norm", 2 * merged, R, n);
  o.linear("visual.deepstack_merger_list.*.linear_fc1", "mm.deepstack.1", merged, merged, true, Col, n);
  o.linear("visual.deepstack_merger_list.*.linear_fc2", "mm.deepstack.2", merged, v.projector_out, true, Row, n);
}

// transformers models/glm4v: Glm4vVisionModel (GLM-4.1V; GLM-4.5V's Glm4vMoeVisionModel is the same).
// Conv3d patch embedding with bias, Glm4vVisionEmbeddings' table of (image_size / patch_size)^2 rows;
// blocks of two RMSNorms, qkv (bias = attention_bias), proj without bias, Glm4VisionMlp (gated, width
// out_hidden_size, no biases); post_conv_layernorm; a Conv2d(d -> out, merge x merge) downsample with bias;
// Glm4vVisionPatchMerger: proj (out x out), a LayerNorm, gated MLP of width intermediate_size; post_layernorm.
void glm4v(Out& o, const VisionTowerSpec& v) {
  const I d = v.hidden_size, L = v.num_layers, out = v.projector_out, m = v.spatial_merge;
  patch_embed(o, v, "visual.patch_embed.proj", true);
  o.add("visual.embeddings.position_embedding.weight", "v.position_embd", v.positions, d, R, 1, false);
  o.vec("visual.blocks.*.norm{1,2}.weight", "v.ln", 2 * d, R, L);
  o.linear("visual.blocks.*.attn.qkv", "v.attn_qkv", d, 3 * d, v.qkv_bias, Col, L);
  o.linear("visual.blocks.*.attn.proj", "v.attn_out", d, d, false, Row, L);
  o.linear("visual.blocks.*.mlp.{gate,up}_proj", "v.ffn_up", d, out, false, Col, 2 * L);
  o.linear("visual.blocks.*.mlp.down_proj", "v.ffn_down", out, d, false, Row, L);
  o.vec("visual.{post_conv,post}_layernorm.weight", "v.post_ln", 2 * d);
  o.add("visual.downsample.weight", "mm.downsample", out, d * m * m, R, 1, false);
  o.vec("visual.downsample.bias", "mm.downsample.bias", out);
  o.linear("visual.merger.proj", "mm.proj", out, out, false, R);
  o.vec("visual.merger.post_projection_norm.{weight,bias}", "mm.norm", 2 * out);
  o.linear("visual.merger.{gate,up}_proj", "mm.up", out, v.projector_inner, false, Col, 2);
  o.linear("visual.merger.down_proj", "mm.down", v.projector_inner, out, false, Row);
}

// Kimi-K2.5's MoonViT (the model repository's modeling_kimi_k25.py: MoonViT3dPretrainedModel and the
// patchmerger projector). Conv2d patch embedding with bias, a learned init_pos_emb_height x width x d table
// (the temporal sin-cos table is a buffer, not a weight); blocks of two LayerNorms, wqkv and wo with biases,
// fc0/fc1 with biases; a final LayerNorm; projector: LayerNorm over d, Linear(4d, 4d) + GELU + Linear(4d, out).
void moonvit(Out& o, const VisionTowerSpec& v) {
  const I d = v.hidden_size, f = v.intermediate_size, L = v.num_layers;
  const I merged = d * v.spatial_merge * v.spatial_merge;
  patch_embed(o, v, "vision_tower.patch_embed.proj", true);
  o.add("vision_tower.patch_embed.pos_emb.weight", "v.position_embd", v.positions, d, R, 1, false);
  o.vec("vision_tower.encoder.blocks.*.norm{0,1}.{weight,bias}", "v.ln", 4 * d, R, L);
  o.linear("vision_tower.encoder.blocks.*.wqkv", "v.attn_qkv", d, 3 * d, true, R, L);
  o.linear("vision_tower.encoder.blocks.*.wo", "v.attn_out", d, d, true, R, L);
  o.linear("vision_tower.encoder.blocks.*.mlp.fc0", "v.ffn_up", d, f, true, R, L);
  o.linear("vision_tower.encoder.blocks.*.mlp.fc1", "v.ffn_down", f, d, true, R, L);
  o.vec("vision_tower.encoder.final_layernorm.{weight,bias}", "v.post_ln", 2 * d);
  o.vec("mm_projector.pre_norm.{weight,bias}", "mm.norm", 2 * d);
  o.linear("mm_projector.proj.0", "mm.1", merged, merged, true, R);
  o.linear("mm_projector.proj.2", "mm.2", merged, v.projector_out, true, R);
}

// transformers models/internvl: InternVLVisionModel (InternViT) + InternVLMultiModalProjector. A class token,
// Conv2d patch embedding with bias, a (patches + 1)-row position table; layers of two LayerNorms, q/k/v (bias =
// attention_bias), an output projection with bias, optional q/k norms over d, fc1/fc2 with biases, layer-scale
// vectors; a final LayerNorm unless mean pooling; projector: LayerNorm over the pixel-shuffled width, Linear to
// the text width, GELU, Linear(text, text), biased.
void internvl(Out& o, const VisionTowerSpec& v) {
  const I d = v.hidden_size, f = v.intermediate_size, L = v.num_layers;
  const I side = v.image_size / v.patch_size;
  o.vec("vision_tower.embeddings.cls_token", "v.class_embd", d);
  patch_embed(o, v, "vision_tower.embeddings.patch_embeddings.projection", true);
  o.add("vision_tower.embeddings.position_embeddings", "v.position_embd", side * side + 1, d, R, 1, false);
  o.vec("vision_tower.encoder.layer.*.layernorm_{before,after}.{weight,bias}", "v.ln", 4 * d, R, L);
  o.linear("vision_tower.encoder.layer.*.attention.{q,k,v}_proj", "v.attn_qkv", d, d, v.qkv_bias, Col, 3 * L);
  o.linear("vision_tower.encoder.layer.*.attention.projection_layer", "v.attn_out", d, d, true, Row, L);
  if (v.qk_norm) o.vec("vision_tower.encoder.layer.*.attention.{q,k}_norm.weight", "v.attn_qk_norm", 2 * d, R, L);
  o.linear("vision_tower.encoder.layer.*.mlp.fc1", "v.ffn_up", d, f, true, Col, L);
  o.linear("vision_tower.encoder.layer.*.mlp.fc2", "v.ffn_down", f, d, true, Row, L);
  if (v.layer_scale) o.vec("vision_tower.encoder.layer.*.lambda_{1,2}", "v.layer_scale", 2 * d, R, L);
  if (v.post_norm) o.vec("vision_tower.layernorm.{weight,bias}", "v.post_ln", 2 * d);
  o.vec("multi_modal_projector.layer_norm.{weight,bias}", "mm.norm", 2 * v.pixel_shuffle_dim);
  o.linear("multi_modal_projector.linear_1", "mm.1", v.pixel_shuffle_dim, v.projector_out, true, Col);
  o.linear("multi_modal_projector.linear_2", "mm.2", v.projector_out, v.projector_out, true, Row);
}

// Gemma 4 (modeling_gemma4.py): Gemma4VisionPatchEmbedder (input_proj without bias, a 2 x positions x d
// position table), Gemma4VisionEncoderLayer (q/k/v/o and gate/up/down as Gemma4ClippableLinear without bias,
// per-head q and k norms, v_norm without weight, four RMSNorms), std_bias / std_scale buffers when standardize,
// and Gemma4MultimodalEmbedder (a weightless norm, then embedding_projection into the text model).
void gemma4(Out& o, const VisionTowerSpec& v) {
  const I d = v.hidden_size, f = v.intermediate_size, L = v.num_layers;
  const I hd = v.head_dim > 0 ? v.head_dim : d / v.num_heads;
  const I q = v.num_heads * hd, kv = (v.num_kv_heads > 0 ? v.num_kv_heads : v.num_heads) * hd;
  const std::string p = "model.vision_tower.";
  o.add(p + "patch_embedder.input_proj.weight", "v.patch_embd", d, v.num_channels * v.patch_size * v.patch_size, R);
  o.add(p + "patch_embedder.position_embedding_table", "v.position_embd", v.positions, d, R, 1, false);
  const std::string l = p + "encoder.layers.*.";
  o.linear(l + "self_attn.q_proj.linear", "v.attn_q", d, q, false, Col, L);
  o.linear(l + "self_attn.{k,v}_proj.linear", "v.attn_kv", d, kv, false, Col, 2 * L);
  o.linear(l + "self_attn.o_proj.linear", "v.attn_out", q, d, false, Row, L);
  o.vec(l + "self_attn.{q,k}_norm.weight", "v.attn_qk_norm", 2 * hd, R, L);
  o.linear(l + "mlp.{gate,up}_proj.linear", "v.ffn_up", d, f, false, Col, 2 * L);
  o.linear(l + "mlp.down_proj.linear", "v.ffn_down", f, d, false, Row, L);
  o.vec(l + "{input,post_attention,pre_feedforward,post_feedforward}_layernorm.weight", "v.ln", 4 * d, R, L);
  if (v.clipped_linears) o.vec(l + "*.{input,output}_{min,max}", "v.clip", 4 * 7, R, L);
  if (v.standardize) o.vec(p + "std_{bias,scale}", "v.std", 2 * d);
  o.linear("model.embed_vision.embedding_projection", "mm.input_projection", d, v.projector_out, false, R);
}

// transformers models/mllama: MllamaVisionModel. Conv2d patch embedding without bias, a class embedding, a gated
// position table (num_patches + 1 rows) with a per-aspect-ratio tile table of max_tiles x (num_patches + 1) x d,
// gated pre- and post-tile embeddings (one max_tiles x d row per aspect ratio), LayerNorms before and after;
// MllamaVisionEncoderLayer: q/k/v/o without bias, fc1/fc2 with biases, two LayerNorms, and in the gated global
// layers gate_attn and gate_ffn. Projector: MllamaForConditionalGeneration.multi_modal_projector, Linear with bias
// from vision_output_dim to the text hidden size.
void mllama(Out& o, const VisionTowerSpec& v) {
  const I d = v.hidden_size, f = v.intermediate_size, L = v.num_layers + v.global_layers;
  const I side = v.image_size / v.patch_size, positions = side * side + 1;
  patch_embed(o, v, "vision_model.patch_embedding", false);
  o.vec("vision_model.class_embedding", "v.class_embd", d);
  o.vec("vision_model.gated_positional_embedding.{embedding,gate}", "v.position_embd", positions * d + 1);
  o.vec("vision_model.gated_positional_embedding.tile_embedding.weight", "v.tile_position_embd",
        v.aspect_ratio_ids * v.max_tiles * positions * d);
  o.vec("vision_model.{pre,post}_tile_positional_embedding.{embedding.weight,gate}", "v.tile_embd",
        v.aspect_ratio_ids * v.max_tiles * d + 1, R, 2);
  o.vec("vision_model.layernorm_{pre,post}.{weight,bias}", "v.ln_pre_post", 2 * d, R, 2);
  o.linear("vision_model.*transformer.layers.*.self_attn.{q,k,v}_proj", "v.attn_qkv", d, d, false, Col, 3 * L);
  o.linear("vision_model.*transformer.layers.*.self_attn.o_proj", "v.attn_out", d, d, false, Row, L);
  o.linear("vision_model.*transformer.layers.*.mlp.fc1", "v.ffn_up", d, f, true, Col, L);
  o.linear("vision_model.*transformer.layers.*.mlp.fc2", "v.ffn_down", f, d, true, Row, L);
  o.vec("vision_model.*transformer.layers.*.{input,post_attention}_layernorm.{weight,bias}", "v.ln", 4 * d, R, L);
  o.vec("vision_model.global_transformer.layers.*.gate_{attn,ffn}", "v.gate", 2, R, v.global_layers);
  o.linear("multi_modal_projector", "mm.proj", v.projector_inner, v.projector_out, true, Col);
}

}  // namespace

bool append_tower(const Architecture& arch, std::vector<TensorGroup>& out) {
  const auto& v = arch.vision;
  if (v.num_layers <= 0) return false;
  Out o{out};
  if (v.kind == "qwen2_5_vl")
    qwen2_5_vl(o, v);
  else if (v.kind == "qwen3_vl")
    qwen3_vl(o, v);
  else if (v.kind == "glm4v")
    glm4v(o, v);
  else if (v.kind == "moonvit")
    moonvit(o, v);
  else if (v.kind == "internvl")
    internvl(o, v);
  else if (v.kind == "gemma4")
    gemma4(o, v);
  else if (v.kind == "mllama")
    mllama(o, v);
  else
    return false;
  return true;
}

}  // namespace vramplan::vision
