// SGLang's memory rule (python/sglang/srt/model_executor/model_runner.py::profile_max_num_token,
// mem_cache/memory_pool.py; docs/reference/ENGINES.md A3):
//   available = free memory right after the weights load (min over TP ranks)
//   rest = available - total x (1 - mem_fraction_static)
//   max_total_num_tokens = rest // cell_size,  cell_size = bytes of K and V of one token over all layers (one rank)
#include <algorithm>
#include <cmath>

#include "deployment.hpp"
#include "vramplan/api/json_read.hpp"
#include "vramplan/common/units.hpp"

namespace vramplan {
namespace {

std::string gib(double bytes) { return fmt_gib(bytes); }

}  // namespace

Expected<EngineOutcome> run_sglang(const Deployment& d) {
  const EstimateInput& in = *d.in;
  const Architecture& a = *d.arch;
  EngineOutcome out;
  const auto& j = d.in->engine_options;
  static const char* const kKnown[] = {
      "mem_fraction_static",    "page_size",           "max_total_tokens",  "context_length",
      "total_gpu_memory_bytes", "cuda_reserved_bytes", "pre_weights_bytes", "include_mtp_weights",
      "include_vision_weights"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool ok = false;
    for (const char* k : kKnown) ok = ok || it.key() == k;
    if (!ok)
      out.warnings.push_back("unknown SGLang option 'engine_options." + it.key().substr(0, 40) + "' was ignored");
  }
  JsonReader r(j, "engine_options");
  // SGLang picks mem_fraction_static from the GPU size and TP (server_args.py); 0.88 is its value for
  // 80 GB-class GPUs at small TP in 2025 releases. Set it to what your launch uses.
  const double mfs = r.number("mem_fraction_static", 0.88, 0.01, 1.0);
  const I64 page_size = r.integer("page_size", 1, 1, 1 << 16);
  const I64 max_total_tokens = r.integer("max_total_tokens", -1, 1, std::int64_t{1} << 40);
  const I64 context_length = r.integer("context_length", in.context_tokens, 1, std::int64_t{1} << 24);
  const I64 total_given = r.integer("total_gpu_memory_bytes", -1, 1, std::int64_t{1} << 50);
  const I64 reserved = r.integer("cuda_reserved_bytes", 500LL << 20, 0, std::int64_t{1} << 40);
  // Before the weights: CUDA context (~512 MiB, pytorch#107667) and, with TP, NCCL and custom all-reduce
  // buffers (aiconfigurator: 392 MB at TP 4/8).
  const I64 pre_weights =
      r.integer("pre_weights_bytes", (512LL << 20) + (d.tp * d.pp > 1 ? 400LL << 20 : 0), 0, std::int64_t{1} << 40);
  if (!r.ok()) return r.error();
  if (in.gpu.memory_bytes <= 0 && total_given < 0)
    return make_error(ErrorCode::invalid_field, "hardware.gpu",
                      "the SGLang profile needs a GPU (its rule starts from the GPU's total memory)");
  const double total =
      total_given > 0 ? static_cast<double>(total_given) : static_cast<double>(in.gpu.capacity_bytes() - reserved);

  I64 min_tokens = -1, cell_worst = 0;
  double rest_worst = 0, available_worst = 0;
  for (I64 s = 0; s < d.pp; ++s) {
    StageOutcome st;
    const auto [first, last] = d.ranges[static_cast<std::size_t>(s)];
    I64 cell = 0;
    for (I64 l = first; l < last; ++l) cell += d.cache[static_cast<std::size_t>(l)].bytes_per_token();
    const I64 weights = d.stage_weights[static_cast<std::size_t>(s)];
    const double available = total - static_cast<double>(pre_weights + weights);
    const double rest = available - total * (1.0 - mfs);
    I64 tokens = rest > 0 && cell > 0 ? static_cast<I64>(std::floor(rest / static_cast<double>(cell))) : 0;
    tokens = tokens / page_size * page_size;
    if (max_total_tokens > 0) tokens = std::min(tokens, max_total_tokens);
    if (min_tokens < 0 || tokens < min_tokens) {
      min_tokens = tokens;
      cell_worst = cell;
      rest_worst = rest;
      available_worst = available;
    }
    auto& u = st.usage;
    u.pp_stage = static_cast<int>(s);
    u.weights = weights;
    // MHATokenToKVPool allocates (size + page_size) slots per layer for K and V.
    u.kv_cache = (tokens + page_size) * cell;
    // What mem_fraction_static leaves free is for activations and CUDA graphs.
    u.activations = static_cast<I64>(total * (1.0 - mfs));
    u.overhead = pre_weights;
    if (d.explain)
      st.items.push_back({"weights", d.tp * d.pp > 1 ? "Weights on this GPU" : "Weights", weights, d.weights_explain});
    if (d.explain)
      st.items.push_back(
          {"kv_cache", "KV cache pool (preallocated)", u.kv_cache,
           "rest = available after weights " + gib(available) + " - total " + gib(total) +
               " x (1 - mem_fraction_static " + fmt_num(mfs, 3) + ") = " + gib(rest) +
               "; cell_size = " + fmt_int(cell) +
               " B per token (K+V, all layers, this rank); max_total_num_tokens = floor(rest / cell_size) = " +
               fmt_int(tokens) + "; pool = (tokens + page_size) x cell_size = " + fmt_int(u.kv_cache) + " B"});
    if (d.explain)
      st.items.push_back({"activations", "Reserved for activations and CUDA graphs", u.activations,
                          "total " + gib(total) + " x (1 - mem_fraction_static " + fmt_num(mfs, 3) + ")"});
    if (d.explain)
      st.items.push_back({"overhead.pre_weights", "CUDA context and NCCL (before weights)", pre_weights,
                          "pre_weights_bytes = " + gib(static_cast<double>(pre_weights)) + " (assumption)"});
    out.stages.push_back(std::move(st));
  }
  const I64 tokens = std::max<I64>(0, min_tokens);
  const I64 per_layer_k = d.cache.empty() ? 0 : d.cache.front().k_bytes_per_token();
  const I64 per_layer_v = d.cache.empty() ? 0 : d.cache.front().v_bytes_per_token();
  const I64 layers = a.num_layers / d.pp;
  const double k_size = static_cast<double>((tokens + page_size) * per_layer_k * layers);
  const double v_size = static_cast<double>((tokens + page_size) * per_layer_v * layers);
  std::vector<std::string> log;
  log.push_back("Load weight end. avail mem=" + fmt_num(available_worst / kGiB, 2) + " GB");
  log.push_back("KV Cache is allocated. #tokens: " + std::to_string(tokens) + ", K size: " + fmt_num(k_size / kGiB, 2) +
                " GB, V size: " + fmt_num(v_size / kGiB, 2) + " GB");
  log.push_back("max_total_num_tokens=" + std::to_string(tokens));
  out.report = {{"engine", "sglang"},
                {"max_total_num_tokens", tokens},
                {"cell_size_bytes", cell_worst},
                {"mem_fraction_static", mfs},
                {"available_after_weights_bytes", static_cast<I64>(available_worst)},
                {"rest_bytes", static_cast<I64>(rest_worst)},
                {"k_size_bytes", static_cast<I64>(k_size)},
                {"v_size_bytes", static_cast<I64>(v_size)},
                {"log_lines", log}};
  const std::string hw = fmt_int(in.count) + " x " + in.gpu.name;
  const I64 needed = in.context_tokens * d.seqs;
  out.has_fit = true;
  if (tokens <= 0) {
    out.fits = false;
    out.verdict = "SGLang would not start on " + hw + ": nothing is left for the KV cache after the weights and the " +
                  fmt_num((1.0 - mfs) * 100.0, 0) + "% reserve.";
  } else if (context_length > tokens) {
    out.fits = false;
    out.verdict = "SGLang on " + hw + " holds " + fmt_int(tokens) + " KV tokens, fewer than context_length " +
                  fmt_int(context_length) + ".";
  } else {
    out.fits = needed <= tokens;
    out.verdict = (out.fits ? "Fits on " + hw + " with SGLang: " : "SGLang starts on " + hw + ", but ") +
                  fmt_int(tokens) + " KV tokens per replica " + (out.fits ? "hold " : "cannot hold ") +
                  fmt_int(d.seqs) + " x " + fmt_int(in.context_tokens) + " tokens" +
                  (out.fits ? "." : "; requests would queue.");
  }
  out.assumptions = {
      {"engine", "sglang", "rule read from model_runner.profile_max_num_token"},
      {"mem_fraction_static", fmt_num(mfs, 3), "SGLang picks it from the GPU size and TP; set yours"},
      {"total_gpu_memory", gib(total), total_given > 0 ? "given" : "catalog memory minus cuda_reserved_bytes"},
      {"pre_weights_bytes", gib(static_cast<double>(pre_weights)),
       "CUDA context (+ NCCL with TP) before the weights load"},
      {"page_size", fmt_int(page_size), "SGLang default 1"},
  };
  return out;
}

}  // namespace vramplan
