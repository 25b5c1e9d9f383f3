#include "families.hpp"

#include <cctype>
#include <string_view>

namespace vramplan::import {
namespace {

using RC = RouterCorrection;
using SL = SlidingLayout;

constexpr const char* kGemma3TextDefaults =
    R"({"vocab_size": 262208, "hidden_size": 2304, "intermediate_size": 9216, "num_hidden_layers": 26,
        "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 256, "max_position_embeddings": 131072,
        "sliding_window": 4096, "sliding_window_pattern": 6, "tie_word_embeddings": true,
        "rope_local_base_freq": 10000.0})";

constexpr std::uint32_t kGemma4 =
    kQkNorm | kTiedByDefault | kLayerScalar | kRouterScales | kPerLayerInputs | kKvSharing;

constexpr const char* kNemotronHDefaults = R"({"mamba_ssm_cache_dtype": "float32"})";

// model_type, traits, norms per layer, router correction bias, sliding-window layout, defaults.
const Family kFamilies[] = {
    {"llama", 0, 2, RC::never, SL::every_layer, nullptr},
    {"mistral", 0, 2, RC::never, SL::every_layer, nullptr},
    // ERNIE-4.5 MoE (modeling_ernie4_5_moe.py): shared experts moe_num_shared_experts x moe_intermediate_size wide,
    // the router's e_score_correction_bias (moe_statics), tied embeddings by default.
    {"ernie4_5_moe", kTiedByDefault, 2, RC::always, SL::every_layer, nullptr},
    // Seed-OSS (modeling_seed_oss.py): Llama's tensors; attention_bias puts biases on q/k/v only, the output
    // projection's bias is attention_out_bias.
    {"seed_oss", kONeverBiased, 2, RC::never, SL::every_layer, nullptr},
    // Granite 3.x (modeling_granite.py): Llama's tensors; its multipliers scale activations only.
    {"granite", 0, 2, RC::never, SL::every_layer, nullptr},
    {"mixtral", kBlockSparseMoe, 2, RC::never, SL::every_layer, nullptr},
    {"mistral3", 0, 2, RC::never, SL::every_layer, nullptr},
    {"qwen2", kQkvBias | kONeverBiased, 2, RC::never, SL::opt_in, nullptr},
    {"qwen2_moe", kQkvBias | kONeverBiased | kSharedExpertGate, 2, RC::never, SL::opt_in, nullptr},
    {"qwen3", kQkNorm, 2, RC::never, SL::opt_in, nullptr},
    {"qwen3_moe", kQkNorm, 2, RC::never, SL::opt_in, nullptr},
    {"qwen3_next", kQkNorm | kSharedExpertGate | kOutputGate | kMtpSharesEmbeddings, 2, RC::never, SL::opt_in, nullptr},
    {"gemma", kTiedByDefault, 2, RC::never, SL::every_layer, nullptr},
    {"gemma2", kTiedByDefault, 4, RC::never, SL::even_layers, nullptr},
    {"gemma3_text", kQkNorm | kTiedByDefault, 4, RC::never, SL::pattern, kGemma3TextDefaults},
    {"gemma3", kQkNorm | kTiedByDefault, 4, RC::never, SL::pattern, nullptr},
    // Gemma 4 (modeling_gemma4.py): per-layer geometry, PLE, KV sharing and the MoE block come from the config.
    {"gemma4_text", kGemma4, 4, RC::never, SL::pattern, nullptr},
    {"gemma4", kGemma4, 4, RC::never, SL::pattern, nullptr},
    {"phi3", 0, 2, RC::never, SL::every_layer, nullptr},
    {"phi", kQkvBias | kOAlwaysBiased | kLayerNormBias | kUngatedMlp | kMlpBias, 1, RC::never, SL::every_layer,
     nullptr},
    {"glm", kQkvBias | kONeverBiased, 2, RC::never, SL::every_layer, nullptr},
    {"glm4", kQkvBias | kONeverBiased, 4, RC::never, SL::every_layer, nullptr},
    {"glm4_moe", kQkvBias | kONeverBiased, 2, RC::always, SL::every_layer, nullptr},
    {"deepseek_v2", 0, 2, RC::noaux_tc, SL::every_layer, nullptr},
    {"deepseek_v3", 0, 2, RC::noaux_tc, SL::every_layer, nullptr},
    {"kimi_k2", 0, 2, RC::noaux_tc, SL::every_layer, nullptr},
    {"gpt_oss", kAttentionSinks | kRouterBias | kExpertBias | kRopeFp32, 2, RC::never, SL::every_layer, nullptr},
    {"llama4_text", kSharedExpertIsDense, 2, RC::never, SL::rope_chunks, nullptr},
    {"llama4", kSharedExpertIsDense, 2, RC::never, SL::rope_chunks, nullptr},
    {"olmo2", kQkNorm | kQkNormFull, 2, RC::never, SL::every_layer, nullptr},
    {"internlm2", 0, 2, RC::never, SL::every_layer, nullptr},
    {"yi", 0, 2, RC::never, SL::every_layer, nullptr},
    // Hybrids: the schedule comes from the config (hybrid_override_pattern, layer_types ...).
    // Nemotron-H: one norm per block, relu2 MLPs and experts (up + down); vLLM keeps the SSM state in float32
    // when the config does not say (model_executor/models/config.py NemotronHForCausalLMConfig); the HF totals of
    // Nemotron-3 (31,577,937,344 Nano) count no e_score_correction_bias.
    // Its MTP module (Nemotron-3) reuses the model's embedding and head (nemotron_h_mtp.py).
    {"nemotron_h", kUngatedMlp | kMtpSharesEmbeddings | kNoRope, 1, RC::never, SL::every_layer, kNemotronHDefaults},
    {"granitemoehybrid", kTiedByDefault, 2, RC::never, SL::every_layer, nullptr},
    {"falcon_h1", kParallelMamba, 2, RC::never, SL::every_layer, nullptr},
    {"jamba", kNoRope, 2, RC::never, SL::every_layer, nullptr},
    {"lfm2", kQkNorm | kTiedByDefault, 2, RC::never, SL::every_layer, nullptr},
    {"lfm2_moe", kQkNorm | kTiedByDefault, 2, RC::never, SL::every_layer, nullptr},
    {"nemotron-nas", 0, 2, RC::never, SL::every_layer, nullptr},
    {"kimi_linear", 0, 2, RC::always, SL::every_layer, nullptr},
    {"deepseek_v32", 0, 2, RC::noaux_tc, SL::every_layer, nullptr},
    {"deepseek_v4", kDeepseekV4, 2, RC::noaux_tc, SL::every_layer, nullptr},
    {"deepseek_ref", kDeepseekV4, 2, RC::noaux_tc, SL::every_layer, nullptr},  // SGLang's copies of DeepSeek-V4
    // GLM-5's MTP layer stores no embedding or head of its own: the published total of zai-org/GLM-5
    // (753,864,139,008) is the count with them less exactly 2 x vocab x hidden.
    {"glm_moe_dsa", kMtpSharesEmbeddings, 2, RC::always, SL::every_layer, nullptr},
    {"glm4_moe_lite", 0, 2, RC::always, SL::every_layer, nullptr},
    {"qwen3_5_text", kQkNorm | kOutputGate | kMtpSharesEmbeddings, 2, RC::never, SL::opt_in, nullptr},
    {"qwen3_5_moe_text", kQkNorm | kSharedExpertGate | kOutputGate | kMtpSharesEmbeddings, 2, RC::never, SL::opt_in,
     nullptr},
    {"qwen3_vl_text", kQkNorm, 2, RC::never, SL::opt_in, nullptr},
    {"qwen3_vl_moe_text", kQkNorm, 2, RC::never, SL::opt_in, nullptr},
    {"minimax_m2", kQkNorm | kQkNormFull | kBlockSparseMoe, 2, RC::never, SL::every_layer, nullptr},
    {"mimo_v2_flash", 0, 2, RC::noaux_tc, SL::every_layer, nullptr},
    // Llama 3.2 Vision: cross_attention_layers, the vision tower (import/vision.cpp), 8 extra embedding rows.
    {"mllama", kImageTokenRows, 2, RC::never, SL::every_layer, nullptr},
    {"mllama_text_model", kImageTokenRows, 2, RC::never, SL::every_layer, nullptr},
    // Text models of vision-language checkpoints (their towers: import/vision.cpp).
    {"qwen2_5_vl", kQkvBias | kONeverBiased, 2, RC::never, SL::opt_in, nullptr},
    {"qwen2_5_vl_text", kQkvBias | kONeverBiased, 2, RC::never, SL::opt_in, nullptr},
    {"glm4v_text", kQkvBias | kONeverBiased, 4, RC::never, SL::every_layer, nullptr},
    {"glm4v_moe_text", kQkvBias | kONeverBiased, 2, RC::always, SL::every_layer, nullptr},
};

const Family kGeneric{"", 0, 2, RC::never, SL::every_layer, nullptr};

}  // namespace

const Family& find_family(const std::string& model_type, bool* known) {
  for (const auto& f : kFamilies)
    if (model_type == f.model_type) {
      *known = true;
      return f;
    }
  *known = false;
  return kGeneric;
}

namespace {

std::string squashed(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '_' && c != '-') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string model_type_of_class(const std::string& architecture) {
  std::string_view name = architecture;
  for (std::string_view suffix : {"ForConditionalGeneration", "ForCausalLM", "LMHeadModel", "Model"})
    if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix) {
      name.remove_suffix(suffix.size());
      break;
    }
  const std::string key = squashed(name);
  for (const auto& f : kFamilies)
    if (squashed(f.model_type) == key) return f.model_type;
  return "";
}

}  // namespace vramplan::import
