// Engine families' efficiencies: one row per family and GPU software stack. The figures are fitted on
// tests/reference/serving_cases.json (ACCURACY.md, "Serving"): a grid search of the median |log(ours / measured)|
// over every throughput, TTFT, TPOT and end-to-end figure of the family's rows; each row's source message says
// which measurements set it. Families without measurements keep stated guesses and say so.
#include <string>

#include "vramplan/serving/perf.hpp"

namespace vramplan {
namespace {

// prefill_mfu (16-bit), decode_mfu, mbu, comm_efficiency, allreduce_latency_s, p2p_latency_s, step_overhead_s,
// kv_mbu, request_overhead_s; then the prefill MFU on FP8 / INT8 / FP4 tensor cores.
const EfficiencyPreset kPresets[] = {
    {"vllm", false, {0.66, 0.25, 0.75, 0.7, 10e-6, 20e-6, 2.0e-3, 0.5, 40e-3}, 0.43, Msg::perf_source_vllm},
    {"vllm", true, {0.30, 0.12, 0.60, 0.7, 10e-6, 20e-6, 4.0e-3, 0.25, 40e-3}, 0.30, Msg::perf_source_vllm_rocm},
    {"tensorrt-llm",
     false,
     {0.55, 0.25, 0.70, 0.7, 8e-6, 20e-6, 2.0e-3, 0.5, 5e-3},
     0.45,
     Msg::perf_source_tensorrt_llm},
    {"llama.cpp", false, {0.40, 0.30, 0.65, 0.5, 20e-6, 40e-6, 1.0e-3, 0.5, 5e-3}, 0.30, Msg::perf_source_llamacpp},
    {"transformers",
     false,
     {0.40, 0.20, 0.45, 0.5, 20e-6, 40e-6, 15e-3, 0.4, 20e-3},
     0.25,
     Msg::perf_source_transformers},
};

const char* family_of(const std::string& engine) {
  if (engine == "tensorrt-llm") return "tensorrt-llm";
  if (engine == "llama.cpp" || engine == "ollama" || engine == "ktransformers") return "llama.cpp";
  if (engine == "transformers") return "transformers";
  return "vllm";  // vLLM and the engines built like it: SGLang, TGI, LMDeploy, generic
}

}  // namespace

const EfficiencyPreset& efficiency_preset(const std::string& engine, const GpuEntry& gpu) {
  const std::string family = family_of(engine);
  const bool rocm = gpu.backend == Backend::rocm;
  const EfficiencyPreset* first = nullptr;
  for (const auto& p : kPresets) {
    if (family != p.family) continue;
    if (p.rocm == rocm) return p;
    if (!first) first = &p;
  }
  return first ? *first : kPresets[0];
}

PerfFactors efficiency_for(const std::string& engine, const GpuEntry& gpu, ComputePath path) {
  const EfficiencyPreset& p = efficiency_preset(engine, gpu);
  PerfFactors f = p.factors;
  if (path != ComputePath::bf16) f.prefill_mfu = p.prefill_mfu_low_precision;
  return f;
}

}  // namespace vramplan
