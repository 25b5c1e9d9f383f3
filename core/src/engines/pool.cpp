// Engines that size their KV pool as a fraction of the memory left after the weights: TensorRT-LLM and
// LMDeploy. One rule, two rows; each engine names the knobs its own way (TGI has its own file, tgi.cpp).
#include <algorithm>
#include <cmath>

#include "deployment.hpp"
#include "profiles.hpp"
#include "vramplan/common/units.hpp"

namespace vramplan {
namespace {

std::string gib(double b) { return fmt_gib(b); }

// The knobs every pool engine has besides its fraction and block size.
constexpr std::array<OptionSpec, 5> kPoolOptions{{
    int_option("max_num_tokens", 1, 16777216, 8192, Msg::opt_pool_max_num_tokens, "", "tokens"),
    int_option_unset("max_tokens", 1, kTiB, Msg::opt_pool_max_tokens, "", "tokens"),
    kCudaReservedOption,
    int_option_unset("runtime_bytes", 0, 1024 * kTiB, Msg::opt_pool_runtime_bytes, "", "bytes"),
    kTotalGpuMemoryOption,
}};

// One description of a "fraction of free memory" engine.
struct PoolRule {
  const char* engine;
  const char* fraction_name;  // the engine's option name
  const char* block_name;     // tokens per block option
  const char* report_key;     // what the engine prints
  Msg citation;               // the source of the rule (assumption reason)
};

Expected<EngineOutcome> run_pool_engine(const Deployment& d, const PoolRule& rule) {
  const EstimateInput& in = *d.in;
  const Architecture& a = *d.arch;
  EngineOutcome out;
  const EngineOptions& e = d.options;
  const double fraction = e.number(rule.fraction_name);
  const I64 block = e.integer(rule.block_name);
  const I64 max_num_tokens = e.integer("max_num_tokens");
  const I64 max_tokens = e.integer("max_tokens", -1);
  auto gpu_total = runtime_total(d, rule.engine);
  if (!gpu_total) return gpu_total.error();
  const double total = gpu_total->bytes;
  // Runtime buffers of one forward pass of max_num_tokens, plus the CUDA context.
  const I64 runtime = e.integer("runtime_bytes", max_num_tokens * activation_bytes_per_token(a, d.tp) + (512LL << 20));
  I64 min_tokens = -1;
  for (I64 s = 0; s < d.pp; ++s) {
    StageOutcome st;
    const I64 per_token = d.stage_bytes_per_token(s);
    const I64 weights = d.stage_weights[static_cast<std::size_t>(s)];
    const double free_after = total - static_cast<double>(weights + runtime);
    const double pool = std::max(0.0, free_after * fraction);
    I64 tokens = per_token > 0 ? static_cast<I64>(pool / static_cast<double>(per_token * block)) * block : 0;
    if (max_tokens > 0) tokens = std::min(tokens, max_tokens / block * block);
    if (min_tokens < 0 || tokens < min_tokens) min_tokens = tokens;
    auto& u = st.usage;
    u.pp_stage = static_cast<int>(s);
    u.weights = weights;
    u.kv_cache = tokens * per_token;
    u.activations = runtime - (512LL << 20);
    u.overhead = 512LL << 20;
    st.items.push_back({"weights", Text(Msg::pool_item_weights), weights, d.weights_explain});
    st.items.push_back({"kv_cache", Text(Msg::pool_item_kv_pool), u.kv_cache,
                        Text(Msg::pool_explain_kv_pool)
                            .str("option", rule.fraction_name)
                            .number("fraction", fraction)
                            .integer("free", static_cast<I64>(free_after))
                            .integer("pool", static_cast<I64>(pool))
                            .integer("per_token", per_token)
                            .integer("block", block)
                            .integer("tokens", tokens)});
    st.items.push_back({"activations", Text(Msg::pool_item_runtime), u.activations,
                        Text(Msg::pool_explain_runtime)
                            .integer("tokens", max_num_tokens)
                            .text("per_token", activation_per_token_explain(a, d.tp))});
    st.items.push_back(
        {"overhead.cuda_context", Text(Msg::pool_item_cuda_context), u.overhead, Text(Msg::pool_explain_cuda_context)});
    out.stages.push_back(std::move(st));
  }
  const I64 tokens = std::max<I64>(0, min_tokens);
  out.report.engine = rule.engine;
  out.report.integer(rule.report_key, tokens).integer("tokens_per_block", block).number("fraction", fraction);
  out.report.log_lines = {std::string(rule.report_key) + ": " + std::to_string(tokens)};
  out.report.pool_sequences = tokens / std::max<I64>(1, in.context_tokens);
  out.has_fit = true;
  out.fits = tokens >= in.context_tokens * d.seqs;
  out.verdict = Text(out.fits ? Msg::pool_verdict_fits : Msg::pool_verdict_no_fit)
                    .integer("count", in.count)
                    .str("gpu", in.gpu.name)
                    .str("engine", rule.engine)
                    .integer("tokens", tokens)
                    .integer("needed", in.context_tokens * d.seqs);
  out.assumptions = {{"engine", rule.engine, Text(rule.citation)},
                     gpu_total->assumption,
                     {rule.fraction_name, fmt_num(fraction, 2), Text(Msg::pool_assume_fraction)},
                     {rule.block_name, fmt_int(block), Text(Msg::pool_assume_block)},
                     {"runtime_bytes", gib(static_cast<double>(runtime)), Text(Msg::pool_assume_runtime_bytes)}};
  out.warnings.push_back(Text(Msg::pool_warn_runtime_unvalidated).str("engine", rule.engine));
  return out;
}

// TensorRT-LLM: "Allocated K GiB for max tokens in paged KV cache (N)", K = free_gpu_memory_fraction x free
// after engine, context and runtime buffers (its own log lines; ENGINES.md A5).
const PoolRule kTrtRule{"tensorrt-llm", "kv_cache_free_gpu_mem_fraction", "tokens_per_block",
                        "max_tokens_in_paged_kv_cache", Msg::pool_assume_engine_tensorrt_llm};
constexpr auto kTrtOptions =
    join_options(std::array<OptionSpec, 2>{{
                     number_option("kv_cache_free_gpu_mem_fraction", 0.01, 1.0, 0.9, Msg::opt_trtllm_free_fraction,
                                   "--kv_cache_free_gpu_memory_fraction", "fraction"),
                     int_option("tokens_per_block", 1, 65536, 64, Msg::opt_pool_block, "tokens_per_block", "tokens"),
                 }},
                 kPoolOptions);
Expected<EngineOutcome> run_trtllm(const Deployment& d) { return run_pool_engine(d, kTrtRule); }

// LMDeploy TurboMind: cache_max_entry_count (0.8) of the free memory after the weights, blocks of 64 tokens.
const PoolRule kLmdeployRule{"lmdeploy", "cache_max_entry_count", "cache_block_seq_len", "kv_cache_tokens",
                             Msg::pool_assume_engine_lmdeploy};
constexpr auto kLmdeployOptions = join_options(
    std::array<OptionSpec, 2>{{
        number_option("cache_max_entry_count", 0.01, 1.0, 0.8, Msg::opt_lmdeploy_cache_max_entry_count,
                      "--cache-max-entry-count", "fraction"),
        int_option("cache_block_seq_len", 1, 65536, 64, Msg::opt_pool_block, "--cache-block-seq-len", "tokens"),
    }},
    kPoolOptions);
Expected<EngineOutcome> run_lmdeploy(const Deployment& d) { return run_pool_engine(d, kLmdeployRule); }

// `trtllm-serve` (tensorrt_llm/commands/serve.py, PyTorch backend; docs/engines-launch.md). The KV cache's
// dtype is set in the --config YAML (kv_cache_config.dtype); quantised weights come as quantised checkpoints.
std::string launch_trtllm(const LaunchRequest& r) {
  const CheckpointChoice ck = checkpoint_for(r, false, false);
  std::string c = "trtllm-serve " + ck.model + " --backend pytorch --tp_size " + std::to_string(r.tp);
  if (r.pp > 1) c += " --pp_size " + std::to_string(r.pp);
  if (r.moe && r.tp > 1) c += " --ep_size " + std::to_string(r.tp);
  c += " --max_seq_len " + std::to_string(r.max_len) + " --max_batch_size " + std::to_string(r.sequences) +
       " --kv_cache_free_gpu_memory_fraction 0.9";
  if (!r.kv_auto) c += " --config kv.yaml  # kv.yaml: kv_cache_config: {dtype: " + r.kv.id + "}";
  if (r.replicas > 1) c += "   # x " + std::to_string(r.replicas) + " servers behind a load balancer";
  return c;
}

// `lmdeploy serve api_server` (lmdeploy/cli/serve.py): no pipeline parallelism; an int8 KV cache is
// --quant-policy 8; AWQ/GPTQ/FP8 checkpoints are named with --model-format.
std::string launch_lmdeploy(const LaunchRequest& r) {
  if (r.pp > 1) return std::string();
  const CheckpointChoice ck = checkpoint_for(r, false, false);
  std::string c = "lmdeploy serve api_server " + ck.model + " --backend turbomind --tp " + std::to_string(r.tp);
  if (r.replicas > 1) c += " --dp " + std::to_string(r.replicas);
  if (r.format.kind == FormatKind::grouped)
    c += starts_with(r.format.id, "awq") ? " --model-format awq" : " --model-format gptq";
  if (r.format.kind == FormatKind::fp8) c += " --model-format fp8";
  if (!r.kv_auto && r.kv.id == "int8") c += " --quant-policy 8";
  c += " --session-len " + std::to_string(r.max_len) + " --max-batch-size " + std::to_string(r.sequences) +
       " --cache-max-entry-count 0.8";
  return c;
}

}  // namespace

const EngineProfile kTensorRtLlmProfile{
    "tensorrt-llm",
    "TensorRT-LLM",
    "trtllm|trt-llm",
    Msg::engine_tensorrt_llm,
    /*splits_heads=*/true,
    /*layer_split_default=*/false,
    "auto|fp8|int8",
    "bf16|fp8|int8|awq-int4|gptq-int4|nvfp4",
    span_of(kTrtOptions),
    run_trtllm,
    launch_trtllm,
    /*fp32_checkpoints_in_16bit=*/true,
    /*expert_parallel=*/true,
};

const EngineProfile kLmdeployProfile{
    "lmdeploy",
    "LMDeploy",
    "turbomind",
    Msg::engine_lmdeploy,
    /*splits_heads=*/true,
    /*layer_split_default=*/false,
    "auto|int8",
    "bf16|fp8|awq-int4|gptq-int4",
    span_of(kLmdeployOptions),
    run_lmdeploy,
    launch_lmdeploy,
    /*fp32_checkpoints_in_16bit=*/true,
};

}  // namespace vramplan
