#pragma once
// The KV cache descriptor: per layer, the components it caches (K, V, MLA latent, RoPE key, indexer
// key, recurrent state, conv state, cross-attention K/V ...), each with its dtype, its width on one
// tensor-parallel rank and a rule for what it holds (every token, a window, a chunk, a fixed state per
// sequence, one row per r tokens, a fixed count of tokens). KV bytes, explanations, engine page sizes,
// TP sharding and the roofline's KV reads all ask this descriptor; only cache_layout() looks at the
// layer kinds.
#include <cstdint>
#include <string>
#include <vector>

#include "vramplan/common/error.hpp"
#include "vramplan/model/architecture.hpp"

namespace vramplan {

struct KvDtype {
  std::string id;       // "bf16", "fp8", "q8_0" ...
  int block_elems = 1;  // values per block (32 for llama.cpp q-types)
  int block_bytes = 2;  // bytes per block
};

// "auto" resolves to the model's dtype (2 bytes for bf16/fp16, 4 for fp32).
Expected<KvDtype> find_kv_dtype(const std::string& id, const Architecture& arch, const std::string& field);
std::vector<std::string> kv_dtype_ids();

// Bytes of `n` values in `dtype` (block types round up to whole blocks per row).
std::int64_t kv_row_bytes(const KvDtype& dtype, std::int64_t n);

// What a component is. The engines map them to their own buffers (llama.cpp: K row = key, latent and
// RoPE key; V row = value; R/S = conv/recurrent state).
enum class CachePart : std::uint8_t {
  key,
  value,
  latent,            // MLA: the compressed KV (kv_lora_rank)
  rope_key,          // MLA: the decoupled RoPE key shared by all heads (qk_rope_head_dim)
  indexer_key,       // sparse-attention indexer keys (DeepSeek-V3.2)
  compressor_state,  // DeepSeek-V4: the KV compressor's fp32 kv and score rows of the tokens not yet compressed
  ssm_state,         // linear attention / state-space recurrent state
  conv_state,        // the short convolution's window of inputs
  cross_key,         // cross-attention K over a fixed set of (image) tokens
  cross_value,
};
const char* to_string(CachePart part);

// What a component holds for one sequence of `context` tokens.
enum class Holds : std::uint8_t {
  every_token,   // one row per token
  window,        // the last `span` tokens (sliding window)
  chunk,         // the tokens of the current chunk, at most `span` (Llama 4 chunked local attention)
  per_sequence,  // one fixed-size row per sequence (recurrent / conv state)
  strided,       // one row per `span` tokens (compressed attention)
  fixed_tokens,  // `span` rows whatever the context (cross-attention to image tokens)
};

struct CacheComponent {
  CachePart part = CachePart::key;
  Holds holds = Holds::every_token;
  std::int64_t span = 0;       // window / chunk / stride / token count, by `holds`
  std::int64_t heads = 1;      // heads this TP rank holds
  std::int64_t head_dim = 0;   // values per head in one row
  std::int64_t state_dim = 1;  // a matrix-valued row per head (recurrent state: head_dim x state_dim)
  KvDtype dtype;
  bool replicated = false;  // every TP rank holds the same rows (MLA latent, fewer KV heads than ranks)

  std::int64_t values() const { return heads * head_dim * state_dim; }
  std::int64_t row_bytes() const { return kv_row_bytes(dtype, values()); }
  bool grows_with_context() const { return holds != Holds::per_sequence && holds != Holds::fixed_tokens; }
  std::int64_t rows(std::int64_t context) const;  // rows held for one sequence of `context` tokens
  std::int64_t bytes(std::int64_t context) const { return row_bytes() * rows(context); }
};

// One decoder layer's cache on one TP rank.
struct LayerCache {
  AttentionKind attention = AttentionKind::full;  // the layer's kinds: labels for people and reports
  StateKind state = StateKind::none;
  std::vector<CacheComponent> parts;

  // What one more token adds while the context is shorter than every window (rows that grow one per
  // token; strided parts add a row every `span` tokens and are counted as row / span).
  std::int64_t bytes_per_token() const;
  std::int64_t k_bytes_per_token() const;          // the K side: key, latent, RoPE and indexer keys
  std::int64_t v_bytes_per_token() const;          // the V side
  std::int64_t state_bytes() const;                // fixed per sequence: recurrent and conv state
  std::int64_t bytes(std::int64_t context) const;  // one sequence of `context` tokens
  bool attends_to_context() const;                 // holds token rows that attention reads
  // The retention of the token rows (every_token, window, chunk ...) and its span: layers with the same
  // signature share a page layout in paged engines.
  Holds token_holds() const;
  std::int64_t token_span() const;
  std::int64_t heads_per_rank() const;  // heads of the first component (KV heads; 1 for MLA)
  bool replicated() const;              // every TP rank holds the same cache
  std::string kind_name() const;        // "full", "mla", "mamba2", "full+mamba2" ...
};

// The dtypes recurrent state is kept in when an engine does not say otherwise: vLLM's "auto"
// mamba_cache_dtype is the model's dtype (conv state), its mamba_ssm_cache_dtype the checkpoint's
// (Qwen3.5's mamba_ssm_dtype float32) or else the model's (MambaStateDtypeCalculator).
struct StateDtypes {
  KvDtype conv;
  KvDtype ssm;
};
StateDtypes default_state_dtypes(const Architecture& arch);

// The cache of every decoder layer on one rank of tensor parallelism `tp` (tp = 1: the whole model).
std::vector<LayerCache> cache_layout(const Architecture& arch, const KvDtype& dtype, std::int64_t tp);
std::vector<LayerCache> cache_layout(const Architecture& arch, const KvDtype& dtype, const StateDtypes& states,
                                     std::int64_t tp);

// API.md's bytes_per_token: all layers, tp = 1, context shorter than every window (fixed states excluded).
std::int64_t kv_bytes_per_token(const Architecture& arch, const KvDtype& dtype);

// KV bytes of one sequence of `context` tokens on one rank, over layers [first, last).
std::int64_t kv_bytes_per_sequence(const std::vector<LayerCache>& layers, std::int64_t context, std::size_t first,
                                   std::size_t last);

}  // namespace vramplan

#include "vramplan/common/text.hpp"

namespace vramplan {

// The math of layers [first, last) for one sequence of `context` tokens, one line per group of identical
// layers ("64 full-attention layers x 2 (K,V) x 8 KV heads x 128 head_dim x 2 B (bf16) x 16,000 tokens = ...").
// "2 B (bf16)", "q8_0 (34 B per 32 values)"
Text explain_dtype(const KvDtype& dtype);

Text explain_cache(const std::vector<LayerCache>& layers, std::size_t first, std::size_t last, std::int64_t context,
                   std::int64_t tp);

}  // namespace vramplan
