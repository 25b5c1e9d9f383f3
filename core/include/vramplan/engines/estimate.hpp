#pragma once
// Memory for one deployment: weights + KV cache + activations + overhead, per GPU, each line
// with its formula and numbers substituted (the same code computes and explains).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vramplan/catalog/catalog.hpp"
#include "vramplan/common/error.hpp"
#include "vramplan/engines/engine.hpp"
#include "vramplan/engines/report.hpp"
#include "vramplan/formats/formats.hpp"
#include "vramplan/model/architecture.hpp"
#include "vramplan/model/cache.hpp"
#include "vramplan/model/params.hpp"

namespace vramplan {

struct EstimateInput {
  std::string model_id;
  Architecture arch;
  WeightFormat weights;
  KvDtype kv;
  std::int64_t context_tokens = 4096;
  std::int64_t concurrency = 1;
  GpuEntry gpu;
  std::int64_t count = 1;
  std::int64_t tp = 1;
  std::int64_t pp = 1;
  // Expert parallelism: the routed experts of each stage spread whole over `ep` GPUs (a multiple of tp
  // within one stage, its data-parallel attention ranks included); 1: experts split by TP like any MLP.
  std::int64_t ep = 1;
  const EngineProfile* engine = &generic_engine();
  EngineOptions options;  // the engine's own knobs, validated against its option list
  bool explain = true;    // build the explanation texts (the planner's inner loop turns them off)
  // The model's tensors, when the caller already enumerated them for `arch` (the planner and fit reuse one
  // list across hundreds of probes); empty: estimate() enumerates them.
  std::shared_ptr<const std::vector<TensorGroup>> tensors;

  // Loading switches every engine honours.
  bool include_mtp_weights() const { return options.boolean("include_mtp_weights"); }
  bool include_vision_weights() const { return options.boolean("include_vision_weights"); }
};

struct LineItem {
  std::string id;  // "weights", "kv_cache", "activations", "overhead.cuda_context" ...
  Text label;
  std::int64_t bytes = 0;
  Text explain;  // the formula with the numbers substituted
};

struct ClassBytes {
  TensorClass cls = TensorClass::attention;
  std::int64_t params = 0;
  std::int64_t bytes = 0;
  std::string storage;
};

struct GpuUsage {
  int index = 0;
  int tp_rank = 0;
  int pp_stage = 0;
  int replica = 0;
  std::int64_t weights = 0, kv_cache = 0, activations = 0, overhead = 0, total = 0, capacity = 0;
};

struct RuleOfThumb {
  std::string id;
  Text formula;        // with numbers
  std::string source;  // which seed article
  std::int64_t bytes = 0;
  double ratio_to_detailed = 0;
};

struct Assumption {
  std::string name;
  std::string value;
  Text why;
};

struct EstimateResult {
  ParamCount params;
  std::int64_t checkpoint_params = 0;  // as HF's safetensors metadata counts (incl. FP8 block scales)
  std::string weights_format;
  std::int64_t weight_bytes = 0;  // loaded weights, whole model
  std::vector<ClassBytes> weights_by_class;
  Text weights_explain;

  std::int64_t kv_bytes_per_token = 0;
  std::int64_t kv_bytes_per_sequence = 0;  // context_tokens, tp = 1
  std::int64_t kv_bytes = 0;               // the workload's KV, all GPUs together
  Text kv_explain;
  std::int64_t kv_naive_bytes = 0;  // the "no GQA" formula: all attention heads cached
  Text kv_naive_explain;

  std::int64_t data_parallel = 1;
  std::int64_t sequences_per_replica = 1;
  std::vector<GpuUsage> per_gpu;
  std::vector<LineItem> breakdown;  // the busiest GPU, line by line
  bool fits = false;
  Text verdict;
  EngineReport engine_report;   // what the engine itself would print
  std::int64_t host_bytes = 0;  // system RAM for the model (offloaded layers, host buffers)
  Text host_explain;
  std::vector<RuleOfThumb> rules_of_thumb;
  std::vector<Assumption> assumptions;
  std::vector<Text> warnings;
};

Expected<EstimateResult> estimate(const EstimateInput& input);

}  // namespace vramplan
