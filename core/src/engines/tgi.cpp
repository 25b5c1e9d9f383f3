// TGI (text-generation-inference): the KV pool is what the GPU has free after one warm-up prefill, per release.
// Read from huggingface/text-generation-inference at each tag (docs/engines-tgi.md):
//   warm-up        server/text_generation_server/models/flash_causal_lm.py FlashCausalLM.warmup: the router's
//                  warm-up batch (backends/v3/src/client/grpc_client.rs Client::warmup) is prefilled once, then
//                  torch.cuda.mem_get_info is read with no empty_cache, so the prefill's peak stays reserved
//   free -> blocks utils/import_utils.py get_cuda_free_memory; num_blocks = free // block bytes + warm-up blocks
//   wiggle room    models/globals.py TGI_WIGGLE_ROOM (0.95 hard-coded from v1.4.1; x total memory from v3.0)
//   block size     models/globals.py BLOCK_SIZE from ATTENTION, chosen by launcher/src/main.rs resolve_attention
//   prefill budget launcher/src/main.rs main (v2: max_input_tokens + 50), compute_optimal / vram_maximum (v3)
//   report         the router takes the minimum over shards (ShardedClient::warmup) x BLOCK_SIZE
#include <algorithm>
#include <array>
#include <cmath>

#include "deployment.hpp"
#include "profiles.hpp"
#include "vramplan/common/units.hpp"

