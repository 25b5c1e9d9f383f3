#pragma once
// GGUF / ggml storage types and llama.cpp's per-tensor choice of type for each "ftype" mix
// (Q4_K_M and friends), as llama-quantize makes it.
#include <cstdint>
#include <string>
#include <string_view>

namespace vramplan::gguf {

struct TypeInfo {
  const char* name;  // "Q4_K", "Q8_0", "F16" ... (upper case, as llama.cpp prints them)
  int block_elems;   // values per block
  int block_bytes;   // bytes per block
};

// A ggml type by name, case-insensitive ("q4_k", "Q4_K", "f16", "bf16", "mxfp4"); nullptr if unknown.
const TypeInfo* find_type(std::string_view name);

// Bytes of one row of `n` values; llama.cpp requires n % block_elems == 0 (callers check with row_fits).
std::int64_t row_bytes(const TypeInfo& type, std::int64_t n);
bool row_fits(const TypeInfo& type, std::int64_t n);

// Facts about the model that llama.cpp's mix rules read.
struct MixContext {
  std::int64_t n_layer = 0;  // decoder layers
  std::int64_t n_head = 0;
  std::int64_t n_head_kv = 0;  // n_gqa = n_head / n_head_kv
  std::int64_t n_expert = 0;   // 0 for dense models
  bool has_output = true;      // false when lm_head is tied to token_embd
  bool is_70b_class = false;   // llama.cpp's LLM_TYPE_70B (used by a few rules)
  bool has_imatrix = false;    // quantized with --imatrix (changes Q4_0/Q5_0/IQ4_*/IQ3_XXS picks);
                               // mixes that cannot be made without one assume it regardless
};

// The type most tensors of a file type get (llama_ftype_get_default_type: Q4_K_M -> Q4_K, IQ2_M -> IQ2_S), or
// the ggml type itself when `name` names one ("MXFP4"); nullptr if neither.
const TypeInfo* default_type(std::string_view ftype_or_type);

// Is `name` a llama.cpp file type such as "Q4_K_M", "Q8_0", "IQ4_XS", "F16" (case-insensitive)?
bool is_ftype(std::string_view name);

// The type llama-quantize writes for one tensor.
//   ftype: "Q4_K_M" etc.; role: llama.cpp's tensor base name ("token_embd", "output", "attn_v",
//   "ffn_down", "ffn_down_exps", "attn_kv_b" ...); layer: decoder layer index (-1 outside layers);
//   rows/cols: the 2-D shape (cols = the row length llama.cpp quantizes along).
// 1-D tensors (norms, biases) are F32. When cols is not a multiple of the chosen type's block size,
// llama.cpp falls back to a compatible type, and so does this.
const TypeInfo& tensor_type(std::string_view ftype, std::string_view role, int layer, std::int64_t rows,
                            std::int64_t cols, const MixContext& ctx);

}  // namespace vramplan::gguf
