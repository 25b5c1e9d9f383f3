// The llama.cpp / llama-server and Ollama profiles: options -> context -> layout -> placement -> what each
// GPU holds, what the host holds, and what llama.cpp would log. The rules are in llamacpp.hpp.
#include <algorithm>

#include "../profiles.hpp"
#include "llamacpp.hpp"
#include "vramplan/common/units.hpp"

namespace vramplan::llamacpp {
namespace {

// The KV cache types llama.cpp accepts for -ctk / -ctv (common/arg.cpp kv_cache_types).
constexpr const char* kCacheTypes = "f32|f16|bf16|q8_0|q4_0|q4_1|iq4_nl|q5_0|q5_1";

const OptionSpec kOptions[] = {
    choice_option_unset("variant", "llama.cpp,llamacpp,llama-server|ollama", Msg::opt_llamacpp_variant),
    with_alias(int_option_unset("n_ctx", 0, static_cast<double>(kMaxCtx), Msg::opt_llamacpp_n_ctx, "-c", "tokens"),
               "num_ctx"),
    with_alias(int_option_unset("n_parallel", 1, static_cast<double>(kMaxSeq), Msg::opt_llamacpp_n_parallel, "-np"),
               "num_parallel"),
    with_alias(layers_option("n_gpu_layers", Msg::opt_llamacpp_n_gpu_layers, "-ngl"), "num_gpu"),
    choice_option_unset("cache_type_k", kCacheTypes, Msg::opt_llamacpp_cache_type_k, "-ctk"),
    choice_option_unset("cache_type_v", kCacheTypes, Msg::opt_llamacpp_cache_type_v, "-ctv"),
    choice_option_unset("kv_cache_type", kCacheTypes, Msg::opt_llamacpp_kv_cache_type, "OLLAMA_KV_CACHE_TYPE"),
    with_alias(switch_option("flash_attn", OptionType::on_off_auto, false, 0, Msg::opt_llamacpp_flash_attn, "-fa"),
               "flash_attention"),
    int_option("n_ubatch", 1, 1048576, 512, Msg::opt_llamacpp_n_ubatch, "-ub", "tokens"),
    int_option_unset("n_batch", 1, 16777216, Msg::opt_llamacpp_n_batch, "-b", "tokens"),
    switch_option("swa_full", OptionType::on_off, true, 0, Msg::opt_llamacpp_swa_full, "--swa-full"),
    switch_option("kv_unified", OptionType::on_off, false, 0, Msg::opt_llamacpp_kv_unified, "-kvu"),
    switch_option("no_kv_offload", OptionType::on_off, true, 0, Msg::opt_llamacpp_no_kv_offload, "-nkvo"),
    list_option("tensor_split", Msg::opt_llamacpp_tensor_split, "-ts"),
    int_option("n_ctx_pad", 1, 65536, 256, Msg::opt_llamacpp_n_ctx_pad, "", "tokens"),
    int_option("swa_pad", 1, 65536, 256, Msg::opt_llamacpp_swa_pad, "", "tokens"),
    // The CUDA (or other GPU) context a llama.cpp process holds on each device it initialises: an assumption
    // (pytorch#107667 measures ~300 MB for a bare CUDA context with lazy module loading).
    int_option("cuda_context_bytes", 0, kTiB, 300.0 * kMiB, Msg::opt_llamacpp_cuda_context_bytes, "", "bytes"),
    // Tensors of width max(n_embd, n_head x head_dim) live beside the attention scores in the worst-case graph
    // (residual stream, q, attention output, norm). Fitted: Llama-3-8B n_ctx 8192 fa off logs 560.00 MiB of
    // which 512 MiB are KQ and 16 MiB the mask; the same 4 reproduce 164.00 and 2144.00 MiB (Mistral-7B).
    int_option("compute_residual_tensors", 0, 64, 4, Msg::opt_llamacpp_compute_residual_tensors),
    // GGML_SCHED_MAX_COPIES (ggml-backend.h): input copies kept when pipeline parallelism is on.
    int_option("pipeline_copies", 1, 16, 4, Msg::opt_llamacpp_pipeline_copies),
    int_option_unset("compute_buffer_bytes", 0, 1024 * kTiB, Msg::opt_llamacpp_compute_buffer_bytes, "", "bytes"),
};

// llama.cpp names devices after its backend (CUDA0, ROCm0, Metal, CANN0, SYCL0); others are "GPU".
std::string backend_prefix(const GpuEntry& g) {
  switch (g.backend) {
    case Backend::cuda:
      return "CUDA";
    case Backend::rocm:
      return "ROCm";
    case Backend::metal:
      return "Metal";
    case Backend::cann:
      return "CANN";
    case Backend::sycl:
      return "SYCL";
    case Backend::musa:
      return "MUSA";
    default:
      return "GPU";
  }
}

// The busiest GPU of each group of tensor_parallel GPUs is the stage's usage.
void stages_from_plan(const Deployment& d, const Plan& plan, EngineOutcome& out) {
  for (I s = 0; s < d.pp; ++s) {
    std::size_t worst = static_cast<std::size_t>(s * d.tp);
    for (I t = 0; t < d.tp; ++t) {
      const std::size_t i = static_cast<std::size_t>(s * d.tp + t);
      if (plan.dev[i].total() > plan.dev[worst].total()) worst = i;
    }
    const Device& D = plan.dev[worst];
    StageOutcome st;
    st.usage.pp_stage = static_cast<int>(s);
    st.usage.weights = D.model;
    st.usage.kv_cache = D.kv_k + D.kv_v + D.rs;
    st.usage.activations = D.compute;
    st.usage.overhead = D.overhead;
    if (d.explain) {
      st.items.push_back(
          {"weights", Text(Msg::llamacpp_item_model_buffer).str("device", D.name), D.model, D.model_explain});
      st.items.push_back(
          {"kv_cache", Text(Msg::llamacpp_item_kv_cache).str("device", D.name), st.usage.kv_cache, D.kv_explain});
      st.items.push_back(
          {"activations", Text(Msg::llamacpp_item_compute_buffer).str("device", D.name), D.compute, D.compute_explain});
      st.items.push_back({"overhead.cuda_context", Text(Msg::llamacpp_item_gpu_context), D.overhead,
                          Text(Msg::llamacpp_explain_gpu_context).integer("bytes", D.overhead)});
    }
    out.stages.push_back(std::move(st));
  }
}

void host_usage(const Setup& s, const Plan& plan, EngineOutcome& out) {
  const Options& o = *s.o;
  const Architecture& a = *s.d->arch;
  out.host_bytes = plan.host_model + plan.host_kv + plan.host_rs + plan.host_compute + plan.output_buf;
  if (s.explain) {
    std::vector<Text> parts{plan.host_model_explain};
    if (plan.host_kv + plan.host_rs > 0)
      parts.push_back(Text(Msg::llamacpp_host_kv).integer("bytes", plan.host_kv + plan.host_rs));
    parts.push_back(plan.host_compute_explain);
    Text output(o.output_has_embd ? Msg::llamacpp_host_output_embd : Msg::llamacpp_host_output);
    output.str("host", s.host_name).integer("seqs", s.c->n_seq).integer("vocab", a.vocab_size);
    if (o.output_has_embd) output.integer("embd", a.hidden_size);
    parts.push_back(output.integer("bytes", plan.output_buf));
    out.host_explain =
        Text(Msg::llamacpp_explain_host).list("parts", std::move(parts)).integer("bytes", out.host_bytes);
  }
  const GpuEntry& gpu = s.d->in->gpu;
  if (gpu.unified_memory || gpu.usable_fraction < 1.0)
    out.warnings.push_back(Text(Msg::llamacpp_warn_unified_memory).integer("bytes", out.host_bytes));
}

void assumptions(const Setup& s, const Plan& plan, EngineOutcome& out) {
  const Options& o = *s.o;
  const Context& c = *s.c;
  const I n_layer = s.d->arch->num_layers;
  const std::string tk = lower(o.tk->name), tv = lower(o.tv->name);
  out.assumptions = {
      {"variant", o.ollama ? "ollama" : "llama.cpp",
       Text(o.ollama ? Msg::llamacpp_assume_variant_ollama : Msg::llamacpp_assume_variant_llamacpp)},
      {"n_ctx", fmt_int(c.n_ctx),
       Text(Msg::llamacpp_assume_n_ctx).text("why", o.n_ctx_why).integer("pad", o.n_ctx_pad)},
      {"n_parallel", fmt_int(c.n_seq),
       Text(o.parallel_given
                ? Msg::llamacpp_assume_n_parallel_given
                : (o.ollama ? Msg::llamacpp_assume_n_parallel_ollama : Msg::llamacpp_assume_n_parallel_workload))},
      {"kv_unified", o.kv_unified ? "true" : "false",
       Text(o.ollama       ? Msg::llamacpp_assume_kv_unified_ollama
            : o.kv_unified ? Msg::llamacpp_assume_kv_unified_on
                           : Msg::llamacpp_assume_kv_unified_off)},
      {"n_gpu_layers", fmt_int(plan.n_gpu_layers) + (o.ngl_auto ? " (auto)" : ""),
       Text(Msg::llamacpp_assume_n_gpu_layers).integer("layers", n_layer + 1)},
      {"cache_type_k / cache_type_v", tk + " / " + tv, Text(Msg::llamacpp_assume_cache_types)},
      {"flash_attn", o.fa_text + (o.fa_text == "auto" ? (o.flash_attn ? " (on)" : " (off)") : ""),
       Text(Msg::llamacpp_assume_flash_attn)},
      {"n_ubatch / n_batch", fmt_int(c.ubatch) + " / " + fmt_int(c.n_batch), Text(Msg::llamacpp_assume_batch)},
      {"weights", s.l->format.id, Text(Msg::llamacpp_assume_weights)},
      {"cuda_context_bytes", fmt_int(o.context_bytes), Text(Msg::llamacpp_assume_cuda_context)},
      {"compute_residual_tensors", fmt_int(o.residual_tensors), Text(Msg::llamacpp_assume_residual_tensors)},
  };
  if (o.ollama)
    out.assumptions.push_back({"ollama_version", "v0.6.7 - v0.15.4", Text(Msg::llamacpp_assume_ollama_version)});
}

Expected<EngineOutcome> run(const Deployment& d, bool ollama_engine) {
  EngineOutcome out;
  auto options = read_options(d, ollama_engine, out);
  if (!options) return options.error();
  Options& o = options.value();
  auto context = make_context(d, o, out);
  if (!context) return context.error();
  auto layout = make_layout(d, o, context.value(), out);
  if (!layout) return layout.error();
  const ComputeTerms terms = make_compute_terms(*d.arch, o, context.value(), layout.value());
  const std::string prefix = backend_prefix(d.in->gpu);
  const Setup s{&d,
                &o,
                &context.value(),
                &layout.value(),
                &terms,
                prefix,
                prefix == "Metal" ? "CPU" : prefix + "_Host",
                std::max<I>(1, d.tp * d.pp),
                d.explain};

  Plan plan = build_plan(s, o.n_gpu_layers);
  const I capacity = d.in->gpu.capacity_bytes();
  if (o.ngl_auto) {
    // Like llama.cpp's --fit / Ollama's layer estimate: the most layers that fit on every GPU.
    Setup probe = s;
    probe.explain = false;
    const I n_layer = d.arch->num_layers;
    I ngl = n_layer + 1;
    for (; ngl >= 0; --ngl)
      if (capacity <= 0 || build_plan(probe, ngl).fits_all(capacity)) break;
    o.n_gpu_layers = std::max<I>(0, ngl);
    plan = build_plan(s, o.n_gpu_layers);
  }
  stages_from_plan(d, plan, out);
  if (d.tp > 1)
    out.warnings.push_back(
        Text(Msg::llamacpp_warn_no_tensor_parallel).integer("gpus", s.n_devices).integer("tp", d.tp));
  host_usage(s, plan, out);
  fill_report(s, plan, out);
  if (d.explain) {  // the planner's probes need the numbers, not the log
    out.report.log_lines = log_lines(s, plan);
    assumptions(s, plan, out);
  }
  return out;
}

Expected<EngineOutcome> run_llamacpp(const Deployment& d) { return run(d, false); }
Expected<EngineOutcome> run_ollama(const Deployment& d) { return run(d, true); }

// The GGUF closest to a plan's format: its own type, BF16/F16 for 16-bit, Q8_0 for 8-bit, Q4_K_M for 4-bit.
std::string gguf_file_type(const WeightFormat& f) {
  if (f.kind == FormatKind::gguf) return f.gguf_ftype;
  if (f.data_bits >= 16) return f.id == "fp16" ? "F16" : "BF16";
  return f.data_bits >= 8 ? "Q8_0" : "Q4_K_M";
}

// `llama-server` (tools/server/README.md): -c is the KV size over all slots, -np the slots.
std::string launch_llamacpp(const LaunchRequest& r) {
  std::string c = "llama-server -m " + r.model + "-" + gguf_file_type(r.format) + ".gguf -ngl 999 -fa on -c " +
                  std::to_string(r.max_len * r.sequences) + " -np " + std::to_string(r.sequences);
  if (r.tp * r.pp > 1) c += " --split-mode layer";
  if (!r.kv_auto) c += " -ctk " + r.kv.id + " -ctv " + r.kv.id;
  if (r.replicas > 1) c += "   # x " + std::to_string(r.replicas) + " servers behind a load balancer";
  return c;
}

// `ollama serve` with its environment (envconfig/config.go): num_ctx per request x OLLAMA_NUM_PARALLEL slots; a
// quantised KV cache needs flash attention.
std::string launch_ollama(const LaunchRequest& r) {
  std::string c =
      "OLLAMA_CONTEXT_LENGTH=" + std::to_string(r.max_len) + " OLLAMA_NUM_PARALLEL=" + std::to_string(r.sequences);
  if (!r.kv_auto) c += " OLLAMA_FLASH_ATTENTION=1 OLLAMA_KV_CACHE_TYPE=" + r.kv.id;
  if (r.tp * r.pp > 1) c += " OLLAMA_SCHED_SPREAD=1";
  c += " ollama serve   # then: ollama run " + r.model + ":" + lower(gguf_file_type(r.format));
  if (r.replicas > 1) c += "; x " + std::to_string(r.replicas) + " servers behind a load balancer";
  return c;
}

}  // namespace
}  // namespace vramplan::llamacpp

namespace vramplan {

const EngineProfile kLlamaCppProfile{
    "llama.cpp",
    "llama.cpp",
    "llamacpp|llama-cpp|llama-server",
    Msg::engine_llamacpp,
    /*splits_heads=*/false,
    /*layer_split_default=*/true,
    "auto|f16|fp16|bf16|fp32|q8_0|q5_1|q5_0|q4_1|q4_0|iq4_nl",
    "bf16|gguf-Q8_0|gguf-Q6_K|gguf-Q5_K_M|gguf-Q4_K_M|gguf-Q3_K_M|gguf-Q2_K",
    span_of(llamacpp::kOptions),
    llamacpp::run_llamacpp,
    llamacpp::launch_llamacpp,
};

const EngineProfile kOllamaProfile{
    "ollama",
    "Ollama",
    "",
    Msg::engine_ollama,
    /*splits_heads=*/false,
    /*layer_split_default=*/true,
    "auto|f16|fp16|q8_0|q4_0",
    "bf16|gguf-Q8_0|gguf-Q4_K_M",
    span_of(llamacpp::kOptions),
    llamacpp::run_ollama,
    llamacpp::launch_ollama,
};

}  // namespace vramplan
