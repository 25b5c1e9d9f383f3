#pragma once
// KV cache, layer by layer, for every attention kind and KV dtype, with TP sharding.
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

// What one layer keeps per token (or per sequence, for linear layers).
struct KvLayerCost {
  AttentionKind kind = AttentionKind::full;
  std::int64_t window = 0;
  std::int64_t k_bytes_per_token = 0;  // per token, on one rank
  std::int64_t v_bytes_per_token = 0;
  std::int64_t state_bytes = 0;     // linear layers: constant per sequence
  std::int64_t heads_per_rank = 0;  // KV heads a rank holds (1 latent "head" for MLA)
  bool replicated = false;          // every TP rank holds the same KV (MLA, or kv_heads < TP)
};

// Per-layer cost on one rank for tensor parallelism `tp` (tp = 1: the whole model).
std::vector<KvLayerCost> kv_layer_costs(const Architecture& arch, const KvDtype& dtype, std::int64_t tp);

// Tokens a layer holds for a sequence of `context` tokens.
std::int64_t kv_tokens_held(const KvLayerCost& layer, std::int64_t context);

// API.md's bytes_per_token: all layers, tp = 1, context shorter than every window (linear layers excluded).
std::int64_t kv_bytes_per_token(const Architecture& arch, const KvDtype& dtype);

// KV bytes of one sequence of `context` tokens on one rank, over layers [first, last).
std::int64_t kv_bytes_per_sequence(const std::vector<KvLayerCost>& costs, std::int64_t context, std::size_t first,
                                   std::size_t last);

}  // namespace vramplan
