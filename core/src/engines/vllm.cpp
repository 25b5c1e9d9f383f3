// vLLM's memory rule (V1 engine, with the V0 differences), read from vLLM's source and logs:
//   requested = total_gpu_memory x gpu_memory_utilization                       (gpu_worker.init_device)
//   available_kv = requested - (weights + peak activation + non-torch memory)   (determine_available_memory)
//   num_blocks = available // page_size // layers                              (kv_cache_utils.get_num_blocks)
// See docs/reference/ENGINES.md A1/A2 for the versions and commits these come from.
#include <algorithm>
#include <cmath>
#include <map>

#include "deployment.hpp"
#include "profiles.hpp"
#include "vramplan/common/units.hpp"

namespace vramplan {
namespace {

std::string gib(double bytes) { return fmt_gib(bytes); }

struct VllmOptions {
  bool v0;
  double gpu_memory_utilization;
  I64 block_size, max_model_len, max_num_seqs, max_num_batched_tokens;
  bool enforce_eager;
  I64 cudagraph_bytes;
  bool cudagraph_memory_subtracted;
  I64 kv_cache_memory_bytes, num_gpu_blocks_override;  // -1: not set
  double cpu_offload_gb, swap_space_gb;
  I64 non_torch_bytes, activation_bytes;  // -1: estimated
};

constexpr double kTiB = 1099511627776.0;
constexpr double kPiB = 1125899906842624.0;

const OptionSpec kOptions[] = {
    choice_option("engine_version", "v1|v0", "v1", Msg::opt_vllm_engine_version),
    number_option("gpu_memory_utilization", 0.01, 1.0, 0.9, Msg::opt_vllm_gpu_memory_utilization,
                  "--gpu-memory-utilization", "fraction"),
    kTotalGpuMemoryOption,
    kCudaReservedOption,
    int_option("block_size", 1, 65536, 16, Msg::opt_vllm_block_size, "--block-size", "tokens"),
    int_option_unset("max_model_len", 1, 16777216, Msg::opt_vllm_max_model_len, "--max-model-len", "tokens"),
    int_option_unset("max_num_seqs", 1, 1048576, Msg::opt_vllm_max_num_seqs, "--max-num-seqs"),
    int_option_unset("max_num_batched_tokens", 1, 16777216, Msg::opt_vllm_max_num_batched_tokens,
                     "--max-num-batched-tokens", "tokens"),
    bool_option("enforce_eager", false, Msg::opt_vllm_enforce_eager, "--enforce-eager"),
    // CUDA graph pool: measured after the KV cache is allocated, so not deducted (llm-d rows: -0.88 .. +0.39 GiB).
    int_option("cudagraph_bytes", 0, kTiB, 256.0 * kMiB, Msg::opt_vllm_cudagraph_bytes, "", "bytes"),
    bool_option("cudagraph_memory_subtracted", false, Msg::opt_vllm_cudagraph_memory_subtracted,
                "VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS"),
    int_option_unset("kv_cache_memory_bytes", 0, kPiB, Msg::opt_vllm_kv_cache_memory_bytes, "--kv-cache-memory-bytes",
                     "bytes"),
    int_option_unset("num_gpu_blocks_override", 0, kTiB, Msg::opt_vllm_num_gpu_blocks_override,
                     "--num-gpu-blocks-override"),
    number_option("cpu_offload_gb", 0, 1e6, 0, Msg::opt_vllm_cpu_offload_gb, "--cpu-offload-gb", "GiB"),
    number_option("swap_space", 0, 1e6, 4, Msg::opt_vllm_swap_space, "--swap-space", "GiB"),
    int_option_unset("non_torch_bytes", 0, kTiB, Msg::opt_vllm_non_torch_bytes, "", "bytes"),
    int_option_unset("activation_bytes", 0, kPiB, Msg::opt_activation_bytes, "", "bytes"),
};

VllmOptions read_options(const Deployment& d) {
  const EngineOptions& e = d.options;
  VllmOptions o;
  o.v0 = e.choice("engine_version") == "v0";
  o.gpu_memory_utilization = e.number("gpu_memory_utilization");
  o.block_size = e.integer("block_size");
  o.max_model_len = e.integer("max_model_len", d.in->context_tokens);
  // V1 defaults depend on the GPU (vllm/engine/arg_utils.py, _set_default_args, v0.9-v0.11): on GPUs with
  // >= 70 GiB the API server uses max_num_seqs 1024 and max_num_batched_tokens 8192, else 256 and 2048.
  const bool large_gpu = d.in->gpu.memory_bytes >= 70LL * 1073741824LL;
  o.max_num_seqs = e.integer("max_num_seqs", (!o.v0 && large_gpu) ? 1024 : 256);
  o.max_num_batched_tokens =
      e.integer("max_num_batched_tokens", o.v0 ? std::max<I64>(o.max_model_len, 2048) : (large_gpu ? 8192 : 2048));
  o.enforce_eager = e.boolean("enforce_eager");
  o.cudagraph_bytes = o.enforce_eager ? 0 : e.integer("cudagraph_bytes");
  o.cudagraph_memory_subtracted = e.boolean("cudagraph_memory_subtracted");
  o.kv_cache_memory_bytes = e.integer("kv_cache_memory_bytes", -1);
  o.num_gpu_blocks_override = e.integer("num_gpu_blocks_override", -1);
  o.cpu_offload_gb = e.number("cpu_offload_gb");
  o.swap_space_gb = e.number("swap_space");
  o.non_torch_bytes = e.integer("non_torch_bytes", -1);
  o.activation_bytes = e.integer("activation_bytes", -1);
  return o;
}

// KV cache groups of vLLM's hybrid allocator: layers of one attention kind share a page size;
// with several kinds, layers are grouped in groups of the smallest kind's size.
struct KvGroup {
  Holds holds;
  I64 window;
  I64 layers;
  I64 bytes_per_token;  // one layer, one rank
};

// What the memory profile measures, the same on every rank (gpu_worker.determine_available_memory).
struct Budget {
  RuntimeTotal total_source;
  double total = 0, requested = 0;
  I64 non_torch = 0, profile_tokens = 0, activation = 0, offload = 0;
};

Budget read_budget(const Deployment& d, const VllmOptions& o, RuntimeTotal total) {
  Budget b;
  b.total = total.bytes;
  b.total_source = std::move(total);
  b.requested = b.total * o.gpu_memory_utilization;
  b.non_torch = o.non_torch_bytes >= 0
                    ? o.non_torch_bytes
                    : (d.tp * d.pp > 1 ? static_cast<I64>(0.30 * kGiB) : static_cast<I64>(0.14 * kGiB));
  b.profile_tokens = o.max_num_batched_tokens;
  // The profile run ends with a dummy sampler pass over max_num_seqs rows of logits: fp32 logits and
  // probabilities plus int64 sort indices for top-p/top-k = 16 B per vocabulary entry.
  const I64 sampler = o.max_num_seqs * d.arch->vocab_size * 16;
  b.activation = o.activation_bytes >= 0 ? o.activation_bytes
                                         : b.profile_tokens * activation_bytes_per_token(*d.arch, d.tp) + sampler;
  b.offload = static_cast<I64>(o.cpu_offload_gb * kGiB);
  return b;
}

// The KV pool of one stage: its groups, page size and blocks (kv_cache_utils.get_kv_cache_config).
struct Pool {
  std::vector<KvGroup> groups;
  I64 page = 1, group_size = 1, available = 0, blocks = 0;
  bool state_only_layers = false;  // Mamba/linear-attention layers vLLM pages separately

