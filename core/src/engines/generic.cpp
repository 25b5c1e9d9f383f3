// The `generic` profile: a PyTorch-style server with named, adjustable assumptions.
#include <algorithm>
#include <cmath>

#include "deployment.hpp"
#include "profiles.hpp"
#include "vramplan/common/units.hpp"

namespace vramplan {
namespace {

constexpr double kTiB = 1099511627776.0;

const OptionSpec kOptions[] = {
    // CUDA context + cuBLAS/cuDNN workspaces of one process (pytorch#107667: context ~300 MB with lazy
    // loading; library workspaces and kernels add a few hundred MB more).
    int_option("cuda_context_bytes", 0, kTiB, 512.0 * kMiB, Msg::opt_generic_cuda_context_bytes, "", "bytes"),
    // NCCL communicator buffers per GPU when TP/PP > 1 (aiconfigurator h100_sxm.yaml: 342 MB at TP2, 392 MB at TP4/8).
    int_option("nccl_bytes", 0, kTiB, 400.0 * kMiB, Msg::opt_generic_nccl_bytes, "", "bytes"),
    number_option("allocator_reserve_fraction", 0, 1, 0.05, Msg::opt_generic_allocator_reserve_fraction, "",
                  "fraction"),
    with_alias(int_option("max_batched_tokens", 1, 16777216, 8192, Msg::opt_generic_max_batched_tokens, "", "tokens"),
               "max_num_batched_tokens"),
    int_option("logits_copies", 0, 16, 2, Msg::opt_generic_logits_copies),
    int_option_unset("activation_bytes", 0, 1125899906842624.0, Msg::opt_activation_bytes, "", "bytes"),
};

struct GenericOptions {
  I64 cuda_context_bytes, nccl_bytes;
  double allocator_reserve_fraction;
  I64 max_batched_tokens, logits_copies;
  I64 activation_bytes_override;  // replaces the activation estimate when >= 0
};

GenericOptions read_options(const EngineOptions& e) {
  return {e.integer("cuda_context_bytes"), e.integer("nccl_bytes"),    e.number("allocator_reserve_fraction"),
          e.integer("max_batched_tokens"), e.integer("logits_copies"), e.integer("activation_bytes", -1)};
}

Expected<EngineOutcome> run_generic(const Deployment& d) {
  const EstimateInput& in = *d.in;
  const Architecture& a = *d.arch;
  const GenericOptions o = read_options(d.options);
  EngineOutcome out;

  const I64 tokens_fwd = std::min(in.context_tokens * d.seqs, o.max_batched_tokens);
  const I64 per_token = activation_bytes_per_token(a, d.tp);
  const I64 act_layers = tokens_fwd * per_token;
  const I64 logits = d.seqs * a.vocab_size * 4 * o.logits_copies;
  const std::string seq_word = d.seqs == 1 ? " sequence" : " sequences";
  const std::string act_explain = "forward pass of min(" + fmt_int(in.context_tokens) + " tokens x " + fmt_int(d.seqs) +
                                  seq_word + ", max_batched_tokens " + fmt_int(o.max_batched_tokens) +
                                  ") = " + fmt_int(tokens_fwd) + " tokens x " +
                                  render(activation_per_token_explain(a, d.tp)) + " = " + fmt_int(act_layers) + " B";
  const std::string logits_explain = "sampler logits " + fmt_int(d.seqs) + seq_word + " x vocab " +
                                     fmt_int(a.vocab_size) + " x 4 B (fp32) x " + fmt_int(o.logits_copies) +
                                     " copies = " + fmt_int(logits) + " B";

  for (I64 s = 0; s < d.pp; ++s) {
    StageOutcome st;
    auto& u = st.usage;
    const auto [first, last] = d.ranges[static_cast<std::size_t>(s)];
    u.pp_stage = static_cast<int>(s);
    u.weights = d.stage_weights[static_cast<std::size_t>(s)];
    I64 kv_seq = 0;
    const std::string kv_text = render(kv_stage_explain(d, static_cast<std::size_t>(s), in.context_tokens, &kv_seq));
    u.kv_cache = kv_seq * d.seqs;
    const bool last_stage = s == d.pp - 1;
    u.activations =
        o.activation_bytes_override >= 0 ? o.activation_bytes_override : act_layers + (last_stage ? logits : 0);
    const I64 nccl = (d.tp * d.pp > 1) ? o.nccl_bytes : 0;
    const I64 reserve = static_cast<I64>(
        std::llround(o.allocator_reserve_fraction * static_cast<double>(u.weights + u.kv_cache + u.activations)));
    u.overhead = o.cuda_context_bytes + nccl + reserve;

    const bool split = d.tp * d.pp > 1;
    if (d.explain)
      st.items.push_back(
          {"weights", split ? "Weights on this GPU" : "Weights", u.weights,
           split ? "layers " + fmt_int(first) + "-" + fmt_int(last - 1) + " of " + fmt_int(a.num_layers) +
                       (d.tp > 1 ? ", 1/" + fmt_int(d.tp) +
                                       " of each split tensor (norms, routers and MLA latent projections replicated)"
                                 : "") +
                       " = " + fmt_int(u.weights) + " B; whole model: " + render(d.weights_explain)
                 : render(d.weights_explain)});
    if (d.explain)
      st.items.push_back({"kv_cache", "KV cache", u.kv_cache,
                          kv_text + " x " + fmt_int(d.seqs) + seq_word + " = " + fmt_int(u.kv_cache) + " B (" +
                              fmt_gb(u.kv_cache) + ")"});
    if (d.explain)
      st.items.push_back(
          {"activations", "Activations and sampler", u.activations,
           o.activation_bytes_override >= 0
               ? "set by engine_options.activation_bytes = " + fmt_int(u.activations) + " B"
               : act_explain + (last_stage ? " + " + logits_explain : "") + " = " + fmt_int(u.activations) + " B"});
    if (d.explain)
      st.items.push_back({"overhead.cuda_context", "CUDA context and libraries", o.cuda_context_bytes,
                          "cuda_context_bytes = " + fmt_int(o.cuda_context_bytes) + " B (assumption)"});
    if (nccl)
      if (d.explain)
        st.items.push_back({"overhead.nccl", "NCCL buffers", nccl,
                            "nccl_bytes = " + fmt_int(nccl) + " B per GPU when TP x PP > 1 (assumption)"});
    if (d.explain)
      st.items.push_back({"overhead.allocator_reserve", "Allocator reserve / fragmentation", reserve,
                          fmt_num(o.allocator_reserve_fraction, 3) + " x (weights + KV + activations " +
                              fmt_int(u.weights + u.kv_cache + u.activations) + " B) = " + fmt_int(reserve) + " B"});
    out.stages.push_back(std::move(st));
  }
  out.report.engine = "generic";
  out.assumptions = {
      {"engine", "generic", "a PyTorch-style server; the engine profiles reproduce each engine's own rule"},
      {"cuda_context_bytes", fmt_int(o.cuda_context_bytes),
       "CUDA context + cuBLAS workspaces per process (pytorch#107667: ~300 MB context)"},
      {"nccl_bytes", fmt_int(o.nccl_bytes), "per GPU when TP x PP > 1 (aiconfigurator: 342 MB TP2, 392 MB TP4/8)"},
      {"allocator_reserve_fraction", fmt_num(o.allocator_reserve_fraction, 3),
       "caching-allocator fragmentation and reserve"},
      {"max_batched_tokens", fmt_int(o.max_batched_tokens), "tokens in one forward pass (chunked prefill)"},
      {"logits_copies", fmt_int(o.logits_copies), "fp32 logits + probabilities per sequence in the sampler"},
  };
  return out;
}

}  // namespace

const EngineProfile kGenericProfile{
    "generic",
    "generic",
    "",
    Msg::engine_generic,
    /*splits_heads=*/true,
    /*layer_split_default=*/false,
    "auto|fp16|bf16|fp32|fp8|fp8_e4m3|fp8_e5m2|int8|q8_0|q5_1|q5_0|q4_1|q4_0|iq4_nl",
    "bf16|fp8|int8|gptq-int8|awq-int4|gptq-int4|nf4|gguf-Q4_K_M|gguf-Q3_K_M|gguf-Q2_K",
    span_of(kOptions),
    run_generic,
    nullptr,
};

}  // namespace vramplan
