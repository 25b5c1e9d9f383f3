// SGLang's memory rule (python/sglang/srt/model_executor/model_runner.py::profile_max_num_token,
// mem_cache/memory_pool.py; docs/reference/ENGINES.md A3):
//   available = free memory right after the weights load (min over TP ranks)
//   rest = available - free before the weights x (1 - mem_fraction_static)
//   max_total_num_tokens = rest // cell_size,  cell_size = bytes of K and V of one token over all layers (one rank)
#include <algorithm>
#include <cmath>

#include "deployment.hpp"
#include "profiles.hpp"
#include "vramplan/common/units.hpp"

namespace vramplan {
namespace {

std::string gib(double bytes) { return fmt_gib(bytes); }

const OptionSpec kOptions[] = {
    choice_option("engine_version", "0.5|0.4.7|0.4", "0.5", Msg::opt_sglang_engine_version),
    number_option_unset("mem_fraction_static", 0.01, 1.0, Msg::opt_sglang_mem_fraction_static, "--mem-fraction-static",
                        "fraction"),
    int_option("page_size", 1, 65536, 1, Msg::opt_sglang_page_size, "--page-size", "tokens"),
    int_option_unset("max_total_tokens", 1, kTiB, Msg::opt_sglang_max_total_tokens, "--max-total-tokens", "tokens"),
    int_option_unset("context_length", 1, 16777216, Msg::opt_sglang_context_length, "--context-length", "tokens"),
    kTotalGpuMemoryOption,
    kCudaReservedOption,
    // Before the weights: CUDA context (~512 MiB, pytorch#107667) and, with TP, NCCL and custom all-reduce
    // buffers (aiconfigurator: 392 MB at TP 4/8).
    int_option_unset("pre_weights_bytes", 0, kTiB, Msg::opt_sglang_pre_weights_bytes, "", "bytes"),
};

// SGLang's default mem_fraction_static (server_args.py), from the GPU's nvidia-smi MiB and TP x PP:
//   0.5    (0.5.3 and later, _handle_gpu_memory_settings): reserve = 512 + 1.5 x max(chunked_prefill_size, 2048)
//          + 2 x cuda_graph_max_bs + TP x PP / 8 x 1024 MiB, at least 10 GiB above 60 GiB; the chunk and the graph
//          batch come from the memory (and TP); a vision tower scales it by 0.95 x its size factor
//          (adjust_mem_fraction_for_vlm, 0.4.10+)
//   0.4.7  (0.4.7.post1 - 0.5.2): reserve 2.8 + TP x PP / 10 GiB below 35 GiB, 9.5 + TP x PP / 2 below 90,
//          12 + TP x PP / 2 below 160, else 32
//   0.4    (0.4.0 - 0.4.5.post2): 0.88, 0.87 at TP >= 2, 0.85 at >= 4, 0.81 at >= 8, 0.79 at >= 16
double default_mem_fraction_static(const std::string& version, const Deployment& d) {
  const double mib = static_cast<double>(d.in->gpu.memory_bytes) / 1048576.0, gib_mem = mib / 1024.0;
  const double tp = static_cast<double>(d.tp), ps = static_cast<double>(d.tp * d.pp);
  if (version == "0.4") return tp >= 16 ? 0.79 : tp >= 8 ? 0.81 : tp >= 4 ? 0.85 : tp >= 2 ? 0.87 : 0.88;
  double reserve = 0;
  if (version == "0.4.7") {
    reserve = 1024 * (gib_mem < 35 ? 2.8 + ps / 10 : gib_mem < 90 ? 9.5 + ps / 2 : gib_mem < 160 ? 12 + ps / 2 : 32);
  } else {
    const double chunk = gib_mem < 35 ? 2048 : gib_mem < 60 ? 4096 : gib_mem < 160 ? 8192 : 16384;
    const double graphs = gib_mem < 20    ? 8
                          : gib_mem < 35  ? (tp < 4 ? 24 : 80)
                          : gib_mem < 60  ? (tp < 4 ? 32 : 160)
                          : gib_mem < 160 ? (tp < 4 ? 256 : 512)
                                          : 512;
    reserve = 512 + 1.5 * std::max(chunk, 2048.0) + 2 * graphs + ps / 8 * 1024;
    if (gib_mem > 60) reserve = std::max(reserve, 10240.0);
  }
  double mfs = std::round((mib - reserve) / mib * 1000) / 1000;
  const VisionTowerSpec& v = d.arch->vision;
  if (version == "0.5" && !v.kind.empty() && v.num_layers > 0) {
    const double size =
        static_cast<double>(v.num_layers) * static_cast<double>(v.hidden_size * v.hidden_size) / (24.0 * 1024 * 1024);
    mfs *= 0.95 * std::clamp(1 - 0.1 * (size - 1), 0.8, 1.05);
  }
  return mfs;
}

Expected<EngineOutcome> run_sglang(const Deployment& d) {
  const EstimateInput& in = *d.in;
  const Architecture& a = *d.arch;
  EngineOutcome out;
  const EngineOptions& e = d.options;
  const std::string version = e.choice("engine_version");
  const double mfs = e.number("mem_fraction_static", default_mem_fraction_static(version, d));
  const I64 page_size = e.integer("page_size");
  const I64 max_total_tokens = e.integer("max_total_tokens", -1);
  const I64 context_length = e.integer("context_length", in.context_tokens);
  const I64 pre_weights = e.integer("pre_weights_bytes", (512LL << 20) + (d.tp * d.pp > 1 ? 400LL << 20 : 0));
  auto runtime = runtime_total(d, "SGLang");
  if (!runtime) return runtime.error();
  const double total = runtime->bytes;

  I64 min_tokens = -1, cell_worst = 0;
  double rest_worst = 0, available_worst = 0;
  for (I64 s = 0; s < d.pp; ++s) {
    StageOutcome st;
    const I64 cell = d.stage_bytes_per_token(s);
    const I64 weights = d.stage_weights[static_cast<std::size_t>(s)];
    // model_runner.py profile_max_num_token: rest = free after the weights - free before them x (1 - mfs); the
    // "total_gpu_memory" it scales is the free memory measured after distributed init (init_torch_distributed),
    // i.e. the card's total less what the CUDA context and NCCL took.
    const double before = total - static_cast<double>(pre_weights);
    const double available = before - static_cast<double>(weights);
    const double rest = available - before * (1.0 - mfs);
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
    u.activations = static_cast<I64>(before * (1.0 - mfs));
    u.overhead = pre_weights;
    if (d.explain) {
      st.items.push_back({"weights", Text(d.tp * d.pp > 1 ? Msg::sglang_item_weights_shard : Msg::sglang_item_weights),
                          weights, d.weights_explain});
      st.items.push_back({"kv_cache", Text(Msg::sglang_item_kv_pool), u.kv_cache,
                          Text(Msg::sglang_explain_kv_pool)
                              .integer("available", static_cast<I64>(available))
                              .integer("total", static_cast<I64>(before))
                              .number("fraction", mfs)
                              .integer("rest", static_cast<I64>(rest))
                              .integer("cell", cell)
                              .integer("tokens", tokens)
                              .integer("pool", u.kv_cache)});
      st.items.push_back(
          {"activations", Text(Msg::sglang_item_reserve), u.activations,
           Text(Msg::sglang_explain_reserve).integer("total", static_cast<I64>(before)).number("fraction", mfs)});
      st.items.push_back({"overhead.pre_weights", Text(Msg::sglang_item_pre_weights), pre_weights,
                          Text(Msg::sglang_explain_pre_weights).integer("bytes", pre_weights)});
    }
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
  out.report.engine = "sglang";
  out.report.str("engine_version", version)
      .str("engine_rule", "SGLang " + version)
      .integer("max_total_num_tokens", tokens)
      .integer("cell_size_bytes", cell_worst)
      .number("mem_fraction_static", mfs)
      .integer("available_after_weights_bytes", static_cast<I64>(available_worst))
      .integer("rest_bytes", static_cast<I64>(rest_worst))
      .integer("k_size_bytes", static_cast<I64>(k_size))
      .integer("v_size_bytes", static_cast<I64>(v_size));
  out.report.log_lines = std::move(log);
  out.report.pool_sequences = tokens / std::max<I64>(1, in.context_tokens);
  auto verdict = [&](Msg id) { return Text(id).integer("count", in.count).str("gpu", in.gpu.name); };
  const I64 needed = in.context_tokens * d.seqs;
  out.has_fit = true;
  if (tokens <= 0) {
    out.fits = false;
    out.verdict = verdict(Msg::sglang_verdict_no_kv_memory).number("reserve", (1.0 - mfs) * 100.0);
  } else if (context_length > tokens) {
    out.fits = false;
    out.verdict =
        verdict(Msg::sglang_verdict_context_length).integer("tokens", tokens).integer("context_length", context_length);
  } else {
    out.fits = needed <= tokens;
    out.verdict = verdict(out.fits ? Msg::sglang_verdict_fits : Msg::sglang_verdict_kv_short)
                      .integer("tokens", tokens)
                      .integer("seqs", d.seqs)
                      .integer("context", in.context_tokens);
  }
  out.assumptions = {
      {"engine", "sglang", Text(Msg::sglang_assume_engine)},
      {"mem_fraction_static", fmt_num(mfs, 3),
       Text(e.given("mem_fraction_static") ? Msg::sglang_assume_mem_fraction_given
                                           : Msg::sglang_assume_mem_fraction_static)
           .str("version", version)},
      runtime->assumption,
      {"pre_weights_bytes", gib(static_cast<double>(pre_weights)), Text(Msg::sglang_assume_pre_weights_bytes)},
      {"page_size", fmt_int(page_size), Text(Msg::sglang_assume_page_size)},
  };
  return out;
}

// `python -m sglang.launch_server` (python/sglang/srt/server_args.py; docs/engines-launch.md): SGLang's KV
// dtypes name the FP8 variant (fp8_e4m3), and expert parallelism is --ep-size (--enable-ep-moe is gone).
std::string launch_sglang(const LaunchRequest& r) {
  const CheckpointChoice ck = checkpoint_for(r);
  std::string c = "python -m sglang.launch_server --model-path " + ck.model + " --tp-size " + std::to_string(r.tp);
  if (r.pp > 1) c += " --pp-size " + std::to_string(r.pp);
  if (r.replicas > 1) c += " --dp-size " + std::to_string(r.replicas);
  if (!ck.quantize.empty()) c += " --quantization " + ck.quantize;
  if (!r.kv_auto) c += " --kv-cache-dtype " + std::string(r.kv.id == "fp8" ? "fp8_e4m3" : r.kv.id);
  c += " --context-length " + std::to_string(r.max_len) + " --max-running-requests " + std::to_string(r.sequences);
  if (r.moe && r.tp > 1) c += " --ep-size " + std::to_string(r.tp);
  return c;
}

}  // namespace

const EngineProfile kSglangProfile{
    "sglang",
    "SGLang",
    "",
    Msg::engine_sglang,
    /*splits_heads=*/true,
    /*layer_split_default=*/false,
    "auto|bf16|fp8|fp8_e4m3|fp8_e5m2",
    "bf16|fp8|int8|gptq-int8|awq-int4|gptq-int4|nf4|gguf-Q4_K_M|gguf-Q3_K_M|gguf-Q2_K",
    span_of(kOptions),
    run_sglang,
    launch_sglang,
    /*fp32_checkpoints_in_16bit=*/true,
    /*expert_parallel=*/true,
};

}  // namespace vramplan