  // Blocks one request of `len` tokens needs.
  I64 blocks_for(I64 len, const VllmOptions& o) const {
    I64 total = 0;
    for (const auto& g : groups) {
      const I64 per = (g.holds == Holds::window || g.holds == Holds::chunk)
                          ? ceil_div(std::min(g.window - 1 + o.max_num_batched_tokens, len), o.block_size) + 1
                          : ceil_div(len, o.block_size);
      total += per * ceil_div(g.layers, group_size);
    }
    return total;
  }
  I64 num_groups() const {
    I64 n = 0;
    for (const auto& g : groups) n += ceil_div(g.layers, group_size);
    return std::max<I64>(1, n);
  }
  I64 bytes_per_block() const { return page * group_size; }
};

Pool stage_pool(const Deployment& d, const VllmOptions& o, I64 first, I64 last, I64 available) {
  Pool p;
  p.available = available;
  for (I64 l = first; l < last; ++l) {
    const LayerCache& c = d.cache[static_cast<std::size_t>(l)];
    if (!c.attends_to_context()) {
      p.state_only_layers = true;
      continue;
    }
    auto it = std::find_if(p.groups.begin(), p.groups.end(),
                           [&](const KvGroup& g) { return g.holds == c.token_holds() && g.window == c.token_span(); });
    if (it == p.groups.end())
      p.groups.push_back({c.token_holds(), c.token_span(), 1, c.bytes_per_token()});
    else
      ++it->layers;
  }
  I64 group_size = 0;
  for (const auto& k : p.groups) group_size = group_size == 0 ? k.layers : std::min(group_size, k.layers);
  p.group_size = std::max<I64>(1, group_size);
  p.page = p.groups.empty() ? 1 : o.block_size * p.groups.front().bytes_per_token;
  p.blocks = available > 0 ? available / p.page / p.group_size : 0;
  if (o.num_gpu_blocks_override >= 0) p.blocks = o.num_gpu_blocks_override;
  return p;
}

void explain_stage(const Deployment& d, const VllmOptions& o, const Budget& b, const Pool& p, I64 weights_full,
                   StageOutcome& st) {
  const GpuUsage& u = st.usage;
  const bool split = d.tp * d.pp > 1;
  Text weights_text = d.weights_explain;
  if (split) weights_text = Text(Msg::vllm_explain_weights_shard).text("weights", std::move(weights_text));
  if (b.offload > 0)
    weights_text = Text(Msg::vllm_explain_weights_offload)
                       .integer("full", weights_full)
                       .integer("offload", b.offload)
                       .integer("bytes", u.weights)
                       .text("weights", std::move(weights_text));
  st.items.push_back({"weights", Text(split ? Msg::vllm_item_weights_shard : Msg::vllm_item_weights), u.weights,
                      std::move(weights_text)});
  Text kv_text(Msg::vllm_explain_kv_pool);
  kv_text.integer("requested", static_cast<I64>(b.requested))
      .integer("weights", u.weights)
      .integer("activation", b.activation)
      .integer("non_torch", b.non_torch);
  if (o.cudagraph_memory_subtracted && o.cudagraph_bytes > 0)
    kv_text.text("cudagraphs", Text(Msg::vllm_explain_kv_cudagraphs).integer("bytes", o.cudagraph_bytes));
  kv_text.integer("available", p.available)
      .integer("block_size", o.block_size)
      .integer("per_token", p.groups.empty() ? 0 : p.groups.front().bytes_per_token)
      .integer("page", p.page)
      .integer("available_bytes", std::max<I64>(0, p.available))
      .integer("group_size", p.group_size)
      .integer("blocks", p.blocks)
      .integer("pool", u.kv_cache);
  st.items.push_back({"kv_cache", Text(Msg::vllm_item_kv_pool), u.kv_cache, std::move(kv_text)});
  st.items.push_back({"activations", Text(Msg::vllm_item_activation), b.activation,
                      o.activation_bytes >= 0 ? Text(Msg::vllm_explain_activation_set)
                                              : Text(Msg::vllm_explain_activation)
                                                    .integer("tokens", b.profile_tokens)
                                                    .text("per_token", activation_per_token_explain(*d.arch, d.tp))
                                                    .integer("seqs", o.max_num_seqs)
                                                    .integer("vocab", d.arch->vocab_size)
                                                    .integer("bytes", b.activation)});
  st.items.push_back({"overhead.non_torch", Text(Msg::vllm_item_non_torch), b.non_torch,
                      Text(Msg::vllm_explain_non_torch).integer("bytes", b.non_torch)});
  st.items.push_back({"overhead.cudagraph", Text(Msg::vllm_item_cudagraphs), o.cudagraph_bytes,
                      o.enforce_eager ? Text(Msg::vllm_explain_cudagraphs_eager)
                                      : Text(o.cudagraph_memory_subtracted ? Msg::vllm_explain_cudagraphs_subtracted
                                                                           : Msg::vllm_explain_cudagraphs_after)
                                            .integer("bytes", o.cudagraph_bytes)});
}

// Every stage's usage; returns the stage with the fewest blocks (vLLM takes the minimum over workers).
Pool run_stages(const Deployment& d, const VllmOptions& o, const Budget& b, EngineOutcome& out) {
  Pool worst;
  bool first_stage = true;
  for (I64 s = 0; s < d.pp; ++s) {
    StageOutcome st;
    const auto [first, last] = d.ranges[static_cast<std::size_t>(s)];
    auto& u = st.usage;
    u.pp_stage = static_cast<int>(s);
    const I64 weights_full = d.stage_weights[static_cast<std::size_t>(s)];
    const I64 weights = std::max<I64>(0, weights_full - b.offload);
    const double cudagraph_sub = o.cudagraph_memory_subtracted ? static_cast<double>(o.cudagraph_bytes) : 0.0;
    const double available =
        o.kv_cache_memory_bytes >= 0
            ? static_cast<double>(o.kv_cache_memory_bytes)
            : b.requested - static_cast<double>(weights + b.activation + b.non_torch) - cudagraph_sub;
    Pool p = stage_pool(d, o, first, last, static_cast<I64>(std::floor(available)));
    if (p.state_only_layers && first_stage) out.warnings.push_back(Text(Msg::vllm_warn_linear_attention_pages));
    u.weights = weights;
    u.kv_cache = std::max<I64>(0, p.blocks) * p.bytes_per_block();
    u.activations = b.activation;
    u.overhead = b.non_torch + o.cudagraph_bytes;
    if (d.explain) explain_stage(d, o, b, p, weights_full, st);
    if (first_stage || p.blocks < worst.blocks) worst = std::move(p);
    first_stage = false;
    out.stages.push_back(std::move(st));
  }
  return worst;
}

// The largest max_model_len whose blocks fit (vLLM binary-searches the same quantity).
I64 estimated_max_model_len(const Pool& p, const VllmOptions& o) {
  I64 lo = 0, hi = o.max_model_len;
  while (lo < hi) {
    const I64 mid = lo + (hi - lo + 1) / 2;
    if (p.blocks_for(mid, o) <= p.blocks)
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

// vLLM's startup checks and, past them, whether the workload's sequences fit in the pool.
void check_startup(const Deployment& d, const VllmOptions& o, const Pool& p, I64 kv_tokens, EngineOutcome& out,
                   std::vector<std::string>& log) {
  const EstimateInput& in = *d.in;
  const I64 blocks = std::max<I64>(0, p.blocks);
  const I64 per_request = std::max<I64>(1, p.blocks_for(o.max_model_len, o));
  const I64 workload_blocks = p.blocks_for(in.context_tokens, o) * d.seqs;
  auto verdict = [&](Msg id) { return Text(id).integer("count", in.count).str("gpu", in.gpu.name); };
  out.has_fit = true;
  out.report.integer("workload_blocks", workload_blocks);
  if (p.available <= 0 || blocks == 0) {
    out.fits = false;
    out.verdict = verdict(Msg::vllm_verdict_no_kv_memory).integer("available", p.available);
    log.push_back(
        "ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization` "
        "when initializing the engine.");
    return;
  }
  if (per_request > blocks) {
    const I64 estimate = estimated_max_model_len(p, o);
    out.fits = false;
    out.report.integer("estimated_max_model_len", estimate);
    const I64 needed = per_request * p.bytes_per_block();
    log.push_back("ValueError: To serve at least one request with the model's max seq len (" +
                  fmt_int(o.max_model_len) + "), (" + fmt_num(static_cast<double>(needed) / kGiB, 2) +
                  " GiB KV cache is needed, which is larger than the available KV cache memory (" +
                  fmt_num(static_cast<double>(p.available) / kGiB, 2) +
                  " GiB). Based on the available memory, the estimated maximum model length is " +
                  std::to_string(estimate) + ".");
    out.verdict = verdict(Msg::vllm_verdict_max_model_len)
                      .integer("max_model_len", o.max_model_len)
                      .integer("needed", needed)
                      .integer("available", p.available)
                      .integer("estimate", estimate);
    return;
  }
  out.fits = workload_blocks <= blocks;
  if (!d.explain) return;
  const I64 at_once = blocks / std::max<I64>(1, p.blocks_for(in.context_tokens, o));
  out.verdict = verdict(out.fits ? Msg::vllm_verdict_fits : Msg::vllm_verdict_kv_short)
                    .integer("kv_tokens", kv_tokens)
                    .integer("at_once", at_once * d.dp)
                    .integer("concurrency", in.concurrency)
                    .integer("context", in.context_tokens);
}

std::vector<Assumption> assumptions(const VllmOptions& o, const Budget& b) {
  return {
      {"engine", o.v0 ? "vllm (V0 engine)" : "vllm (V1 engine)", Text(Msg::vllm_assume_engine)},
      {"gpu_memory_utilization", fmt_num(o.gpu_memory_utilization, 2), Text(Msg::vllm_assume_gpu_memory_utilization)},
      b.total_source.assumption,
      {"block_size", fmt_int(o.block_size), Text(Msg::vllm_assume_block_size)},
      {"max_model_len", fmt_int(o.max_model_len), Text(Msg::vllm_assume_max_model_len)},
      {"max_num_seqs", fmt_int(o.max_num_seqs), Text(Msg::vllm_assume_max_num_seqs)},
      {"max_num_batched_tokens", fmt_int(o.max_num_batched_tokens),
       Text(o.v0 ? Msg::vllm_assume_max_num_batched_tokens_v0 : Msg::vllm_assume_max_num_batched_tokens_v1)},
      {"non_torch_bytes", gib(static_cast<double>(b.non_torch)), Text(Msg::vllm_assume_non_torch_bytes)},
      {"cudagraph_bytes", gib(static_cast<double>(o.cudagraph_bytes)), Text(Msg::vllm_assume_cudagraph_bytes)},
  };
}

Expected<EngineOutcome> run_vllm(const Deployment& d) {
  const EstimateInput& in = *d.in;
  EngineOutcome out;
  const VllmOptions o = read_options(d);
  auto total = runtime_total(d, "vLLM");
  if (!total) return total.error();
  const Budget b = read_budget(d, o, std::move(total.value()));
  const Pool p = run_stages(d, o, b, out);

  const I64 blocks = std::max<I64>(0, p.blocks);
  const I64 per_request = std::max<I64>(1, p.blocks_for(o.max_model_len, o));
  const I64 kv_tokens = p.groups.size() <= 1 ? blocks * o.block_size : blocks / p.num_groups() * o.block_size;
  const double max_concurrency = o.v0
                                     ? static_cast<double>(blocks * o.block_size) / static_cast<double>(o.max_model_len)
                                     : static_cast<double>(blocks) / static_cast<double>(per_request);
  const double shown_concurrency = std::floor(max_concurrency * 100.0) / 100.0;

  EngineReport& report = out.report;
  report.engine = "vllm";
  report.str("engine_version", o.v0 ? "v0" : "v1")
      .integer("total_gpu_memory_bytes", static_cast<I64>(b.total))
      .integer("requested_memory_bytes", static_cast<I64>(b.requested))
      .integer("weights_bytes", out.stages.front().usage.weights)
      .integer("peak_activation_bytes", b.activation)
      .integer("non_torch_bytes", b.non_torch)
      .integer("cudagraph_bytes", o.cudagraph_bytes)
      .integer("available_kv_cache_bytes", std::max<I64>(0, p.available))
      .integer("block_size", o.block_size)
      .integer("page_size_bytes", p.page)
      .integer("num_gpu_blocks", blocks)
      .integer("kv_cache_tokens", kv_tokens)
      .integer("max_model_len", o.max_model_len)
      .number("max_concurrency", shown_concurrency)
      .integer("blocks_per_request", per_request);
  const I64 cpu_blocks = p.bytes_per_block() > 0 ? static_cast<I64>(o.swap_space_gb * kGiB) / p.bytes_per_block() : 0;
  if (o.v0) report.integer("num_cpu_blocks", cpu_blocks);
  const I64 blocks_per_sequence = p.blocks_for(in.context_tokens, o);
  if (blocks_per_sequence > 0) report.pool_sequences = blocks / blocks_per_sequence;
  std::vector<std::string> log;
  if (d.explain) {
    log.push_back("Available KV cache memory: " + fmt_num(static_cast<double>(p.available) / kGiB, 2) + " GiB");
    if (o.v0) log.push_back("# GPU blocks: " + fmt_int(blocks) + ", # CPU blocks: " + std::to_string(cpu_blocks));
    log.push_back("GPU KV cache size: " + fmt_int(kv_tokens) + " tokens");
    log.push_back("Maximum concurrency for " + fmt_int(o.max_model_len) +
                  " tokens per request: " + fmt_num(shown_concurrency, 2) + "x");
  }
  check_startup(d, o, p, kv_tokens, out, log);
  report.log_lines = std::move(log);
  if (b.offload > 0) {
    out.host_bytes = b.offload * d.tp * d.pp * d.dp;
    out.host_explain =
        Text(Msg::vllm_host_cpu_offload).integer("offload", b.offload).integer("gpus", d.tp * d.pp * d.dp);
  }
  if (d.explain) out.assumptions = assumptions(o, b);
  return out;
}

// `vllm serve` (vllm/engine/arg_utils.py; docs/engines-launch.md).
std::string launch_vllm(const LaunchRequest& r) {
  const CheckpointChoice ck = checkpoint_for(r);
  std::string c = "vllm serve " + ck.model + " --tensor-parallel-size " + std::to_string(r.tp);
  if (r.pp > 1) c += " --pipeline-parallel-size " + std::to_string(r.pp);
  if (r.replicas > 1) c += " --data-parallel-size " + std::to_string(r.replicas);
  if (!ck.quantize.empty()) c += " --quantization " + ck.quantize;
  if (!r.kv_auto) c += " --kv-cache-dtype " + r.kv.id;
  if (r.moe && r.tp > 1) c += " --enable-expert-parallel";
  c += " --max-model-len " + std::to_string(r.max_len) + " --max-num-seqs " + std::to_string(r.sequences) +
       " --gpu-memory-utilization 0.9";
  return c;
}

}  // namespace

const EngineProfile kVllmProfile{
    "vllm",
    "vLLM",
    "",
    Msg::engine_vllm,
    /*splits_heads=*/true,
    /*layer_split_default=*/false,
    "auto|fp16|bf16|fp8|fp8_e4m3|fp8_e5m2",
    "bf16|fp8|int8|gptq-int8|awq-int4|gptq-int4|nf4|gguf-Q4_K_M|gguf-Q3_K_M|gguf-Q2_K",
    span_of(kOptions),
    run_vllm,
    launch_vllm,
};

}  // namespace vramplan
