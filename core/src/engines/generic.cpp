// The `generic` profile: a PyTorch-style server with named, adjustable assumptions.
#include <algorithm>
#include <cmath>

#include "deployment.hpp"
#include "profiles.hpp"
#include "vramplan/common/units.hpp"

namespace vramplan {
namespace {

const OptionSpec kOptions[] = {
    kCudaContextOption,
    kNcclOption,
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
  Text forward_explain, logits_explain;
  if (d.explain) {
    forward_explain = Text(Msg::generic_explain_forward)
                          .integer("context", in.context_tokens)
                          .integer("seqs", d.seqs)
                          .integer("max_batched", o.max_batched_tokens)
                          .integer("tokens", tokens_fwd)
                          .text("per_token", activation_per_token_explain(a, d.tp))
                          .integer("bytes", act_layers);
    logits_explain = Text(Msg::generic_explain_logits)
                         .integer("seqs", d.seqs)
                         .integer("vocab", a.vocab_size)
                         .integer("copies", o.logits_copies)
                         .integer("bytes", logits);
  }

  for (I64 s = 0; s < d.pp; ++s) {
    StageOutcome st;
    auto& u = st.usage;
    const auto [first, last] = d.ranges[static_cast<std::size_t>(s)];
    u.pp_stage = static_cast<int>(s);
    u.weights = d.stage_weights[static_cast<std::size_t>(s)];
    I64 kv_seq = 0;
    Text kv_text = kv_stage_explain(d, static_cast<std::size_t>(s), in.context_tokens, &kv_seq);
    u.kv_cache = kv_seq * d.seqs;
    const bool last_stage = s == d.pp - 1;
    u.activations =
        o.activation_bytes_override >= 0 ? o.activation_bytes_override : act_layers + (last_stage ? logits : 0);
    const I64 nccl = (d.tp * d.pp > 1) ? o.nccl_bytes : 0;
    const I64 reserve = static_cast<I64>(
        std::llround(o.allocator_reserve_fraction * static_cast<double>(u.weights + u.kv_cache + u.activations)));
    u.overhead = o.cuda_context_bytes + nccl + reserve;

    const bool split = d.tp * d.pp > 1;
    if (d.explain) {
      Text weights_text = d.weights_explain;
      if (split) {
        weights_text = Text(Msg::generic_explain_weights_shard)
                           .integer("first", first)
                           .integer("last", last - 1)
                           .integer("layers", a.num_layers);
        if (d.tp > 1) weights_text.text("tp", Text(Msg::generic_explain_weights_tp).integer("tp", d.tp));
        weights_text.integer("bytes", u.weights).text("weights", d.weights_explain);
      }
      st.items.push_back({"weights", Text(split ? Msg::generic_item_weights_shard : Msg::generic_item_weights),
                          u.weights, std::move(weights_text)});
      st.items.push_back({"kv_cache", Text(Msg::generic_item_kv_cache), u.kv_cache,
                          Text(Msg::generic_explain_kv_cache)
                              .text("kv", std::move(kv_text))
                              .integer("seqs", d.seqs)
                              .integer("bytes", u.kv_cache)});
      Text act_text;
      if (o.activation_bytes_override >= 0)
        act_text = Text(Msg::generic_explain_activations_set).integer("bytes", u.activations);
      else if (last_stage)
        act_text = Text(Msg::generic_explain_activations_logits)
                       .text("forward", forward_explain)
                       .text("logits", logits_explain)
                       .integer("bytes", u.activations);
      else
        act_text =
            Text(Msg::generic_explain_activations).text("forward", forward_explain).integer("bytes", u.activations);
      st.items.push_back({"activations", Text(Msg::generic_item_activations), u.activations, std::move(act_text)});
      st.items.push_back({"overhead.cuda_context", Text(Msg::generic_item_cuda_context), o.cuda_context_bytes,
                          Text(Msg::generic_explain_cuda_context).integer("bytes", o.cuda_context_bytes)});
      if (nccl)
        st.items.push_back({"overhead.nccl", Text(Msg::generic_item_nccl), nccl,
                            Text(Msg::generic_explain_nccl).integer("bytes", nccl)});
      st.items.push_back({"overhead.allocator_reserve", Text(Msg::generic_item_allocator_reserve), reserve,
                          Text(Msg::generic_explain_allocator_reserve)
                              .number("fraction", o.allocator_reserve_fraction)
                              .integer("sum", u.weights + u.kv_cache + u.activations)
                              .integer("bytes", reserve)});
    }
    out.stages.push_back(std::move(st));
  }
  out.report.engine = "generic";
  out.assumptions = {
      {"engine", "generic", Text(Msg::generic_assume_engine)},
      {"cuda_context_bytes", fmt_int(o.cuda_context_bytes), Text(Msg::generic_assume_cuda_context_bytes)},
      {"nccl_bytes", fmt_int(o.nccl_bytes), Text(Msg::generic_assume_nccl_bytes)},
      {"allocator_reserve_fraction", fmt_num(o.allocator_reserve_fraction, 3),
       Text(Msg::generic_assume_allocator_reserve_fraction)},
      {"max_batched_tokens", fmt_int(o.max_batched_tokens), Text(Msg::generic_assume_max_batched_tokens)},
      {"logits_copies", fmt_int(o.logits_copies), Text(Msg::generic_assume_logits_copies)},
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
    /*fp32_checkpoints_in_16bit=*/false,
    /*expert_parallel=*/true,
};

}  // namespace vramplan
