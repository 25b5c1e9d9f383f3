// HF transformers' generate(), which allocates as it goes: weights, a cache that grows with the tokens (or a
// static one), and the prefill's transient peak.
#include <algorithm>

#include "deployment.hpp"
#include "profiles.hpp"
#include "vramplan/common/units.hpp"

namespace vramplan {
namespace {

const OptionSpec kOptions[] = {
    choice_option("attn_implementation", "sdpa|eager|flash_attention_2", "sdpa",
                  Msg::opt_transformers_attn_implementation, "attn_implementation"),
    choice_option("cache_implementation", "dynamic|static", "dynamic", Msg::opt_transformers_cache_implementation,
                  "cache_implementation"),
    int_option("max_new_tokens", 0, 16777216, 0, Msg::opt_transformers_max_new_tokens, "max_new_tokens", "tokens"),
    // transformers >= 4.45 computes prefill logits for the last position only; older versions for every position.
    bool_option("full_prompt_logits", false, Msg::opt_transformers_full_prompt_logits),
};

Expected<EngineOutcome> run_transformers(const Deployment& d) {
  // HF transformers generate(): weights + a cache that grows with the tokens (or is preallocated, static) +
  // the prefill's transient peak: eager attention materialises the scores, SDPA/flash do not.
  const EstimateInput& in = *d.in;
  const Architecture& a = *d.arch;
  EngineOutcome out;
  const EngineOptions& e = d.options;
  const std::string attn = e.choice("attn_implementation");
  const std::string cache = e.choice("cache_implementation");
  const I64 new_tokens = e.integer("max_new_tokens");
  const bool full_logits = e.boolean("full_prompt_logits");
  const I64 prompt = in.context_tokens;
  const I64 tokens = prompt + new_tokens;
  const I64 batch = d.seqs;
  const I64 act_b = element_bytes_16bit(a);
  // Eager attention: one layer's scores [batch, heads, prompt, prompt] in the model dtype, their fp32 softmax,
  // and the cast back.
  const I64 heads = a.num_heads / d.tp;
  const I64 scores = attn == "eager" ? batch * heads * prompt * prompt * (act_b + 4 + act_b) : 0;
  const I64 layer_act = batch * prompt * activation_bytes_per_token(a, d.tp);
  const I64 logits = batch * (full_logits ? prompt : 1) * a.vocab_size * (act_b + 4);
  for (I64 s = 0; s < d.pp; ++s) {
    StageOutcome st;
    auto& u = st.usage;
    u.pp_stage = static_cast<int>(s);
    u.weights = d.stage_weights[static_cast<std::size_t>(s)];
    I64 kv_seq = 0;
    Text kv_text = kv_stage_explain(d, static_cast<std::size_t>(s), tokens, &kv_seq);
    u.kv_cache = kv_seq * batch;
    const bool last = s == d.pp - 1;
    u.activations = std::max(scores, layer_act) + (last ? logits : 0);
    u.overhead = 512LL << 20;
    st.items.push_back({"weights", Text(Msg::transformers_item_weights), u.weights, d.weights_explain});
    st.items.push_back(
        {"kv_cache",
         Text(cache == "static" ? Msg::transformers_item_static_cache : Msg::transformers_item_dynamic_cache),
         u.kv_cache,
         Text(Msg::transformers_explain_kv)
             .text("kv", std::move(kv_text))
             .integer("batch", batch)
             .integer("bytes", u.kv_cache)});
    Text peak(attn == "eager" ? Msg::transformers_explain_prefill_eager : Msg::transformers_explain_prefill);
    if (attn == "eager")
      peak.integer("batch", batch)
          .integer("heads", heads)
          .integer("prompt", prompt)
          .integer("element", act_b)
          .integer("scores", scores);
    else
      peak.str("attn", attn);
    peak.integer("tokens", batch * prompt)
        .text("per_token", activation_per_token_explain(a, d.tp))
        .integer("layer", layer_act);
    if (last)
      peak.text("logits", Text(Msg::transformers_explain_logits)
                              .integer("positions", batch * (full_logits ? prompt : 1))
                              .integer("vocab", a.vocab_size)
                              .integer("element", act_b)
                              .integer("bytes", logits));
    st.items.push_back({"activations", Text(Msg::transformers_item_prefill_peak), u.activations, std::move(peak)});
    st.items.push_back({"overhead.cuda_context", Text(Msg::transformers_item_cuda_context), u.overhead,
                        Text(Msg::transformers_explain_cuda_context)});
    out.stages.push_back(std::move(st));
  }
  I64 allocated = 0;
  for (const auto& st : out.stages)
    allocated = std::max(allocated, st.usage.weights + st.usage.kv_cache + st.usage.activations);
  out.report.engine = "transformers";
  out.report.integer("max_memory_allocated_bytes", allocated)
      .str("attn_implementation", attn)
      .str("cache_implementation", cache);
  out.assumptions = {
      {"engine", "transformers", Text(Msg::transformers_assume_engine)},
      {"attn_implementation", attn, Text(Msg::transformers_assume_attn_implementation)},
      {"cache_implementation", cache, Text(Msg::transformers_assume_cache_implementation)},
      {"full_prompt_logits", full_logits ? "true" : "false", Text(Msg::transformers_assume_full_prompt_logits)}};
  return out;
}

}  // namespace

// generate() is a library call: there is no server whose flags these settings map to (`transformers serve`
// takes no parallelism or memory flags), so the profile has no launch command.
const EngineProfile kTransformersProfile{
    "transformers",
    "transformers",
    "hf|huggingface",
    Msg::engine_transformers,
    /*splits_heads=*/true,  // tp_plan splits heads; device_map splits layers (the default for several GPUs)
    /*layer_split_default=*/true,
    "auto|fp16|bf16|fp32",
    "bf16|fp8|int8|gptq-int8|awq-int4|gptq-int4|nf4",
    span_of(kOptions),
    run_transformers,
    nullptr,
};

}  // namespace vramplan
