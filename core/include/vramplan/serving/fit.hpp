#pragma once
// Inverse questions for one model, format and hardware: the largest context, the most sequences, the
// best weight format and KV dtype that fit, the fewest GPUs of each type, and what to change to fit.
#include <cstdint>
#include <string>
#include <vector>

#include "vramplan/catalog/catalog.hpp"
#include "vramplan/engines/estimate.hpp"

namespace vramplan {

struct GpuFit {
  const GpuEntry* gpu = nullptr;
  std::int64_t count = 0, tp = 1, pp = 1;
  std::int64_t per_gpu_total = 0, capacity = 0;
};

// One change, alone, with the per-GPU figure it gives.
struct FitSuggestion {
  std::string field;  // "weights", "kv_cache_dtype", "context_tokens", "concurrency", "count"
  std::string value;  // the value to set it to
  bool fits = false;
  std::int64_t per_gpu_total = 0, capacity = 0;
  Text text;  // "weights in fp8: 40.12 GB per GPU" ...
};

struct FitResult {
  bool has_gpu = false;  // the questions below about this GPU need one
  std::int64_t max_context_tokens = 0, max_context_limit = 0, max_concurrency = 0;
  std::string best_weights, best_kv_cache_dtype;  // "" when none fits
  std::vector<GpuFit> min_gpus;                   // catalog GPUs, fewest GPU-bytes first
  std::vector<FitSuggestion> suggestions;
};

// The questions for an estimate input; the candidate weight formats and KV dtypes are the ones its engine
// takes (EngineProfile::format_ladder, kv_dtypes), so no answer proposes a setting the engine rejects.
FitResult fit(const EstimateInput& input, const Catalog& catalog);

// The most sequences of the input's context that fit (the estimate's own boundary), up to `limit`.
std::int64_t max_concurrency(const EstimateInput& input, std::int64_t limit = 1000000);

}  // namespace vramplan
