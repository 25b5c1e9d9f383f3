// KTransformers' hybrid placement (kvcache-ai/ktransformers, DeepSeek-R1/V3 tutorial and its optimize
// rules): attention, dense MLPs, shared experts, routers, norms and lm_head on the GPU; the routed experts
// (and the token embedding) in system RAM, computed by the CPU. The KV cache (MLA latent for DeepSeek)
// lives on the GPU, sized by cache_lens.
#include <algorithm>

#include "deployment.hpp"
#include "profiles.hpp"
#include "vramplan/common/units.hpp"

namespace vramplan {
namespace {

const OptionSpec kOptions[] = {
    int_option_unset("cache_lens", 1, 67108864, Msg::opt_ktransformers_cache_lens, "--cache_lens", "tokens"),
    int_option("chunk_size", 1, 1048576, 8192, Msg::opt_ktransformers_chunk_size, "--chunk_size", "tokens"),
    int_option("gpu_experts_per_layer", 0, 16384, 0, Msg::opt_ktransformers_gpu_experts_per_layer),
    int_option("cuda_context_bytes", 0, 1099511627776.0, 512.0 * kMiB, Msg::opt_generic_cuda_context_bytes, "",
               "bytes"),
};

Expected<EngineOutcome> run_ktransformers(const Deployment& d) {
  const EstimateInput& in = *d.in;
  const Architecture& a = *d.arch;
  EngineOutcome out;
  const EngineOptions& e = d.options;
  const I64 cache_lens = e.integer("cache_lens", in.context_tokens * d.seqs);
  const I64 chunk = e.integer("chunk_size");
  const I64 gpu_experts = e.integer("gpu_experts_per_layer");
  const I64 context = e.integer("cuda_context_bytes");
  if (gpu_experts > a.num_experts)
    return make_error(ErrorCode::invalid_field, e.field("gpu_experts_per_layer"),
                      "gpu_experts_per_layer must be an integer between 0 and " + std::to_string(a.num_experts) +
                          ", got " + std::to_string(gpu_experts));
  if (!a.is_moe()) out.warnings.push_back(Text(Msg::ktransformers_warn_dense_model));

  I64 gpu_weights = 0, cpu_experts = 0, cpu_other = 0;
  for (const auto& g : d.tensors) {
    if ((g.mtp && !in.include_mtp_weights()) || (g.cls == TensorClass::vision && !in.include_vision_weights()))
      continue;
    const I64 bytes = tensor_bytes(in.weights, g, a).bytes;
    if (g.cls == TensorClass::experts) {
      // Routed experts: all on the CPU unless some per layer are pinned to the GPU.
      const I64 on_gpu = g.per_layer > 0 ? bytes * gpu_experts / g.per_layer : 0;
      gpu_weights += on_gpu;
      cpu_experts += bytes - on_gpu;
    } else if (g.cls == TensorClass::embedding) {
      cpu_other += bytes;  // the embedding lookup runs on the CPU
    } else {
      gpu_weights += bytes;
    }
  }
  I64 kv_per_token = 0;
  for (const auto& l : d.cache) kv_per_token += l.bytes_per_token();
  const I64 kv = kv_per_token * cache_lens;
  const I64 act =
      std::min(chunk, in.context_tokens * d.seqs) * activation_bytes_per_token(a, 1) + d.seqs * a.vocab_size * 4;

  StageOutcome st;
  auto& u = st.usage;
  u.weights = gpu_weights;
  u.kv_cache = kv;
  u.activations = act;
  u.overhead = context;
  if (d.explain) {
    Text weights_text(Msg::ktransformers_explain_weights);
    if (gpu_experts)
      weights_text.text("pinned", Text(Msg::ktransformers_explain_pinned_experts).integer("experts", gpu_experts));
    weights_text.integer("bytes", gpu_weights);
    st.items.push_back({"weights", Text(Msg::ktransformers_item_weights), gpu_weights, std::move(weights_text)});
    st.items.push_back({"kv_cache", Text(Msg::ktransformers_item_kv_cache), kv,
                        Text(Msg::ktransformers_explain_kv_cache)
                            .integer("per_token", kv_per_token)
                            .integer("cache_lens", cache_lens)
                            .integer("bytes", kv)});
    st.items.push_back({"activations", Text(Msg::ktransformers_item_activations), act,
                        Text(Msg::ktransformers_explain_activations)
                            .integer("chunk", chunk)
                            .text("per_token", activation_per_token_explain(a, 1))
                            .integer("seqs", d.seqs)
                            .integer("vocab", a.vocab_size)});
    st.items.push_back({"overhead.cuda_context", Text(Msg::ktransformers_item_cuda_context), context,
                        Text(Msg::ktransformers_explain_cuda_context)});
  }
  out.stages.push_back(std::move(st));
  for (I64 s = 1; s < d.pp; ++s) out.stages.push_back(out.stages.front());
  out.host_bytes = cpu_experts + cpu_other;
  out.host_explain =
      Text(Msg::ktransformers_host_experts).integer("experts", cpu_experts).integer("embedding", cpu_other);
  out.report.engine = "ktransformers";
  out.report.integer("gpu_bytes", gpu_weights + kv + act + context)
      .integer("host_bytes", out.host_bytes)
      .integer("experts_on_cpu_bytes", cpu_experts)
      .integer("cache_lens", cache_lens);
  if (d.tp * d.pp > 1) out.warnings.push_back(Text(Msg::ktransformers_warn_one_gpu));
  out.assumptions = {
      {"engine", "ktransformers", Text(Msg::ktransformers_assume_engine)},
      {"cache_lens", fmt_int(cache_lens), Text(Msg::ktransformers_assume_cache_lens)},
      {"chunk_size", fmt_int(chunk), Text(Msg::ktransformers_assume_chunk_size)},
      {"gpu_experts_per_layer", fmt_int(gpu_experts), Text(Msg::ktransformers_assume_gpu_experts_per_layer)}};
  return out;
}

}  // namespace

// KTransformers' launchers changed form between releases (the archived local_chat/server with --cache_lens,
// then SGLang with --kt-* flags: docs/engines-launch.md), so the profile prints no command.
const EngineProfile kKTransformersProfile{
    "ktransformers",
    "KTransformers",
    "",
    Msg::engine_ktransformers,
    /*splits_heads=*/false,
    /*layer_split_default=*/true,
    "auto|fp16|bf16",
    "bf16|gguf-Q8_0|gguf-Q6_K|gguf-Q5_K_M|gguf-Q4_K_M|gguf-Q3_K_M|gguf-Q2_K",
    span_of(kOptions),
    run_ktransformers,
    nullptr,
};

}  // namespace vramplan
