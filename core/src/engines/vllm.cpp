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
#include "vllm_loaded.hpp"
#include "vramplan/common/units.hpp"

namespace vramplan {
namespace {

std::string gib(double bytes) { return fmt_gib(bytes); }

// ---- The rule by release -------------------------------------------------------------------------------
// One row per span of releases whose memory rule is the same. Sources (vllm-project/vllm):
//   sampler path      v1/sample/ops/topk_topp_sampler.py: FlashInfer off by default from #26859 (0.11.1), the Triton
//                     top-k/top-p kernel for >= 8 rows from #33538 (2026-02-17), FlashInfer on again from #40376
//                     (0.21; the dummy run then also calls the native path, #41375)
//   hidden states     v1/worker/gpu_model_runner.py profile_run keeps the [T, H] output through the sampler (#16188)
//   non-torch         utils/mem_utils.py memory_profiling; the baseline moved after NCCL init in #25359 (0.11)
//   batch defaults    engine/arg_utils.py get_batch_defaults (A100 exception #17885; cap by max_model_len #28665)
//   CUDA graphs       v1/worker/gpu_worker.py determine_available_memory: subtracted by default from #38284 (0.21),
//                     which also moved the default gpu_memory_utilization from 0.9 to 0.92
//   token log         v1/core/kv_cache_utils.py _report_kv_cache_config (#20016; #41069 in 0.21)
enum class Sampler { sort, flashinfer, triton };
enum class TokenLog { blocks, per_group, concurrency };

struct Rule {
  const char* id;        // engine_options.engine_version
  const char* releases;  // the releases it covers
  bool v0;               // the V0 engine (vllm/worker/worker.py): only the driver rank samples
  Sampler sampler;
  bool hidden_states_survive;
  double non_torch_one_gpu, non_torch_tp, non_torch_pp_only;  // GiB, measured (see Msg non_torch_source)
  Msg non_torch_source;
  bool cap_batched_tokens_by_len;
  bool cudagraphs_subtracted;
  double gpu_memory_utilization;
  TokenLog token_log;
  bool mxfp4_triton_on_hopper;  // MXFP4 experts on SM90 go to triton_kernels (from 0.11), not Marlin
};

const Rule kRules[] = {
    {"0.21", "0.21 and later", false, Sampler::triton, true, 0.25, 2.1, 0.07, Msg::vllm_non_torch_0_18, true, true,
     0.92, TokenLog::concurrency, true},
    {"0.17", "0.17 - 0.20", false, Sampler::triton, true, 0.25, 2.1, 0.07, Msg::vllm_non_torch_0_18, true, false, 0.9,
     TokenLog::per_group, true},
    {"0.11", "0.11 - 0.16", false, Sampler::sort, true, 0.13, 0.55, 0.13, Msg::vllm_non_torch_0_11, true, false, 0.9,
     TokenLog::per_group, true},
    {"0.10", "0.9.2 - 0.10.2 (V1)", false, Sampler::sort, true, 0.14, 0.30, 0.14, Msg::vllm_non_torch_v0, false, false,
     0.9, TokenLog::per_group, false},
    {"v0", "0.6.4 - 0.10.2 (V0 engine)", true, Sampler::sort, true, 0.14, 0.30, 0.14, Msg::vllm_non_torch_v0, false,
     false, 0.9, TokenLog::blocks, false},
};

const Rule& rule_of(const std::string& id) {
  for (const Rule& r : kRules)
    if (id == r.id) return r;
  return kRules[0];  // "v1": the current V1 release
}

// Bytes the sampler holds per [rows x vocab] logit at its peak, besides the model-dtype logits:
//   sort        fp32 copy 4 + sorted values 4 + int64 indices 8 + PyTorch's segmented sort scratch (int64 reverse
//               indices 8, CUB key/value double buffers 12) = 36  (ATen native/cuda/SortStable.cu)
//   flashinfer  fp32 copy 4 + masked logits 4 + probabilities 4 = 12
//   triton      fp32 copy 4 + probabilities 4 + exponential noise 4 = 12, plus its cached row buffer
std::int64_t sampler_bytes_per_logit(Sampler s) { return s == Sampler::sort ? 36 : 12; }

const char* sampler_name(Sampler s) {
  return s == Sampler::sort ? "sort" : s == Sampler::flashinfer ? "flashinfer" : "triton";
}

struct VllmOptions {
  const Rule* rule;
  bool llm_class;  // offline LLM(...) rather than `vllm serve`
  Sampler sampler;
  double gpu_memory_utilization;
  I64 block_size, max_model_len, max_num_seqs, max_num_batched_tokens;
  bool enforce_eager;
  I64 cudagraph_bytes;  // -1: estimated per stage
  bool cudagraph_memory_subtracted;
  I64 kv_cache_memory_bytes, num_gpu_blocks_override;  // -1: not set
  double cpu_offload_gb, swap_space_gb;
  I64 non_torch_bytes, activation_bytes;  // -1: estimated
  std::string mxfp4_backend;              // "": vLLM's choice for the GPU
};

const OptionSpec kOptions[] = {
    choice_option("engine_version", "0.21|0.17|0.11|0.10,0.1|v0|v1", "0.21", Msg::opt_vllm_engine_version),
    choice_option("entry_point", "serve|llm", "serve", Msg::opt_vllm_entry_point),
    choice_option_unset("sampler", "sort|flashinfer|triton", Msg::opt_vllm_sampler, "VLLM_USE_FLASHINFER_SAMPLER"),
    number_option_unset("gpu_memory_utilization", 0.01, 1.0, Msg::opt_vllm_gpu_memory_utilization,
                        "--gpu-memory-utilization", "fraction"),
    kTotalGpuMemoryOption,
    kCudaReservedOption,
    int_option("block_size", 1, 65536, 16, Msg::opt_vllm_block_size, "--block-size", "tokens"),
    int_option_unset("max_model_len", 1, 16777216, Msg::opt_vllm_max_model_len, "--max-model-len", "tokens"),
    int_option_unset("max_num_seqs", 1, 1048576, Msg::opt_vllm_max_num_seqs, "--max-num-seqs"),
    int_option_unset("max_num_batched_tokens", 1, 16777216, Msg::opt_vllm_max_num_batched_tokens,
                     "--max-num-batched-tokens", "tokens"),
    bool_option_unset("enable_chunked_prefill", Msg::opt_vllm_enable_chunked_prefill, "--enable-chunked-prefill"),
    list_option("pp_layer_partition", Msg::opt_vllm_pp_layer_partition, "VLLM_PP_LAYER_PARTITION"),
    bool_option("enforce_eager", false, Msg::opt_vllm_enforce_eager, "--enforce-eager"),
    int_option_unset("cudagraph_bytes", 0, kTiB, Msg::opt_vllm_cudagraph_bytes, "", "bytes"),
    bool_option_unset("cudagraph_memory_subtracted", Msg::opt_vllm_cudagraph_memory_subtracted,
                      "VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS"),
    int_option_unset("kv_cache_memory_bytes", 0, kPiB, Msg::opt_vllm_kv_cache_memory_bytes, "--kv-cache-memory-bytes",
                     "bytes"),
    int_option_unset("num_gpu_blocks_override", 0, kTiB, Msg::opt_vllm_num_gpu_blocks_override,
                     "--num-gpu-blocks-override"),
    number_option("cpu_offload_gb", 0, 1e6, 0, Msg::opt_vllm_cpu_offload_gb, "--cpu-offload-gb", "GiB"),
    number_option("swap_space", 0, 1e6, 4, Msg::opt_vllm_swap_space, "--swap-space", "GiB"),
    int_option_unset("non_torch_bytes", 0, kTiB, Msg::opt_vllm_non_torch_bytes, "", "bytes"),
    int_option_unset("activation_bytes", 0, kPiB, Msg::opt_activation_bytes, "", "bytes"),
    choice_option_unset("mxfp4_backend", "marlin|triton|flashinfer", Msg::opt_vllm_mxfp4_backend,
                        "VLLM_MXFP4_USE_MARLIN"),
};

// A "large" GPU for vLLM's batch defaults: >= 70 GiB by NVML, and not an A100 (get_batch_defaults).
bool large_gpu(const GpuEntry& g) {
  const std::string name = lower(g.name) + " " + lower(g.id);
  return g.memory_bytes >= 70LL * 1073741824LL && name.find("a100") == std::string::npos;
}

// V0 turns chunked prefill on by itself above 32,768 tokens of context, except for models that cannot chunk
// (arg_utils.py _set_default_args_v0: sliding window, multimodal, MLA).
bool v0_default_chunked(const Deployment& d, I64 max_model_len) {
  if (max_model_len <= 32768 || d.arch->is_mla() || !d.arch->vision.kind.empty()) return false;
  for (const auto& c : d.cache)
    if (c.token_holds() == Holds::window) return false;
  return true;
}

VllmOptions read_options(const Deployment& d) {
  const EngineOptions& e = d.options;
  VllmOptions o;
  o.rule = &rule_of(e.choice("engine_version"));
  const Rule& r = *o.rule;
  o.llm_class = e.choice("entry_point") == "llm";
  const std::string sampler = e.choice("sampler");
  o.sampler = sampler == "sort"         ? Sampler::sort
              : sampler == "flashinfer" ? Sampler::flashinfer
              : sampler == "triton"     ? Sampler::triton
                                        : r.sampler;
  o.gpu_memory_utilization = e.number("gpu_memory_utilization", r.gpu_memory_utilization);
  o.block_size = e.integer("block_size");
  o.max_model_len = e.integer("max_model_len", d.in->context_tokens);
  const bool large = large_gpu(d.in->gpu);
  if (r.v0) {
    o.max_num_seqs = e.integer("max_num_seqs", 256);
    const bool chunked = e.boolean("enable_chunked_prefill", v0_default_chunked(d, o.max_model_len));
    o.max_num_batched_tokens =
        e.integer("max_num_batched_tokens", chunked ? 2048 : std::max<I64>(o.max_model_len, 2048));
  } else {
    const I64 tokens = large ? (o.llm_class ? 16384 : 8192) : (o.llm_class ? 8192 : 2048);
    o.max_num_batched_tokens = e.integer("max_num_batched_tokens", tokens);
    o.max_num_seqs = std::min(e.integer("max_num_seqs", large ? 1024 : 256), o.max_num_batched_tokens);
    if (r.cap_batched_tokens_by_len && !e.given("max_num_batched_tokens"))
      o.max_num_batched_tokens = std::min(o.max_num_batched_tokens, o.max_num_seqs * o.max_model_len);
  }
  o.enforce_eager = e.boolean("enforce_eager");
  o.cudagraph_bytes = o.enforce_eager ? 0 : e.integer("cudagraph_bytes", -1);
  o.cudagraph_memory_subtracted = e.boolean("cudagraph_memory_subtracted", r.cudagraphs_subtracted);
  o.kv_cache_memory_bytes = e.integer("kv_cache_memory_bytes", -1);
  o.num_gpu_blocks_override = e.integer("num_gpu_blocks_override", -1);
  o.cpu_offload_gb = e.number("cpu_offload_gb");
  o.swap_space_gb = e.number("swap_space");
  o.non_torch_bytes = e.integer("non_torch_bytes", -1);
  o.activation_bytes = e.integer("activation_bytes", -1);
  o.mxfp4_backend = e.choice("mxfp4_backend");
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

// What the memory profile measures on one GPU of a stage (gpu_worker.determine_available_memory).
struct Budget {
  RuntimeTotal total_source;
  double total = 0, requested = 0;
  I64 non_torch = 0, offload = 0;
};

// The profile run's torch peak increase on one GPU of a stage: one peak over the dummy forward and the dummy
// sampler that follows it, so a max, not a sum (the forward's activations are freed before the sampler runs).
struct ProfilePeak {
  I64 forward = 0;      // max_num_batched_tokens x per-token activations
  I64 rows = 0;         // sampler rows: min(max_num_seqs, max_num_batched_tokens)
  I64 logits = 0;       // rows x vocab (padded to 64) in the model dtype
  I64 per_logit = 0;    // bytes per rows x vocab logit of the sampler's own tensors
  I64 buffer = 0;       // Triton's cached rows x vocab fp32 buffer
  I64 carried = 0;      // hidden states alive through the sampler
  I64 sampler = 0;      // the sampler phase in all
  I64 bytes = 0;        // the peak
  bool samples = true;  // this rank computes logits (the last PP stage; in V0 only its driver rank)
};

// GPU threads the Triton top-k/top-p buffer has one row per (min(SMs, rows)); H100's 132 SMs where unknown.
constexpr I64 kTritonBufferRows = 132;

ProfilePeak profile_peak(const Deployment& d, const VllmOptions& o, bool last_stage) {
  const Architecture& a = *d.arch;
  const I64 el = element_bytes_16bit(a);
  ProfilePeak p;
  p.forward = o.max_num_batched_tokens * activation_bytes_per_token(a, d.tp);
  p.samples = last_stage;
  if (p.samples) {
    p.rows = std::min(o.max_num_seqs, o.max_num_batched_tokens);
    const I64 vocab_padded = ceil_div(a.vocab_size, 64) * 64;
    p.logits = p.rows * vocab_padded * el;
    p.per_logit = sampler_bytes_per_logit(o.sampler);
    if (o.sampler == Sampler::triton && p.rows >= 8) p.buffer = std::min(p.rows, kTritonBufferRows) * a.vocab_size * 4;
    p.carried = (o.rule->hidden_states_survive ? o.max_num_batched_tokens * a.hidden_size * el : 0) +
                2 * p.rows * a.hidden_size * el;
    p.sampler = p.carried + p.logits + p.per_logit * p.rows * a.vocab_size + p.buffer;
  }
  p.bytes = o.activation_bytes >= 0 ? o.activation_bytes : std::max(p.forward, p.sampler);
  return p;
}

// CUDA-graph memory when not given: measured, 0.35 GiB + 17 MiB per layer on the GPU (llm-d-planner v0.19.0
// H100 logs, "CUDA graph pool memory" 0.51 GiB at 8 layers to 1.85 GiB at 80).
I64 cudagraph_layers(const Deployment& d, I64 stage) {
  const auto [first, last] = d.ranges[static_cast<std::size_t>(stage)];
  return last - first;
}
I64 cudagraph_estimate(const VllmOptions& o, I64 layers) {
  if (o.enforce_eager) return 0;
  if (o.cudagraph_bytes >= 0) return o.cudagraph_bytes;
  return static_cast<I64>(0.35 * kGiB) + layers * (17LL << 20);
}

Budget read_budget(const Deployment& d, const VllmOptions& o, RuntimeTotal total) {
  Budget b;
  b.total = total.bytes;
  b.total_source = std::move(total);
  b.requested = b.total * o.gpu_memory_utilization;
  const Rule& r = *o.rule;
  const double non_torch_gib = d.tp > 1 ? r.non_torch_tp : d.pp > 1 ? r.non_torch_pp_only : r.non_torch_one_gpu;
  b.non_torch = o.non_torch_bytes >= 0 ? o.non_torch_bytes : static_cast<I64>(non_torch_gib * kGiB);
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
      // kv_cache_interface.py max_memory_usage_bytes: SlidingWindowSpec keeps window - 1 + one batch and one block
      // more; ChunkedLocalAttentionSpec the chunk + one batch; full attention the whole length.
      const I64 per =
          g.holds == Holds::window  ? ceil_div(std::min(g.window - 1 + o.max_num_batched_tokens, len), o.block_size) + 1
          : g.holds == Holds::chunk ? ceil_div(std::min(g.window + o.max_num_batched_tokens, len), o.block_size)
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

Text peak_explain(const Deployment& d, const VllmOptions& o, const ProfilePeak& p) {
  if (o.activation_bytes >= 0) return Text(Msg::vllm_explain_activation_set);
  Text t(Msg::vllm_explain_activation);
  t.integer("tokens", o.max_num_batched_tokens)
      .text("per_token", activation_per_token_explain(*d.arch, d.tp))
      .integer("forward", p.forward)
      .integer("bytes", p.bytes);
  if (!p.samples) return t.text("sampler", Text(Msg::vllm_explain_sampler_none));
  Text sampler(Msg::vllm_explain_sampler);
  sampler.integer("rows", p.rows)
      .integer("vocab", d.arch->vocab_size)
      .integer("logits", p.logits)
      .str("path", sampler_name(o.sampler))
      .integer("per_logit", p.per_logit)
      .integer("carried", p.carried)
      .integer("bytes", p.sampler);
  if (p.buffer > 0) sampler.text("buffer", Text(Msg::vllm_explain_sampler_buffer).integer("bytes", p.buffer));
  return t.text("sampler", std::move(sampler));
}

void explain_stage(const Deployment& d, const VllmOptions& o, const Budget& b, const ProfilePeak& peak, const Pool& p,
                   I64 weights_full, const Mxfp4Layout& mx, I64 cudagraph, StageOutcome& st) {
  const GpuUsage& u = st.usage;
  const bool split = d.tp * d.pp > 1;
  Text weights_text = d.weights_explain;
  if (split) weights_text = Text(Msg::vllm_explain_weights_shard).text("weights", std::move(weights_text));
  if (mx.extra > 0)
    weights_text =
        Text(Msg::vllm_explain_weights_plus).text("weights", std::move(weights_text)).text("extra", mxfp4_explain(mx));
  if (!d.arch->rope_caches.empty())
    weights_text = Text(Msg::vllm_explain_weights_plus)
                       .text("weights", std::move(weights_text))
                       .text("extra", rope_explain(*d.arch));
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
      .integer("activation", peak.bytes)
      .integer("non_torch", b.non_torch);
  if (o.cudagraph_memory_subtracted && cudagraph > 0)
    kv_text.text("cudagraphs", Text(Msg::vllm_explain_kv_cudagraphs).integer("bytes", cudagraph));
  kv_text.integer("available", p.available)
      .integer("block_size", o.block_size)
      .integer("per_token", p.groups.empty() ? 0 : p.groups.front().bytes_per_token)
      .integer("page", p.page)
      .integer("available_bytes", std::max<I64>(0, p.available))
      .integer("group_size", p.group_size)
      .integer("blocks", p.blocks)
      .integer("pool", u.kv_cache);
  st.items.push_back({"kv_cache", Text(Msg::vllm_item_kv_pool), u.kv_cache, std::move(kv_text)});
  st.items.push_back({"activations", Text(Msg::vllm_item_activation), peak.bytes, peak_explain(d, o, peak)});
  st.items.push_back(
      {"overhead.non_torch", Text(Msg::vllm_item_non_torch), b.non_torch,
       Text(Msg::vllm_explain_non_torch).integer("bytes", b.non_torch).text("source", Text(o.rule->non_torch_source))});
  Text graphs = o.enforce_eager ? Text(Msg::vllm_explain_cudagraphs_eager)
                                : Text(o.cudagraph_memory_subtracted ? Msg::vllm_explain_cudagraphs_subtracted
                                                                     : Msg::vllm_explain_cudagraphs_after)
                                      .integer("bytes", cudagraph);
  if (!o.enforce_eager && o.cudagraph_bytes < 0)
    graphs.text("estimate", Text(Msg::vllm_explain_cudagraphs_estimate)
                                .integer("layers", cudagraph_layers(d, st.usage.pp_stage))
                                .integer("bytes", cudagraph));
  st.items.push_back({"overhead.cudagraph", Text(Msg::vllm_item_cudagraphs), cudagraph, std::move(graphs)});
}

// The stage with the fewest blocks (vLLM takes the minimum over workers) and its profile figures.
struct Worst {
  Pool pool;
  ProfilePeak peak;
  I64 weights = 0, cudagraph = 0;
  Mxfp4Backend mxfp4 = Mxfp4Backend::none;
};

// Every stage's usage; returns the stage with the fewest blocks.
Worst run_stages(const Deployment& d, const VllmOptions& o, const Budget& b, EngineOutcome& out) {
  Worst worst;
  bool first_stage = true;
  for (I64 s = 0; s < d.pp; ++s) {
    StageOutcome st;
    auto& u = st.usage;
    u.pp_stage = static_cast<int>(s);
    const auto [first, last] = d.ranges[static_cast<std::size_t>(s)];
    const Mxfp4Layout mx = mxfp4_layout(d, s, o.mxfp4_backend, o.rule->mxfp4_triton_on_hopper);
    const I64 weights_full = d.stage_weights[static_cast<std::size_t>(s)] + mx.extra + rope_table_bytes(*d.arch);
    const I64 weights = std::max<I64>(0, weights_full - b.offload);
    const ProfilePeak peak = profile_peak(d, o, s == d.pp - 1);
    const I64 cudagraph = cudagraph_estimate(o, cudagraph_layers(d, s));
    const double cudagraph_sub = o.cudagraph_memory_subtracted ? static_cast<double>(cudagraph) : 0.0;
    const double available =
        o.kv_cache_memory_bytes >= 0
            ? static_cast<double>(o.kv_cache_memory_bytes)
            : b.requested - static_cast<double>(weights + peak.bytes + b.non_torch) - cudagraph_sub;
    Pool p = stage_pool(d, o, first, last, static_cast<I64>(std::floor(available)));
    if (p.state_only_layers && first_stage) out.warnings.push_back(Text(Msg::vllm_warn_linear_attention_pages));
    u.weights = weights;
    u.kv_cache = std::max<I64>(0, p.blocks) * p.bytes_per_block();
    u.activations = peak.bytes;
    u.overhead = b.non_torch + cudagraph;
    if (d.explain) explain_stage(d, o, b, peak, p, weights_full, mx, cudagraph, st);
    if (first_stage || p.blocks < worst.pool.blocks) worst = {std::move(p), peak, weights, cudagraph, mx.backend};
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

std::vector<Assumption> assumptions(const VllmOptions& o, const Budget& b, const Worst& w) {
  const Rule& r = *o.rule;
  std::vector<Assumption> out = {
      {"engine_version", r.id, Text(Msg::vllm_assume_engine).str("releases", r.releases)},
      {"gpu_memory_utilization", fmt_num(o.gpu_memory_utilization, 2),
       Text(Msg::vllm_assume_gpu_memory_utilization).number("value", r.gpu_memory_utilization)},
      b.total_source.assumption,
      {"block_size", fmt_int(o.block_size), Text(Msg::vllm_assume_block_size)},
      {"max_model_len", fmt_int(o.max_model_len), Text(Msg::vllm_assume_max_model_len)},
      {"max_num_seqs", fmt_int(o.max_num_seqs),
       Text(r.v0 ? Msg::vllm_assume_max_num_seqs_v0 : Msg::vllm_assume_max_num_seqs)},
      {"max_num_batched_tokens", fmt_int(o.max_num_batched_tokens),
       Text(r.v0 ? Msg::vllm_assume_max_num_batched_tokens_v0 : Msg::vllm_assume_max_num_batched_tokens_v1)},
      {"sampler", sampler_name(o.sampler), Text(Msg::vllm_assume_sampler)},
      {"non_torch_bytes", gib(static_cast<double>(b.non_torch)), Text(r.non_torch_source)},
      {"cudagraph_bytes", gib(static_cast<double>(w.cudagraph)),
       Text(o.cudagraph_memory_subtracted ? Msg::vllm_assume_cudagraph_subtracted : Msg::vllm_assume_cudagraph_bytes)},
  };
  if (w.mxfp4 != Mxfp4Backend::none) out.push_back({"mxfp4_backend", to_string(w.mxfp4), Text(Msg::vllm_assume_mxfp4)});
  return out;
}

// The engine's own startup lines for the stage that sizes the pool.
std::vector<std::string> log_lines(const VllmOptions& o, const Worst& w, I64 blocks, I64 cpu_blocks, I64 kv_tokens,
                                   double concurrency) {
  std::vector<std::string> log;
  log.push_back("Model loading took " + fmt_num(static_cast<double>(w.weights) / kGiB, 2) + " GiB memory");
  log.push_back("Available KV cache memory: " + fmt_num(static_cast<double>(w.pool.available) / kGiB, 2) + " GiB");
  if (o.rule->v0) log.push_back("# GPU blocks: " + fmt_int(blocks) + ", # CPU blocks: " + std::to_string(cpu_blocks));
  log.push_back("GPU KV cache size: " + fmt_int(kv_tokens) + " tokens");
  log.push_back("Maximum concurrency for " + fmt_int(o.max_model_len) +
                " tokens per request: " + fmt_num(concurrency, 2) + "x");
  return log;
}

Expected<EngineOutcome> run_vllm(const Deployment& d) {
  const EstimateInput& in = *d.in;
  EngineOutcome out;
  const VllmOptions o = read_options(d);
  auto total = runtime_total(d, "vLLM");
  if (!total) return total.error();
  const Budget b = read_budget(d, o, std::move(total.value()));
  const Worst w = run_stages(d, o, b, out);
  const Pool& p = w.pool;
  const Rule& r = *o.rule;

  const I64 blocks = std::max<I64>(0, p.blocks);
  const I64 per_request = std::max<I64>(1, p.blocks_for(o.max_model_len, o));
  const double max_concurrency = r.v0
                                     ? static_cast<double>(blocks * o.block_size) / static_cast<double>(o.max_model_len)
                                     : static_cast<double>(blocks) / static_cast<double>(per_request);
  const I64 kv_tokens =
      r.token_log == TokenLog::concurrency ? static_cast<I64>(max_concurrency * static_cast<double>(o.max_model_len))
      : r.token_log == TokenLog::blocks || p.groups.size() <= 1 ? blocks * o.block_size
                                                                : blocks / p.num_groups() * o.block_size;
  const double shown_concurrency = std::floor(max_concurrency * 100.0) / 100.0;

  EngineReport& report = out.report;
  report.engine = "vllm";
  report.str("engine_version", r.id)
      .str("engine_rule", std::string("vLLM ") + r.releases)
      .str("mxfp4_backend", to_string(w.mxfp4))
      .integer("total_gpu_memory_bytes", static_cast<I64>(b.total))
      .integer("requested_memory_bytes", static_cast<I64>(b.requested))
      .integer("weights_bytes", w.weights)
      .integer("peak_activation_bytes", w.peak.bytes)
      .integer("forward_activation_bytes", w.peak.forward)
      .integer("sampler_bytes", w.peak.sampler)
      .integer("non_torch_bytes", b.non_torch)
      .integer("cudagraph_bytes", w.cudagraph)
      .integer("available_kv_cache_bytes", std::max<I64>(0, p.available))
      .integer("block_size", o.block_size)
      .integer("page_size_bytes", p.page)
      .integer("num_gpu_blocks", blocks)
      .integer("kv_cache_tokens", kv_tokens)
      .integer("max_model_len", o.max_model_len)
      .integer("max_num_seqs", o.max_num_seqs)
      .integer("max_num_batched_tokens", o.max_num_batched_tokens)
      .number("max_concurrency", shown_concurrency)
      .integer("blocks_per_request", per_request);
  const I64 cpu_blocks = p.bytes_per_block() > 0 ? static_cast<I64>(o.swap_space_gb * kGiB) / p.bytes_per_block() : 0;
  if (r.v0) report.integer("num_cpu_blocks", cpu_blocks);
  const I64 blocks_per_sequence = p.blocks_for(in.context_tokens, o);
  if (blocks_per_sequence > 0) report.pool_sequences = blocks / blocks_per_sequence;
  std::vector<std::string> log;
  if (d.explain) log = log_lines(o, w, blocks, cpu_blocks, kv_tokens, shown_concurrency);
  check_startup(d, o, p, kv_tokens, out, log);
  report.log_lines = std::move(log);
  if (b.offload > 0) {
    out.host_bytes = b.offload * d.tp * d.pp * d.dp;
    out.host_explain =
        Text(Msg::vllm_host_cpu_offload).integer("offload", b.offload).integer("gpus", d.tp * d.pp * d.dp);
  }
  if (d.explain) out.assumptions = assumptions(o, b, w);
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
       " --gpu-memory-utilization 0.92";  // the current rule's default, which the plan sized
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
    /*fp32_checkpoints_in_16bit=*/true,
    /*expert_parallel=*/true,
};

}  // namespace vramplan
