#pragma once
// Private to the core: what every engine profile starts from (the model split over the GPUs),
// and the interface each profile implements.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "vramplan/common/strings.hpp"
#include "vramplan/engines/estimate.hpp"
#include "vramplan/engines/options.hpp"

namespace vramplan {

using I64 = std::int64_t;

struct Deployment {
  const EstimateInput* in = nullptr;
  const Architecture* arch = nullptr;
  // Every tensor group of the model (a view: the list lives in estimate() or the caller's cache).
  struct TensorList {
    const std::vector<TensorGroup>* list = nullptr;
    std::vector<TensorGroup>::const_iterator begin() const { return list->begin(); }
    std::vector<TensorGroup>::const_iterator end() const { return list->end(); }
  } tensors;
  I64 tp = 1, pp = 1, dp = 1;
  I64 seqs = 1;                             // sequences per replica
  std::vector<std::pair<I64, I64>> ranges;  // layer range of each PP stage
  std::vector<I64> stage_weights;           // weight bytes on one GPU of each stage
  std::vector<LayerCache> cache;            // per layer, on one TP rank
  Text weights_explain;                     // the whole model's weights, class by class
  bool explain = true;                      // build line items with their formulas
  EngineOptions options;                    // the request's engine_options, with this engine's defaults

  // Cache bytes one token takes on one GPU of PP stage s (every layer of the stage, one TP rank).
  I64 stage_bytes_per_token(I64 s) const {
    const auto [first, last] = ranges[static_cast<std::size_t>(s)];
    I64 bytes = 0;
    for (I64 l = first; l < last; ++l) bytes += cache[static_cast<std::size_t>(l)].bytes_per_token();
    return bytes;
  }
};

struct StageOutcome {
  GpuUsage usage;
  std::vector<LineItem> items;
};

struct EngineOutcome {
  std::vector<StageOutcome> stages;  // one per PP stage
  EngineReport report;
  std::vector<Assumption> assumptions;
  std::vector<Text> warnings;
  Text verdict;          // empty: the common "total vs capacity" verdict
  bool has_fit = false;  // the engine decides fit itself (vLLM: the KV pool must hold the workload)
  bool fits = false;
  I64 host_bytes = 0;  // system RAM the engine uses for the model (llama.cpp host buffers, offload)
  Text host_explain;
};

// The GPU total an engine's runtime starts from (torch.cuda.mem_get_info's total): the option
// total_gpu_memory_bytes when set; an inline GPU's memory_bytes as given (the total a log prints, so no
// reserve comes off it); a catalog card's memory (nvidia-smi's total) less cuda_reserved_bytes.
struct RuntimeTotal {
  double bytes = 0;
  Assumption assumption;
};
Expected<RuntimeTotal> runtime_total(const Deployment& d, const char* engine_name);
// The two options runtime_total reads, for the option list of each profile that calls it.
// Option bounds in bytes (every profile's table uses them).
inline constexpr double kTiB = 1099511627776.0;
inline constexpr double kPiB = 1024 * kTiB;
inline constexpr OptionSpec kTotalGpuMemoryOption =
    int_option_unset("total_gpu_memory_bytes", 1, 1024 * kTiB, Msg::opt_total_gpu_memory_bytes, "", "bytes");
// nvidia-smi's total minus what CUDA reports: 0.47 GiB (H100: 81559 MiB vs 79.18 GiB, llm-d logs), 0.42 GiB
// (RTX 3090: 24576 MiB vs 23.58 GiB, vllm#10517), 0.57 GiB (L40S: 46068 MiB vs 44.42 GiB, vllm#15815).
inline constexpr OptionSpec kCudaReservedOption =
    int_option_unset("cuda_reserved_bytes", 0, kTiB, Msg::opt_cuda_reserved_bytes, "", "bytes");
inline constexpr I64 kDefaultCudaReservedBytes = 500LL << 20;
// CUDA context + cuBLAS/cuDNN workspaces of one process (pytorch#107667: context ~300 MB with lazy loading; library
// workspaces and kernels add a few hundred MB more), for the profiles that do not measure it (generic, TGI).
inline constexpr OptionSpec kCudaContextOption =
    int_option("cuda_context_bytes", 0, kTiB, 512.0 * 1048576, Msg::opt_generic_cuda_context_bytes, "", "bytes");
// NCCL communicator buffers per GPU when TP/PP > 1 (aiconfigurator h100_sxm.yaml: 342 MB at TP2, 392 MB at TP4/8).
inline constexpr OptionSpec kNcclOption =
    int_option("nccl_bytes", 0, kTiB, 400.0 * 1048576, Msg::opt_generic_nccl_bytes, "", "bytes");

// Shared pieces the profiles reuse.
Text kv_stage_explain(const Deployment& d, std::size_t stage, I64 context, I64* bytes_per_sequence);
// Transient bytes per token of one forward pass on one rank: residual stream + the widest intermediate.
I64 activation_bytes_per_token(const Architecture& a, I64 tp);
Text activation_per_token_explain(const Architecture& a, I64 tp);

// The checkpoint a plan's weight format needs: the model itself, or a placeholder for a pre-quantized copy
// (GPTQ/AWQ), and the method an engine applies on load (FP8, bitsandbytes) when the format is not native.
struct CheckpointChoice {
  std::string model;
  std::string quantize;  // "fp8", "bitsandbytes" or ""
};
CheckpointChoice checkpoint_for(const LaunchRequest& r, bool fp8_on_load = true, bool bnb_on_load = true);

}  // namespace vramplan
