// KTransformers' hybrid placement (kvcache-ai/ktransformers, DeepSeek-R1/V3 tutorial and its optimize
// rules): attention, dense MLPs, shared experts, routers, norms and lm_head on the GPU; the routed experts
// (and the token embedding) in system RAM, computed by the CPU. The KV cache (MLA latent for DeepSeek)
// lives on the GPU, sized by cache_lens.
#include <algorithm>

#include "deployment.hpp"
#include "vramplan/api/json_read.hpp"
#include "vramplan/common/units.hpp"

namespace vramplan {

Expected<EngineOutcome> run_ktransformers(const Deployment& d) {
  const EstimateInput& in = *d.in;
  const Architecture& a = *d.arch;
  EngineOutcome out;
  const auto& j = in.engine_options;
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool ok = false;
    for (const char* k : {"cache_lens", "chunk_size", "gpu_experts_per_layer", "cuda_context_bytes",
                          "include_mtp_weights", "include_vision_weights"})
      ok = ok || it.key() == k;
    if (!ok)
      out.warnings.push_back("unknown KTransformers option 'engine_options." + it.key().substr(0, 40) +
                             "' was ignored");
  }
  JsonReader r(j, "engine_options");
  const I64 cache_lens = r.integer("cache_lens", in.context_tokens * d.seqs, 1, I64{1} << 26);
  const I64 chunk = r.integer("chunk_size", 8192, 1, I64{1} << 20);
  const I64 gpu_experts = r.integer("gpu_experts_per_layer", 0, 0, std::max<I64>(0, a.num_experts));
  const I64 context = r.integer("cuda_context_bytes", 512LL << 20, 0, I64{1} << 40);
  if (!r.ok()) return r.error();
  if (!a.is_moe())
    out.warnings.push_back("KTransformers' CPU offload is for MoE models; this dense model stays on the GPU");

  I64 gpu_weights = 0, cpu_experts = 0, cpu_other = 0;
  for (const auto& g : d.tensors) {
    if ((g.mtp && !in.options.include_mtp_weights) ||
        (g.cls == TensorClass::vision && !in.options.include_vision_weights))
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
    st.items.push_back({"weights", "Weights on the GPU (attention, dense and shared experts, lm_head)", gpu_weights,
                        "every tensor but the routed experts" +
                            std::string(gpu_experts ? " (except " + fmt_int(gpu_experts) + " experts per layer)" : "") +
                            " and the embedding = " + fmt_int(gpu_weights) + " B"});
    st.items.push_back(
        {"kv_cache", "KV cache (cache_lens)", kv,
         fmt_int(kv_per_token) + " B per token x cache_lens " + fmt_int(cache_lens) + " = " + fmt_int(kv) + " B"});
    st.items.push_back({"activations", "Prefill chunk and logits", act,
                        "min(chunk_size " + fmt_int(chunk) + ", tokens) x " + activation_per_token_explain(a, 1) +
                            " + logits " + fmt_int(d.seqs) + " x vocab " + fmt_int(a.vocab_size) + " x 4 B"});
    st.items.push_back({"overhead.cuda_context", "CUDA context", context, "cuda_context_bytes (assumption)"});
  }
  out.stages.push_back(std::move(st));
  for (I64 s = 1; s < d.pp; ++s) out.stages.push_back(out.stages.front());
  out.host_bytes = cpu_experts + cpu_other;
  out.host_explain = "routed experts " + fmt_gb(cpu_experts) + " + embedding " + fmt_gb(cpu_other) + " in system RAM";
  out.report = {{"engine", "ktransformers"},
                {"gpu_bytes", gpu_weights + kv + act + context},
                {"host_bytes", out.host_bytes},
                {"experts_on_cpu_bytes", cpu_experts},
                {"cache_lens", cache_lens}};
  if (d.tp * d.pp > 1)
    out.warnings.push_back("KTransformers runs the GPU part on one GPU per process here; the figures are for one GPU");
  out.assumptions = {{"engine", "ktransformers", "routed experts on the CPU (its DeepSeek optimize rules)"},
                     {"cache_lens", fmt_int(cache_lens), "KV cache length; defaults to context x sequences"},
                     {"chunk_size", fmt_int(chunk), "prefill chunk"},
                     {"gpu_experts_per_layer", fmt_int(gpu_experts), "experts per layer kept on the GPU"}};
  return out;
}

}  // namespace vramplan
