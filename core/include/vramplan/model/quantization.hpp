#pragma once
// A checkpoint's own quantisation as its quantization_config (or ModelOpt's hf_quant_config.json) declares it:
// the schemes its weights are stored in, the modules each scheme covers, and the modules left in 16 bits.
// The importer fills this (import/quantization.cpp); formats/quantization.cpp decides, module by module and
// layer by layer, which scheme stores a tensor, with the matching rule of the engine's loader for the method.
#include <cstdint>
#include <string>
#include <vector>

namespace vramplan {

// How one scheme stores a weight matrix.
enum class QuantStorage : std::uint8_t {
  int_grouped,   // packed ints + a 16-bit scale per group (or per output channel), zero points unless symmetric
  int8_channel,  // W8A8 int8 + an fp32 scale per output channel
  fp8,           // e4m3 + fp32 scale per tensor, per output channel or per block
  nvfp4,         // e2m1 + an e4m3 scale per 16 + fp32 tensor scales
  mxfp4,         // e2m1 + an e8m0 scale per 32
  nf4,           // bitsandbytes 4-bit
  int8_bnb,      // bitsandbytes LLM.int8(): int8 + fp32 scale per row
};

struct QuantScheme {
  QuantStorage storage = QuantStorage::int_grouped;
  int bits = 4;
  int group_size = 0;  // int_grouped: values per scale along the input; 0 = one per output channel
  int block_rows = 0;  // fp8 block scales (0: per tensor unless per_channel)
  int block_cols = 0;
  bool per_channel = false;      // fp8: one scale per output row
  bool symmetric = true;         // int_grouped: no zero points
  bool act_order_index = false;  // int_grouped: a g_idx (int32 per input feature) is stored
  bool double_quant = false;     // nf4: nested absmax quantisation
  // compressed-tensors: module names, "re:" regexes or layer class names ("Linear") this scheme targets.
  std::vector<std::string> targets;
};

// Which loader rule decides that a module is left out (vLLM's, per method; see formats/quantization.cpp).
enum class ExclusionRule : std::uint8_t {
  none,
  exact_or_regex,  // compressed-tensors should_ignore_layer: name == entry, or "re:" + re.match
  exact,           // quant_utils.is_layer_skipped: the module name is in the list (fp8, fbgemm_fp8, mxfp4)
  substring,       // awq.is_layer_skipped_awq: an entry is a substring of the module name
  bnb_components,  // bitsandbytes.is_layer_skipped_bnb: an entry equals a dotted component or a leading path
  modelopt,        // modelopt is_layer_excluded: exact, substring, or fnmatch wildcard
};

// GPTQ `dynamic`: per-module overrides; "-:" excludes, "+:" (or no prefix) overrides bits / group_size / desc_act.
struct DynamicOverride {
  std::string pattern;  // the regex, without its "+:" / "-:" prefix
  bool exclude = false;
  int bits = 0;
  int group_size = 0;  // 0: not overridden (-1 per channel is stored as -1)
  int desc_act = -1;   // -1: not overridden
};

struct QuantizationConfig {
  std::string
      method;  // "", "gptq", "awq", "fp8", "fbgemm_fp8", "mxfp4", "bitsandbytes", "compressed-tensors", "modelopt"
  int bits = 0;
  int group_size = 0;  // GPTQ/AWQ group size along the input dimension (-1 = per channel)
  int block_rows = 0;  // FP8 block scales (DeepSeek: 128 x 128)
  int block_cols = 0;
  bool desc_act = false;
  std::vector<std::string> modules_not_converted;  // the exclusion list as the checkpoint writes it

  // The full reading. Empty `schemes` with a non-empty method: a method the tool does not model (a warning
  // says so and the weights count as 16-bit).
  std::vector<QuantScheme> schemes;  // compressed-tensors: config_groups in order; others: one scheme
  ExclusionRule exclusion = ExclusionRule::none;
  std::vector<DynamicOverride> dynamic;  // GPTQ
  bool only_experts = false;             // mxfp4 in vLLM: linear layers stay 16-bit, only the MoE experts are MXFP4
  int experts_scheme = -1;  // the scheme the routed experts use when not the first (DeepSeek-V4 expert_dtype fp4)
  bool lm_head_quantized = false;  // GPTQ lm_head: true / ModelOpt (quantises the head unless excluded)
  std::string kv_cache_dtype;      // "fp8" when the checkpoint declares an FP8 KV cache scheme
  bool kv_cache_auto = false;      // vLLM's kv_cache_dtype "auto" takes kv_cache_dtype (ModelOpt only)
};

}  // namespace vramplan