namespace vramplan {
namespace {

enum class Prefill { v1, v2, v3 };  // how max_batch_prefill_tokens and the input/total limits default

struct Rule {
  const char* id;         // engine_options.engine_version
  const char* releases;   // the tags it covers
  double wiggle;          // TGI_WIGGLE_ROOM (1: none)
  bool wiggle_of_total;   // v3: free - (1 - MEMORY_FRACTION x W) x total; before: W x (free - (1 - MF) x total)
  bool all_token_logits;  // prefill_logprobs honoured: lm_head and log_softmax over every warm-up token
  bool backend_blocks;    // BLOCK_SIZE from the attention backend (v2.3+); before: 16
  Prefill prefill;
};

const Rule kRules[] = {
    {"3.3", "v3.3.0 - v3.3.7", 0.90, true, false, true, Prefill::v3},
    {"3.1", "v3.1.0 - v3.2.x", 0.93, true, false, true, Prefill::v3},
    {"3.0", "v3.0.x", 0.95, true, false, true, Prefill::v3},
    {"2.4", "v2.4.0", 0.90, false, true, true, Prefill::v2},
    {"2.3", "v2.3.x", 0.95, false, true, true, Prefill::v2},
    {"2.0", "v1.4.1 - v2.2.0", 0.95, false, true, false, Prefill::v2},
    {"1.0", "v0.9.4 - v1.4.0", 1.00, false, true, false, Prefill::v1},
};

const Rule& rule_of(const std::string& id) {
  for (const Rule& r : kRules)
    if (id == r.id) return r;
  return kRules[0];
}

// launcher/src/main.rs ComputeType::f16_flop (v3.3.7): the card's dense 16-bit FLOPS as TGI tabulates them, by the
// name nvidia-smi prints; other cards get no compute-optimal prefill.
struct CardFlops {
  const char* gpu_id;
  double flops;
};
constexpr std::array<CardFlops, 10> kCardFlops{{{"nvidia-rtx-4090", 82e12},
                                                {"nvidia-t4", 65e12},
                                                {"nvidia-l4", 121e12},
                                                {"nvidia-l40", 181e12},
                                                {"nvidia-l40s", 363e12},
                                                {"nvidia-a10g", 125e12},
                                                {"nvidia-a40", 149e12},
                                                {"nvidia-a100", 312e12},
                                                {"nvidia-h100", 900e12},
                                                {"nvidia-h200", 989e12}}};

double card_flops(const std::string& gpu_id) {
  for (const auto& c : kCardFlops)
    if (gpu_id == c.gpu_id || (starts_with(gpu_id, c.gpu_id) && gpu_id[std::string(c.gpu_id).size()] == '-'))
      return c.flops;
  return 0;
}

const OptionSpec kOptions[] = {
    choice_option("engine_version", "3.3|3.1|3.0,3|2.4|2.3|2.0,2|1.0,1", "3.3", Msg::opt_tgi_engine_version),
    number_option("cuda_memory_fraction", 0.01, 1.0, 1.0, Msg::opt_tgi_cuda_memory_fraction, "--cuda-memory-fraction",
                  "fraction"),
    number_option_unset("tgi_wiggle_room", 0.01, 1.0, Msg::opt_tgi_wiggle_room, "TGI_WIGGLE_ROOM", "fraction"),
    int_option_unset("block_size", 1, 65536, Msg::opt_tgi_block_size, "", "tokens"),
    int_option_unset("max_batch_prefill_tokens", 1, 16777216, Msg::opt_tgi_max_batch_prefill_tokens,
                     "--max-batch-prefill-tokens", "tokens"),
    int_option_unset("max_input_tokens", 1, 16777216, Msg::opt_tgi_max_input_tokens, "--max-input-tokens", "tokens"),
    int_option_unset("max_total_tokens", 2, 16777216, Msg::opt_tgi_max_total_tokens, "--max-total-tokens", "tokens"),
    bool_option("enable_prefill_logprobs", false, Msg::opt_tgi_enable_prefill_logprobs, "--enable-prefill-logprobs"),
    kCudaContextOption,
    kNcclOption,
    kCudaReservedOption,
    kTotalGpuMemoryOption,
};

// What the launcher and the warm-up settle on before any memory is measured.
struct Setup {
  const Rule* rule = nullptr;
  I64 block = 16;
  Msg block_why = Msg::tgi_assume_block_paged;
  I64 prefill = 4096, max_input = -1, max_total = -1;  // -1: not set (v3 resolves them after the warm-up)
  Msg prefill_why = Msg::tgi_assume_prefill_v1;
  I64 requests = 1, last_request = 0, warm_blocks = 0;
  bool all_logits = true;
  double wiggle = 1, fraction = 1;
};

// The head size TGI's launcher reads: config head_dim, else hidden_size / num_attention_heads (MLA configs have no
// head_dim, so the quotient).
I64 launcher_head_dim(const Architecture& a) {
  return a.is_mla() ? a.hidden_size / std::max<I64>(1, a.num_heads) : a.head_dim;
}

// launcher/src/main.rs resolve_attention (v2.3+): flashinfer (BLOCK_SIZE 1) when the head size is 64, 128 or 256 and
// the model is not falcon or deepseek_v2; otherwise flashdecoding (256) from compute capability 8.0, paged (16) below.
// ROCm images set ATTENTION=paged (Dockerfile_amd).
void choose_block(const Deployment& d, Setup& s) {
  const Architecture& a = *d.arch;
  const GpuEntry& g = d.in->gpu;
  const I64 head = launcher_head_dim(a);
  if (!s.rule->backend_blocks) {
    s.block = 16, s.block_why = Msg::tgi_assume_block_paged;
  } else if (g.backend == Backend::rocm) {
    s.block = 16, s.block_why = Msg::tgi_assume_block_rocm;
  } else if ((head == 64 || head == 128 || head == 256) && a.model_type != "falcon" && a.model_type != "deepseek_v2") {
    s.block = 1, s.block_why = Msg::tgi_assume_block_flashinfer;
  } else if (g.compute_capability > 0 && g.compute_capability < 80) {
    s.block = 16, s.block_why = Msg::tgi_assume_block_paged;
  } else {
    s.block = 256, s.block_why = Msg::tgi_assume_block_flashdecoding;
  }
  s.block = d.options.integer("block_size", s.block);
}

// ComputeType::f16_flop x shards / Config::flop, kept when above 100 tokens; then capped by max_position_embeddings
// and by vram_maximum: (nvidia-smi total x shards x fraction x 0.95 - model_vram) / token_vram, both as the launcher
// writes them (its model_vram lacks a hidden-size factor on the q/k/v term; only unquantised configs get one).
I64 v3_prefill(const Deployment& d, double fraction, Msg* why) {
  const Architecture& a = *d.arch;
  const double L = static_cast<double>(a.num_layers), hid = static_cast<double>(a.hidden_size);
  const double H = static_cast<double>(a.num_heads), KV = static_cast<double>(a.num_kv_heads);
  const double hd = static_cast<double>(launcher_head_dim(a));
  const double I = static_cast<double>(a.is_moe() ? a.moe_intermediate_size : a.intermediate_size);
  const double active = a.is_moe() ? static_cast<double>(a.experts_per_token + a.num_shared_experts) : 1.0;
  const double flop = L * (2 * H * hd * hid * 3 + 2 * 2 * KV * hd * hid + 2 * 3 * hid * I * active);
  // default_optimal by the checkpoint's model_type: qwen2_vl / qwen2_5_vl 10000, gemma3 (the multimodal one) 8000.
  const std::string& arch = a.architecture;
  double value = arch == "Qwen2VLForConditionalGeneration" || arch == "Qwen2_5_VLForConditionalGeneration" ? 10000
                 : arch == "Gemma3ForConditionalGeneration"                                                ? 8000
                                                                                                           : 4096;
  *why = Msg::tgi_assume_prefill_v3_default;
  const double card = card_flops(d.in->gpu.id);
  if (card > 0 && flop > 0 && a.vision.kind.empty() && card * static_cast<double>(d.tp) / flop > 100) {
    value = std::floor(card * static_cast<double>(d.tp) / flop);
    *why = Msg::tgi_assume_prefill_v3_compute;
  }
  if (a.max_position_embeddings > 0) value = std::min(value, static_cast<double>(a.max_position_embeddings));
  const WeightFormat native = native_weight_format(a);
  if (native.kind == FormatKind::plain && d.in->gpu.memory_bytes > 0) {
    const double experts = a.is_moe() ? static_cast<double>(a.num_experts) : 1.0;
    const double V = static_cast<double>(a.vocab_size);
    const double model_vram = 2 * (L * (3 * I * experts * hid + (H + 2 * KV) * hd + H * hd * hid) + 2 * V * hid);
    const double token_vram = KV * 2 * hd * 2 * L + (I + I / 2) * experts * 2 * 3;
    const double available = static_cast<double>(d.in->gpu.memory_bytes) * static_cast<double>(d.tp) * fraction * 0.95;
    const double vram_max = std::floor((available - model_vram) / token_vram);
    if (vram_max < value) {
      value = std::max(1.0, vram_max);
      *why = Msg::tgi_assume_prefill_v3_vram;
    }
  }
  return static_cast<I64>(value);
}

Setup read_setup(const Deployment& d) {
  const EngineOptions& e = d.options;
  const Architecture& a = *d.arch;
  Setup s;
  s.rule = &rule_of(e.choice("engine_version"));
  const Rule& r = *s.rule;
  s.fraction = e.number("cuda_memory_fraction");
  s.wiggle = e.number("tgi_wiggle_room", r.wiggle);
  s.all_logits = r.all_token_logits || e.boolean("enable_prefill_logprobs");
  choose_block(d, s);
  const I64 positions = a.max_position_embeddings > 0 ? std::min<I64>(a.max_position_embeddings, 4096) : 4096;
  if (r.prefill == Prefill::v1) {  // clap defaults of v1.x
    s.max_input = 1024, s.max_total = 2048, s.prefill = 4096, s.prefill_why = Msg::tgi_assume_prefill_v1;
  } else if (r.prefill == Prefill::v2) {  // min(max_position_embeddings, 4096): input one less, prefill input + 50
    s.max_total = positions, s.max_input = positions - 1, s.prefill_why = Msg::tgi_assume_prefill_v2;
  }
  s.max_input = e.integer("max_input_tokens", s.max_input);
  s.max_total = e.integer("max_total_tokens", s.max_total);
  if (r.prefill == Prefill::v2) s.prefill = s.max_input + 50;
  if (r.prefill == Prefill::v3) s.prefill = v3_prefill(d, s.fraction, &s.prefill_why);
  if (e.given("max_batch_prefill_tokens")) {
    s.prefill = e.integer("max_batch_prefill_tokens");
    s.prefill_why = Msg::tgi_assume_prefill_given;
  }
  // Client::warmup: requests of max_input_tokens until the prefill budget (v3 without max_input_tokens: one request).
  const I64 per_request = s.max_input > 0 ? std::min(s.max_input, s.prefill) : s.prefill;
  s.requests = ceil_div(s.prefill, per_request);
  s.last_request = s.prefill - (s.requests - 1) * per_request;
  // Each request reserves ceil((prompt + max_new_tokens - 1) / BLOCK_SIZE) blocks, max_new_tokens = max_total_tokens
  // - prompt when the total is known, else 1.
  auto blocks_for = [&](I64 prompt) {
    const I64 span = s.max_total > 0 ? std::max(prompt, s.max_total - 1) : prompt;
    return ceil_div(span, s.block);
  };
  s.warm_blocks = (s.requests - 1) * blocks_for(per_request) + blocks_for(s.last_request);
  return s;
}

// TGI's cache: every layer, K and V of each KV head on this shard (MQA replicated), at head_size; DeepSeek V2/V3
// get no MLA compression (models/__init__.py: head_size max(qk_nope_dim 128 + qk_rope_dim 64, v_head_dim) from keys
// the configs do not have, so 192, for all num_key_value_heads).
I64 kv_bytes_per_token(const Deployment& d, I64 layers) {
  const Architecture& a = *d.arch;
  const KvDtype& kv = d.in->kv;
  const I64 heads = a.is_mla() ? a.num_heads : a.num_kv_heads;
  const I64 heads_shard = heads > 1 ? std::max<I64>(1, heads / d.tp) : heads;
  const I64 head = a.is_mla() ? std::max<I64>(192, a.v_head_dim) : a.head_dim;
  return layers * heads_shard * head * 2 * kv.block_bytes / kv.block_elems;
}

// Torch's reserved peak of the warm-up prefill: the forward's activations and the logits (with prefill logprobs:
// [tokens, vocab] from lm_head, its log_softmax, and the [tokens, vocab / shards] local slice when sharded).
I64 warmup_peak(const Deployment& d, const Setup& s, I64* logits_out) {
  const Architecture& a = *d.arch;
  const I64 el = element_bytes_16bit(a);
  const I64 rows = s.all_logits ? s.prefill : s.requests;
  I64 logits = 2 * rows * a.vocab_size * el;
  if (d.tp > 1) logits += rows * ceil_div(a.vocab_size, d.tp) * el;
  *logits_out = logits;
  return s.prefill * activation_bytes_per_token(a, d.tp) + logits;
}

Expected<EngineOutcome> run_tgi(const Deployment& d) {
  const EstimateInput& in = *d.in;
  const EngineOptions& e = d.options;
  auto gpu_total = runtime_total(d, "TGI");
  if (!gpu_total) return gpu_total.error();
  const double total = gpu_total->bytes;
  const Setup s = read_setup(d);
  const Rule& r = *s.rule;
  const I64 context = e.integer("cuda_context_bytes") + (d.tp * d.pp > 1 ? e.integer("nccl_bytes") : 0);
  I64 logits = 0;
  const I64 peak = warmup_peak(d, s, &logits);
  EngineOutcome out;
  I64 min_blocks = -1;
  for (I64 st = 0; st < d.pp; ++st) {
    const auto [first, last] = d.ranges[static_cast<std::size_t>(st)];
    const I64 per_token = kv_bytes_per_token(d, last - first);
    const I64 block_bytes = per_token * s.block;
    const I64 weights = d.stage_weights[static_cast<std::size_t>(st)];
    // mem_get_info right after the warm-up: everything above is still held.
    const double free_now = total - static_cast<double>(weights + context + peak + s.warm_blocks * block_bytes);
    const double usable = r.wiggle_of_total ? std::max(0.0, free_now - (1 - s.fraction * s.wiggle) * total)
                                            : s.wiggle * std::max(0.0, free_now - (1 - s.fraction) * total);
    const I64 blocks =
        block_bytes > 0 ? static_cast<I64>(usable / static_cast<double>(block_bytes)) + s.warm_blocks : 0;
    if (min_blocks < 0 || blocks < min_blocks) min_blocks = blocks;
    StageOutcome so;
    auto& u = so.usage;
    u.pp_stage = static_cast<int>(st);
    u.weights = weights;
    u.kv_cache = blocks * block_bytes;
    u.activations = peak;
    u.overhead = context;
    so.items.push_back({"weights", Text(Msg::pool_item_weights), weights, d.weights_explain});
    if (d.explain)
      so.items.push_back({"kv_cache", Text(Msg::pool_item_kv_pool), u.kv_cache,
                          Text(r.wiggle_of_total ? Msg::tgi_explain_kv_v3 : Msg::tgi_explain_kv)
                              .integer("total", static_cast<I64>(total))
                              .integer("free", static_cast<I64>(std::max(0.0, free_now)))
                              .number("fraction", s.fraction)
                              .number("wiggle", s.wiggle)
                              .integer("block_bytes", block_bytes)
                              .integer("warm_blocks", s.warm_blocks)
                              .integer("blocks", blocks)
                              .integer("block", s.block)});
    if (d.explain)
      so.items.push_back({"activations", Text(Msg::tgi_item_warmup), peak,
                          Text(Msg::tgi_explain_warmup)
                              .integer("tokens", s.prefill)
                              .text("per_token", activation_per_token_explain(*d.arch, d.tp))
                              .integer("logits", logits)
                              .integer("rows", s.all_logits ? s.prefill : s.requests)});
    so.items.push_back({"overhead.cuda_context", Text(Msg::pool_item_cuda_context), context,
                        Text(Msg::tgi_explain_context).integer("bytes", context)});
    out.stages.push_back(std::move(so));
  }
  const I64 tokens = std::max<I64>(0, min_blocks) * s.block;
  EngineReport& report = out.report;
  report.engine = "tgi";
  report.str("engine_version", r.id)
      .str("engine_rule", std::string("TGI ") + r.releases)
      .integer("max_batch_total_tokens", tokens)
      .integer("kv_cache_blocks", std::max<I64>(0, min_blocks))
      .integer("block_size", s.block)
      .integer("max_batch_prefill_tokens", s.prefill)
      .integer("warmup_peak_bytes", peak)
      .number("wiggle_room", s.wiggle);
  if (r.backend_blocks)
    report.log_lines.push_back("KV-cache blocks: " + std::to_string(std::max<I64>(0, min_blocks)) +
                               ", size: " + std::to_string(s.block));
  report.log_lines.push_back("Setting max batch total tokens to " + std::to_string(tokens));
  report.pool_sequences = tokens / std::max<I64>(1, in.context_tokens);
  out.has_fit = true;
  // The router refuses to start when max_total_tokens (v3: or the prefill budget) exceeds the pool.
  out.fits = tokens >= in.context_tokens * d.seqs && tokens >= std::max<I64>(s.max_total, 0) &&
             (r.prefill != Prefill::v3 || tokens >= s.prefill);
  out.verdict = Text(out.fits ? Msg::pool_verdict_fits : Msg::pool_verdict_no_fit)
                    .integer("count", in.count)
                    .str("gpu", in.gpu.name)
                    .str("engine", "TGI")
                    .integer("tokens", tokens)
                    .integer("needed", in.context_tokens * d.seqs);
  out.assumptions = {
      {"engine_version", r.id, Text(Msg::tgi_assume_engine).str("releases", r.releases)},
      gpu_total->assumption,
      {"tgi_wiggle_room", fmt_num(s.wiggle, 2), Text(Msg::tgi_assume_wiggle)},
      {"block_size", fmt_int(s.block), Text(s.block_why)},
      {"max_batch_prefill_tokens", fmt_int(s.prefill), Text(s.prefill_why)},
      {"cuda_context_bytes", fmt_gib(static_cast<double>(context)), Text(Msg::tgi_assume_context)},
  };
  return out;
}

// `text-generation-launcher` (launcher/src/main.rs): shards = tensor parallelism, no pipeline parallelism;
// replicas are separate launchers on their own GPUs. Its FP8 KV dtype is spelled fp8_e4m3fn.
std::string launch_tgi(const LaunchRequest& r) {
  if (r.pp > 1) return std::string();
  const CheckpointChoice ck = checkpoint_for(r, true, true);
  std::string c = "text-generation-launcher --model-id " + ck.model + " --num-shard " + std::to_string(r.tp);
  if (ck.quantize == "fp8") c += " --quantize fp8";
  if (ck.quantize == "bitsandbytes")
    c += r.format.id == "fp4" ? " --quantize bitsandbytes-fp4" : " --quantize bitsandbytes-nf4";
  if (!r.kv_auto) c += " --kv-cache-dtype " + std::string(r.kv.id == "fp8_e5m2" ? "fp8_e5m2" : "fp8_e4m3fn");
  c += " --max-input-tokens " + std::to_string(std::max<I64>(1, r.prompt_tokens)) + " --max-total-tokens " +
       std::to_string(r.max_len) + " --max-concurrent-requests " + std::to_string(r.sequences);
  if (r.replicas > 1) c += "   # x " + std::to_string(r.replicas) + " launchers on separate GPUs";
  return c;
}

}  // namespace

const EngineProfile kTgiProfile{
    "tgi",
    "TGI",
    "text-generation-inference",
    Msg::engine_tgi,
    /*splits_heads=*/true,
    /*layer_split_default=*/false,
    "auto|fp8|fp8_e4m3|fp8_e5m2",
    "bf16|fp8|gptq-int8|awq-int4|gptq-int4|nf4",
    span_of(kOptions),
    run_tgi,
    launch_tgi,
    /*fp32_checkpoints_in_16bit=*/true,
};

}  // namespace vramplan
