#pragma once
// Private to the importer: what each model family's modeling file does that its config.json does not
// say. One row per HuggingFace model_type; the readers in config.cpp branch on these columns only.
#include <cstdint>
#include <string>

namespace vramplan::import {

// Which small tensors and layout rules a family has. Values from each transformers modeling_*.py.
enum Trait : std::uint32_t {
  kQkvBias = 1u << 0,               // q/k/v carry a bias even without attention_bias (Qwen2, GLM, Phi)
  kONeverBiased = 1u << 1,          // o_proj has no bias whatever attention_bias says (Qwen2, GLM)
  kOAlwaysBiased = 1u << 2,         // o_proj always has a bias (Phi)
  kQkNorm = 1u << 3,                // per-head RMSNorm on q and k (Qwen3, Gemma 3, OLMo 2)
  kQkNormFull = 1u << 4,            // ... over the whole projection rather than per head (OLMo 2)
  kTiedByDefault = 1u << 5,         // tie_word_embeddings defaults to true (Gemma)
  kLayerNormBias = 1u << 6,         // LayerNorm with a bias instead of RMSNorm (Phi)
  kUngatedMlp = 1u << 7,            // up + down only (Phi's fc1/fc2, Nemotron-H's relu2 MLP)
  kAttentionSinks = 1u << 8,        // a learned sink logit per head (gpt-oss)
  kRouterBias = 1u << 9,            // the router has a bias (gpt-oss)
  kExpertBias = 1u << 10,           // expert projections have biases (gpt-oss)
  kSharedExpertGate = 1u << 11,     // a sigmoid gate on the shared expert (Qwen2-MoE, Qwen3-Next)
  kSharedExpertIsDense = 1u << 12,  // one shared expert as wide as intermediate_size; the dense layers use
                                    // intermediate_size_mlp (Llama 4)
  kOutputGate = 1u << 13,           // q_proj also emits a per-head sigmoid output gate (Qwen3-Next)
  kMtpSharesEmbeddings = 1u << 14,  // MTP modules reuse the model's embedding and head (Qwen3-Next)
  kParallelMamba = 1u << 15,        // every layer runs attention and Mamba-2 side by side (Falcon-H1)
  kMlpBias = 1u << 16,              // MLP projections carry biases (Phi's fc1/fc2)
  kLayerScalar = 1u << 17,          // a learned scalar per layer (Gemma 4 layer_scalar)
  kRouterScales = 1u << 18,         // experts only with enable_moe_block, beside the dense MLP; the router has
                                    // a scale per hidden channel and per expert (Gemma 4)
  kPerLayerInputs = 1u << 19,       // hidden_size_per_layer_input: per-layer input embeddings (Gemma 4 PLE)
  kKvSharing = 1u << 20,            // num_kv_shared_layers: the last layers reuse earlier K/V (Gemma 4)
  kBlockSparseMoe = 1u << 21,       // the MoE module is block_sparse_moe, its experts' projections w1 (gate),
                                    // w3 (up), w2 (down): how quantization configs name them (Mixtral, MiniMax)
  kDeepseekV4 = 1u << 22,           // DeepSeek-V4 attention (sliding window + compressed KV), hyper-connections,
                                    // hash-routed first layers (vLLM models/deepseek_v4.py)
  kImageTokenRows = 1u << 23,       // 8 embedding rows beyond vocab_size for image tokens (MllamaTextModel)
  kRopeFp32 = 1u << 24,             // vLLM builds the rotary table in fp32 (models/gpt_oss.py get_rope dtype)
  kNoRope = 1u << 25,               // no rotary embeddings (ALiBi or learned positions)
};

// Where the config's sliding_window applies (when it has no layer_types list).
enum class SlidingLayout {
  every_layer,  // Mistral: every layer slides
  opt_in,       // Qwen: only with use_sliding_window, and not below max_window_layers
  even_layers,  // Gemma 2: layers 0, 2, 4 ... slide, the others are global
  pattern,      // Gemma 3: every sliding_window_pattern-th layer is global, the rest slide
  rope_chunks,  // Llama 4: the RoPE layers (no_rope_layers[i] == 1) attend within attention_chunk_size
};

// When DeepSeek-V3's e_score_correction_bias exists.
enum class RouterCorrection { never, noaux_tc, always };

struct Family {
  const char* model_type;
  std::uint32_t traits;
  int norms_per_layer;  // Gemma 2/3 and GLM-4 have 4 (pre/post attention and MLP), Phi 1
  RouterCorrection router_correction;
  SlidingLayout sliding;
  // Keys transformers fills in when a (nested) config omits them: configuration_*.py defaults.
  const char* defaults_json;

  bool has(Trait t) const { return (traits & t) != 0; }
};

// The family of a model_type; a generic Llama-like row for types not in the table.
const Family& find_family(const std::string& model_type, bool* known);

// The model_type of the family whose HF class an `architectures` entry names ("Gemma2ForCausalLM" -> "gemma2"):
// the class without its head suffix, compared with the model_type without underscores, dashes and case. Empty
// when no row matches.
std::string model_type_of_class(const std::string& architecture);

}  // namespace vramplan::import
