// Which config.json keys the importer may leave unread: the keys that change nothing in memory. Every other
// key a config holds is either read by the importer or named in a warning, so a memory-relevant key the tool
// does not model (an audio tower, a new attention variant, a cache scheme) is never ignored silently.
#include <algorithm>
#include <string_view>

#include "readers.hpp"

namespace vramplan::import {
namespace {

// Grouped by why they change nothing the tool sizes (weights, KV cache, recurrent state, activations).
constexpr std::string_view kNoMemoryEffect[] = {
    // identity, tooling and the transformers runtime
    "_name_or_path",
    "auto_map",
    "transformers_version",
    "use_cache",
    "return_dict",
    "output_attentions",
    "output_hidden_states",
    "torchscript",
    "is_encoder_decoder",
    "is_decoder",
    "add_cross_attention",
    "tie_encoder_decoder",
    "chunk_size_feed_forward",
    "pruned_heads",
    "problem_type",
    "id2label",
    "label2id",
    "tokenizer_class",
    "prefix",
    "task_specific_params",
    "finetuning_task",
    "_attn_implementation",
    "attn_implementation",
    "_attn_implementation_autoset",
    "use_flash_attn",
    "use_flash_attention",
    "use_flash_attention_2",
    "_flash_attn_2_enabled",
    "use_return_dict",
    "keys_to_ignore_at_inference",
    "base_model_tp_plan",
    "base_model_pp_plan",
    "tp_plan",
    "pp_plan",
    "fused_attention",
    "use_fused_attention",
    "cache_implementation",
    "sequence_parallel",
    "tensor_parallel",
    "fp32_residual_connection",
    "use_kernels",
    "model_name",
    "name",
    "version",
    "license",
    "organization",
    "text_model_type",
    "is_composition",
    // token ids and tokenizer facts other than the vocabulary size
    "bos_token_id",
    "eos_token_id",
    "pad_token_id",
    "sep_token_id",
    "unk_token_id",
    "decoder_start_token_id",
    "image_token_id",
    "image_token_index",
    "video_token_id",
    "video_token_index",
    "vision_start_token_id",
    "vision_end_token_id",
    "vision_token_id",
    "boi_token_index",
    "eoi_token_index",
    "boi_token_id",
    "eoi_token_id",
    "audio_token_id",
    "audio_token_index",
    "pad_token_index",
    "eos_token_ids",
    "media_placeholder_token_id",
    // numerics of the forward pass: norms, activations, rotary embeddings, scales, caps
    "rms_norm_eps",
    "layer_norm_eps",
    "layer_norm_epsilon",
    "norm_eps",
    "norm_epsilon",
    "rms_norm_epsilon",
    "initializer_range",
    "initializer_factor",
    "init_std",
    "hidden_act",
    "hidden_activation",
    "activation_function",
    "mlp_hidden_act",
    "rope_theta",
    "rope_type",
    "rotary_emb_base",
    "rope_interleave",
    "query_pre_attn_scalar",
    "attn_logit_softcapping",
    "use_bidirectional_attention",  // Gemma 4: the attention mask over image tokens (or all tokens), no tensors
    "final_logit_softcapping",
    "logits_scaling",
    "logit_scale",
    "embedding_multiplier",
    "residual_multiplier",
    "attention_multiplier",
    "embedding_scale",
    "scale_emb",
    "dim_model_base",
    "scale_depth",
    "swiglu_limit",
    "attention_scale",
    "attn_scale",
    "use_scaled_rope",
    "rope_dim",
    "qk_layernorm_eps",
    "normalization_function",
    "use_parallel_residual",
    "parallel_attn",
    "mup_enabled",
    "attention_softmax_in_fp32",
    "softmax_in_fp32",
    "apply_residual_connection_post_layernorm",
    "residual_in_fp32",
    "rescale_prenorm_residual",
    "attention_temperature_tuning",
    "floor_scale",
    "attn_scale_factor",
    "time_step_min",
    "time_step_max",
    "time_step_floor",
    "time_step_limit",
    "time_step_rank_init",
    "rescale_every",
    "mamba_dt_min",
    "mamba_dt_max",
    "mamba_dt_init_floor",
    "mamba_dt_limit",
    "mamba_dt_init",
    "mamba_dt_scale",
    "use_mamba_kernels",
    "mamba_conv_bias_init",
    "lm_head_multiplier",
    "mlp_multipliers",
    "ssm_multipliers",
    "ssm_in_multiplier",
    "ssm_out_multiplier",
    "attention_in_multiplier",
    "attention_out_multiplier",
    "key_multiplier",
    "embedding_multiplier_scale",
    "output_multiplier_scale",
    "logits_soft_cap",
    "interpolate_factor",
    // training only: dropout, auxiliary losses, parallel training layouts
    "attention_dropout",
    "hidden_dropout",
    "hidden_dropout_prob",
    "attention_probs_dropout_prob",
    "dropout",
    "embd_pdrop",
    "resid_pdrop",
    "attn_pdrop",
    "classifier_dropout",
    "ffn_dropout",
    "mlp_dropout",
    "router_aux_loss_coef",
    "aux_loss_alpha",
    "seq_aux",
    "output_router_logits",
    "router_z_loss_coef",
    "router_jitter_noise",
    "pretraining_tp",
    "gradient_checkpointing",
    "z_loss_coef",
    "moe_aux_loss_coeff",
    "moe_z_loss_coeff",
    "use_bfloat16",
    "use_fp8",
    "mtp_loss_scaling_factor",
    // routing heuristics: which experts a token visits, not how many exist
    "norm_topk_prob",
    "routed_scaling_factor",
    "scoring_func",
    "n_group",
    "topk_group",
    "ep_size",
    "router_temperature",
    "moe_router_topk_scaling_factor",
    "moe_renormalize",
    "router_dtype",
    "moe_router_enable_expert_bias",
    "moe_router_score_function",
    "moe_router_pre_softmax",
    "moe_router_dtype",
    "moe_shared_expert_overlap",  // Megatron: run the shared expert beside the token dispatch (scheduling only)
    // generation settings written by old transformers versions
    "max_length",
    "min_length",
    "do_sample",
    "early_stopping",
    "num_beams",
    "num_beam_groups",
    "diversity_penalty",
    "temperature",
    "top_k",
    "top_p",
    "typical_p",
    "repetition_penalty",
    "length_penalty",
    "no_repeat_ngram_size",
    "encoder_no_repeat_ngram_size",
    "bad_words_ids",
    "num_return_sequences",
    "output_scores",
    "return_dict_in_generate",
    "forced_bos_token_id",
    "forced_eos_token_id",
    "remove_invalid_values",
    "exponential_decay_length_penalty",
    "suppress_tokens",
    "begin_suppress_tokens",
    "tf_legacy_loss",
    // multimodal routing that sizes nothing the tool counts
    "mm_tokens_per_image",
    "vision_feature_layer",
    "vision_feature_select_strategy",
    "projector_hidden_act",
    "vision_use_head",
    "image_seq_length",
    "vision_feature_layers",
    "vision_soft_tokens_per_image",
    "ignore_index",
    "video_placeholder",
    "num_logits_to_keep",
    // spelled twice: the same fact the importer reads under another name
    "initial_context_length",
    "qk_head_dim",
    // numerics named per family
    "indexer_rope_interleave",
    "mamba_hidden_act",
    "chunk_size",
    "swa_rope_theta",
    "attention_value_scale",
    "layernorm_epsilon",
    "hc_sinkhorn_iters",  // DeepSeek-V4: a loop count
    // Phi-4-mini writes full_attn_mod 1 (every layer full attention, as phi3 builds it); only Phi-4-mini-flash's
    // SambaY layout (model_type phi4flash, an unknown type the tool warns about) reads other values.
    "full_attn_mod",
};

// Keys the importer reads where they matter and that need no warning where it does not: identity and dtype,
// DeepSeek's topk_method (noaux_tc adds the router's correction bias), a vision tower's norm_type. Kept apart from
// kNoMemoryEffect, whose keys cmake/embed_catalog.cmake drops from the embedded catalog.
constexpr std::string_view kReadWherePresent[] = {
    "model_type",
    "architectures",
    "torch_dtype",
    "dtype",
    "topk_method",
    "norm_type",
    // rotary embeddings: the cos/sin tables vLLM builds at load (config.cpp read_rope)
    "rope_scaling",
    "rope_parameters",
    "partial_rotary_factor",
    "rotary_pct",
    "rotary_dim",
    "rope_local_base_freq",
    "original_max_position_embeddings",
    "use_rope",
    "position_embedding_type",
    "rope_pct",
};

// Token ids and numerics whatever the family calls them.
constexpr std::string_view kNoMemoryEffectSuffixes[] = {"_token_id", "_token_ids", "_token_index", "_dropout",
                                                        "_eps",      "_epsilon",   "_rope_theta"};

bool changes_nothing(std::string_view key) {
  if (std::find(std::begin(kNoMemoryEffect), std::end(kNoMemoryEffect), key) != std::end(kNoMemoryEffect)) return true;
  if (std::find(std::begin(kReadWherePresent), std::end(kReadWherePresent), key) != std::end(kReadWherePresent))
    return true;
  for (auto suffix : kNoMemoryEffectSuffixes)
    if (ends_with(key, suffix)) return true;
  return false;
}

}  // namespace

std::vector<std::string> unread_keys(const nlohmann::json& merged, const std::set<std::string>& read) {
  std::vector<std::string> out;
  if (!merged.is_object()) return out;
  for (auto it = merged.begin(); it != merged.end(); ++it) {
    const std::string& key = it.key();
    if (read.count(key) || it.value().is_null()) continue;
    if (changes_nothing(key)) continue;
    out.push_back(key);
  }
  return out;
}

}  // namespace vramplan::import
