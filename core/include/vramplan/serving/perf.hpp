#pragma once
// A roofline performance model: prefill is compute-bound (FLOPs / achievable FLOPS), a decode step is
// memory-bound (weight and KV bytes read / achievable bandwidth) until the batch makes it compute-bound;
// tensor parallelism adds all-reduces over the interconnect, pipeline parallelism point-to-point hops.
#include <cstdint>
#include <string>
#include <vector>

#include "vramplan/catalog/catalog.hpp"
#include "vramplan/common/text.hpp"
#include "vramplan/formats/formats.hpp"
#include "vramplan/model/architecture.hpp"
#include "vramplan/model/cache.hpp"

namespace vramplan {

// Named efficiency factors (adjustable; shown with every plan).
struct PerfFactors {
  double prefill_mfu = 0.5;            // achieved / peak tensor FLOPS in prefill
  double decode_mfu = 0.5;             // the same once a large batch makes decode compute-bound
  double mbu = 0.75;                   // achieved / peak memory bandwidth in decode
  double comm_efficiency = 0.7;        // achieved / peak interconnect bandwidth in all-reduce
  double allreduce_latency_s = 10e-6;  // per all-reduce (NVLink-class); PCIe-only cards use 3x
  double p2p_latency_s = 20e-6;        // per pipeline hop
  double step_overhead_s = 0;          // per engine step: scheduling, sampling, kernel launches (serve_load)
  double kv_mbu = 0;                   // achieved/peak bandwidth reading the KV cache in decode attention (0: mbu)
  double request_overhead_s = 0;       // per request before its first token: HTTP, tokenising, admission
};

// An engine family's efficiencies (serving/efficiency.cpp): what its kernels reach of the GPU's peaks, fitted
// on the published measurements in tests/reference/serving_cases.json. The request's `efficiency` overrides them.
struct EfficiencyPreset {
  const char* family;                // "vllm", "tensorrt-llm", "llama.cpp", "transformers"
  bool rocm;                         // the row for AMD GPUs (ROCm kernels)
  PerfFactors factors;               // prefill_mfu is the 16-bit one
  double prefill_mfu_low_precision;  // prefill on FP8 / INT8 / FP4 tensor cores
  Msg source;
};
const EfficiencyPreset& efficiency_preset(const std::string& engine_id, const GpuEntry& gpu);
PerfFactors efficiency_for(const std::string& engine_id, const GpuEntry& gpu, ComputePath path);

struct PerfModel {
  // Per replica (tp x pp GPUs). Bytes are per GPU, FLOPs per token.
  double weight_bytes_dense_per_gpu = 0;        // read every decode step
  double weight_bytes_experts_per_gpu = 0;      // read in proportion to the experts a batch touches
  double flops_per_token_linear = 0;            // 2 x active parameters (incl. lm_head)
  double attention_flops_per_token_ctx = 0;     // x context: QK^T and AV over the cached tokens
  std::int64_t kv_bytes_per_token_per_gpu = 0;  // one more cached token on one GPU (no windows)
  std::int64_t num_experts = 0, experts_per_token = 0;
  std::int64_t hidden = 0, layers = 0;
  std::int64_t tp = 1, pp = 1;
  double flops = 0;      // peak dense FLOPS of the format's compute path, one GPU
  double bandwidth = 0;  // bytes/s, one GPU
  double link = 0;       // interconnect bytes/s per direction
  bool nvlink_class = false;
  ComputePath compute_path = ComputePath::bf16;  // the path the format runs on this GPU
  PerfFactors f;
};

// `active_params` and `embedding_params` come from count_params (computed once per model by the caller).
PerfModel make_perf_model(const Architecture& a, const WeightFormat& w, const KvDtype& kv, const GpuEntry& gpu,
                          std::int64_t tp, std::int64_t pp, const std::vector<std::int64_t>& weight_bytes_by_class,
                          std::int64_t active_params, std::int64_t embedding_params, const PerfFactors& factors);

struct PerfFigures {
  double prefill_s = 0;  // one prompt, alone
  double decode_step_s = 0;
  double decode_memory_s = 0, decode_compute_s = 0, decode_comm_s = 0;
  double prefill_compute_s = 0, prefill_comm_s = 0;
};

// Prefill of `prompt` tokens; one decode step for `batch` sequences whose average context is `context`.
PerfFigures perf_figures(const PerfModel& m, std::int64_t prompt, double batch, double context);
// The share of the routed experts' bytes a step reads when `tokens` tokens are routed uniformly: 1 - (1 - k/E)^tokens
// (1 for dense models).
double expert_share(const PerfModel& m, double tokens);
// The TP all-reduces of `tokens` tokens over `layers` layers: two per layer, latency (x3 off NVLink-class links)
// plus the ring's 2 (tp - 1) / tp of the message over the interconnect.
double allreduce_s(const PerfModel& m, double tokens, double layers);
// The decode step alone (the planner's inner loop).
double decode_step_s(const PerfModel& m, double batch, double context);

}  // namespace vramplan
