// GGUF / ggml storage types and llama-quantize's per-tensor type choice.
//
// Sources (read, not copied; the rules below are re-written from the facts):
//   * ggml/src/ggml-common.h, ggml-org/llama.cpp @ 01243c587feceaa5d6a6c2305535ef2f549c48b8:
//     the block_* structs and their static_asserts give each type's values per block and bytes.
//   * src/llama-quant.cpp, ggml-org/llama.cpp @ 007dbbf3fd17eefe9b47fee45f48f7ba5e62b714:
//     tensor_allows_quantization, tensor_get_category, llama_tensor_get_type_impl (and its
//     use_more_bits / layer_info helpers, the i_attention_wv / i_ffn_* counters),
//     tensor_type_fallback, llama_ftype_get_default_type, tensor_requires_imatrix.
//   * src/llama-model-loader.h @ 01b75d6a104417dc995d8beb6761254624e7f478: weights_map is sorted
//     by layer number (weight_name_comparer), so the counters see layer 0's tensors first.
//   * tools/quantize/quantize.cpp @ 03161a4eb9a2ec66ef97789f347c5a28279f06ea: QUANT_OPTIONS (the
//     ftype names and the Q3_K / Q4_K / Q5_K aliases).
//   * convert_hf_to_gguf.py (same repository): which never-quantized 2-D tensors are stored F32.
//
// Assumptions where MixContext lacks what llama.cpp reads (each is llama-quantize's default or the
// common case):
//   * architecture is not Falcon (the Falcon-only branches are left out);
//   * no --pure, no --tensor-type / --output-tensor-type / --token-embedding-type overrides,
//     --leave-output-tensor not given (output.weight is quantized);
//   * i_attention_wv == layer and n_attention_wv == n_layer: every decoder layer holds exactly one
//     attn_v-like tensor (attn_v, attn_qkv or attn_kv_b). Hybrid models whose attention sits in only
//     some layers count attention layers instead; that is not modelled.
//   * the IQ1/IQ2 mixes test ffn_down with the raw counter i_ffn_down (not the layer from the name);
//     with one ffn_down-like tensor per layer that equals the layer index, which is what is used.
//     MoE models that also carry ffn_down_shexp advance the counter twice per layer, so in those
//     mixes llama.cpp bumps fewer layers than this does (small size difference).
//   * importance matrix: MixContext::has_imatrix (default false, llama-quantize's default). Mixes
//     that llama-quantize refuses to make without an imatrix (IQ1_*, IQ2_*, IQ3_XXS, IQ3_XS, Q2_K_S)
//     are computed as if one was given, since no file of that kind exists otherwise.
//   * where llama.cpp would throw ("no tensor type fallback is defined"), e.g. Q8_0 on a row that is
//     not a multiple of 32, this returns F16 (the type llama.cpp uses when its own fallback fails).
//   * never-quantized 2-D tensors keep their converted type: F32 for those convert_hf_to_gguf.py
//     always writes F32 (router ffn_gate_inp, position embeddings, token types, ssm_conv1d, ...),
//     otherwise the float type of the source GGUF, taken as F16 (or the ftype's own type for the
//     F32 / F16 / BF16 file types).
//   * MXFP4_MOE sends 3-D tensors (ne[2] > 1) to MXFP4: taken to be the merged experts (roles with
//     "_exps") and MLA's per-head attn_k_b / attn_v_b, which llama.cpp also stores 3-D.
//   * an ftype string that is not a file type but names a ggml type (e.g. "MXFP4", "Q8_K") gives
//     every quantizable tensor that type, as --pure would; an unknown string gives F16.
#include "vramplan/formats/gguf.hpp"

#include <cstddef>
#include <string>
#include <vector>

#include "vramplan/common/strings.hpp"

namespace vramplan::gguf {
namespace {

enum class T : int {
  F32,
  F16,
  BF16,
  Q4_0,
  Q4_1,
  Q5_0,
  Q5_1,
  Q8_0,
  Q8_1,
  Q2_K,
  Q3_K,
  Q4_K,
  Q5_K,
  Q6_K,
  Q8_K,
  IQ1_S,
  IQ1_M,
  IQ2_XXS,
  IQ2_XS,
  IQ2_S,
  IQ3_XXS,
  IQ3_S,
  IQ4_NL,
  IQ4_XS,
  TQ1_0,
  TQ2_0,
  MXFP4,
  COUNT
};

// Indexed by T. Sizes from the static_asserts in ggml-common.h (QK_K = 256).
constexpr TypeInfo kTypes[] = {
    {"F32", 1, 4},         // float
    {"F16", 1, 2},         // ggml_half
    {"BF16", 1, 2},        // ggml_bf16_t
    {"Q4_0", 32, 18},      // d + 16 nibble bytes
    {"Q4_1", 32, 20},      // d, m + 16
    {"Q5_0", 32, 22},      // d + qh[4] + 16
    {"Q5_1", 32, 24},      // d, m + qh[4] + 16
    {"Q8_0", 32, 34},      // d + 32
    {"Q8_1", 32, 36},      // d, s + 32
    {"Q2_K", 256, 84},     // 2 halves + 16 scales + 64 quants
    {"Q3_K", 256, 110},    // half + 64 + 32 + 12
    {"Q4_K", 256, 144},    // 2 halves + 12 + 128
    {"Q5_K", 256, 176},    // 2 halves + 12 + 128 + 32
    {"Q6_K", 256, 210},    // half + 16 + 192
    {"Q8_K", 256, 292},    // float + 256 + 16 int16
    {"IQ1_S", 256, 50},    // half + 32 + 16
    {"IQ1_M", 256, 56},    // 32 + 16 + 8
    {"IQ2_XXS", 256, 66},  // half + 32 uint16
    {"IQ2_XS", 256, 74},   // half + 32 uint16 + 8
    {"IQ2_S", 256, 82},    // half + 64 + 16
    {"IQ3_XXS", 256, 98},  // half + 96
    {"IQ3_S", 256, 110},   // half + 13*8 + 4
    {"IQ4_NL", 32, 18},    // half + 16
    {"IQ4_XS", 256, 136},  // half + uint16 + 4 + 128
    {"TQ1_0", 256, 54},    // 48 + 4 + half
    {"TQ2_0", 256, 66},    // 64 + half
    {"MXFP4", 32, 17},     // e8m0 + 16
};
static_assert(sizeof(kTypes) / sizeof(kTypes[0]) == static_cast<std::size_t>(T::COUNT),
              "type table out of step with enum");

constexpr const TypeInfo& info(T t) { return kTypes[static_cast<int>(t)]; }

constexpr bool is_quantized(T t) { return t != T::F32 && t != T::F16 && t != T::BF16; }

// llama.cpp file types (LLAMA_FTYPE_MOSTLY_*), as llama-quantize names them.
enum class F : int {
  Q4_0,
  Q4_1,
  Q5_0,
  Q5_1,
  Q8_0,
  F16,
  BF16,
  F32,
  Q2_K,
  Q2_K_S,
  Q3_K_S,
  Q3_K_M,
  Q3_K_L,
  Q4_K_S,
  Q4_K_M,
  Q5_K_S,
  Q5_K_M,
  Q6_K,
  IQ2_XXS,
  IQ2_XS,
  IQ2_S,
  IQ2_M,
  IQ3_XXS,
  IQ3_XS,
  IQ3_S,
  IQ3_M,
  IQ1_S,
  IQ1_M,
  IQ4_NL,
  IQ4_XS,
  TQ1_0,
  TQ2_0,
  MXFP4_MOE
};

struct FtypeName {
  const char* name;
  F ftype;
  T default_type;  // llama_ftype_get_default_type
};

constexpr FtypeName kFtypes[] = {
    {"Q4_0", F::Q4_0, T::Q4_0},
    {"Q4_1", F::Q4_1, T::Q4_1},
    {"Q5_0", F::Q5_0, T::Q5_0},
    {"Q5_1", F::Q5_1, T::Q5_1},
    {"Q8_0", F::Q8_0, T::Q8_0},
    {"F16", F::F16, T::F16},
    {"BF16", F::BF16, T::BF16},
    {"F32", F::F32, T::F32},
    {"Q2_K", F::Q2_K, T::Q2_K},
    {"Q2_K_S", F::Q2_K_S, T::Q2_K},
    {"Q3_K_S", F::Q3_K_S, T::Q3_K},
    {"Q3_K_M", F::Q3_K_M, T::Q3_K},
    {"Q3_K_L", F::Q3_K_L, T::Q3_K},
    {"Q4_K_S", F::Q4_K_S, T::Q4_K},
    {"Q4_K_M", F::Q4_K_M, T::Q4_K},
    {"Q5_K_S", F::Q5_K_S, T::Q5_K},
    {"Q5_K_M", F::Q5_K_M, T::Q5_K},
    {"Q6_K", F::Q6_K, T::Q6_K},
    {"IQ2_XXS", F::IQ2_XXS, T::IQ2_XXS},
    {"IQ2_XS", F::IQ2_XS, T::IQ2_XS},
    {"IQ2_S", F::IQ2_S, T::IQ2_XS},  // IQ2_S files default to IQ2_XS tensors
    {"IQ2_M", F::IQ2_M, T::IQ2_S},   // IQ2_M files default to IQ2_S tensors
    {"IQ3_XXS", F::IQ3_XXS, T::IQ3_XXS},
    {"IQ3_XS", F::IQ3_XS, T::IQ3_S},
    {"IQ3_S", F::IQ3_S, T::IQ3_S},
    {"IQ3_M", F::IQ3_M, T::IQ3_S},
    {"IQ1_S", F::IQ1_S, T::IQ1_S},
    {"IQ1_M", F::IQ1_M, T::IQ1_M},
    {"IQ4_NL", F::IQ4_NL, T::IQ4_NL},
    {"IQ4_XS", F::IQ4_XS, T::IQ4_XS},
    {"TQ1_0", F::TQ1_0, T::TQ1_0},
    {"TQ2_0", F::TQ2_0, T::TQ2_0},
    {"MXFP4_MOE", F::MXFP4_MOE, T::MXFP4},
    // llama-quantize aliases
    {"Q3_K", F::Q3_K_M, T::Q3_K},
    {"Q4_K", F::Q4_K_M, T::Q4_K},
    {"Q5_K", F::Q5_K_M, T::Q5_K},
};

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

const FtypeName* find_ftype(std::string_view name) {
  for (const auto& f : kFtypes) {
    if (iequals(name, f.name)) return &f;
  }
  return nullptr;
}

// llama.cpp's broad tensor categories (tensor_get_category). llama.cpp matches substrings of the full
// name "blk.N.<role>.weight"; "<x>.weight" occurs in it exactly when the role ends with <x>.
enum class Cat {
  TOKEN_EMBD,
  ATTN_Q,
  ATTN_V,
  ATTN_K,
  ATTN_QKV,
  ATTN_KV_B,
  ATTN_OUTPUT,
  FFN_UP,
  FFN_GATE,
  FFN_DOWN,
  OUTPUT,
  OTHER
};

Cat category(std::string_view role) {
  if (role == "output") return Cat::OUTPUT;
  if (role == "token_embd" || role == "per_layer_token_embd") return Cat::TOKEN_EMBD;
  if (ends_with(role, "attn_qkv")) return Cat::ATTN_QKV;
  if (ends_with(role, "attn_kv_b")) return Cat::ATTN_KV_B;
  if (ends_with(role, "attn_v")) return Cat::ATTN_V;
  if (ends_with(role, "attn_k")) return Cat::ATTN_K;
  if (ends_with(role, "attn_q")) return Cat::ATTN_Q;
  if (ends_with(role, "attn_output")) return Cat::ATTN_OUTPUT;
  // these three match anywhere (ffn_up_exps, ffn_gate_shexp, ffn_down_exps ...), in this order
  if (contains(role, "ffn_up")) return Cat::FFN_UP;
  if (contains(role, "ffn_gate")) return Cat::FFN_GATE;
  if (contains(role, "ffn_down")) return Cat::FFN_DOWN;
  return Cat::OTHER;
}

// attn_v, the fused attn_qkv and MLA's attn_kv_b share the "more sensitive" V rules. Because
// llama.cpp tests this before its attn_qkv-only branch, that branch is never reached.
bool is_attn_v_like(Cat c) { return c == Cat::ATTN_V || c == Cat::ATTN_QKV || c == Cat::ATTN_KV_B; }

// 2-D weights that convert_hf_to_gguf.py always stores as F32.
bool converter_keeps_f32(std::string_view role) {
  return ends_with(role, "ffn_gate_inp") || role == "position_embd" || role == "token_types" ||
         contains(role, "ssm_conv1d") || ends_with(role, "shortconv.conv") || ends_with(role, "time_mix_first") ||
         ends_with(role, "time_mix_w1") || ends_with(role, "time_mix_w2") || ends_with(role, "time_mix_decay_w1") ||
         ends_with(role, "time_mix_decay_w2") || ends_with(role, "time_mix_lerp_fused") ||
         contains(role, ".position_embd");
}

// tensor_allows_quantization, for a 2-D (or 3-D expert) weight whose name ends in "weight".
bool allows_quantization(std::string_view role) {
  if (ends_with(role, "_norm")) return false;             // norms
  if (ends_with(role, "ffn_gate_inp")) return false;      // MoE router
  if (ends_with(role, "ffn_gate_tid2eid")) return false;  // token -> expert table
  if (contains(role, "altup") || contains(role, "laurel")) return false;
  if (contains(role, "per_layer_model_proj")) return false;
  if (role == "position_embd" || role == "token_types") return false;
  if (contains(role, "ssm_conv1d") || ends_with(role, "shortconv.conv")) return false;
  if (ends_with(role, "indexer.k_proj") || ends_with(role, "indexer.q_proj")) return false;
  static constexpr std::string_view kRwkv[] = {
      "time_mix_first", "time_mix_w0", "time_mix_w1",       "time_mix_w2",       "time_mix_v0",
      "time_mix_v1",    "time_mix_v2", "time_mix_a0",       "time_mix_a1",       "time_mix_a2",
      "time_mix_g1",    "time_mix_g2", "time_mix_decay_w1", "time_mix_decay_w2", "time_mix_lerp_fused"};
  for (auto r : kRwkv) {
    if (ends_with(role, r)) return false;
  }
  if (ends_with(role, "attn_rel_b")) return false;
  static constexpr std::string_view kMultimodal[] = {".position_embd", "sam.pos_embd",   "sam.neck.",
                                                     "sam.net_",       ".rel_pos",       ".patch_embd",
                                                     ".patch_merger",  "a.rvq.codebook", "mm.a.code_embd"};
  for (auto m : kMultimodal) {
    if (contains(role, m)) return false;
  }
  return true;
}

// llama.cpp's use_more_bits: the first and last eighth of the layers, and every third one between.
bool use_more_bits(std::int64_t i, std::int64_t n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

// tensor_type_fallback: a type whose block does not divide the row length.
T fallback(T t, std::int64_t cols) {
  if (cols % info(t).block_elems == 0) return t;
  T r;
  switch (t) {
    case T::IQ1_S:
    case T::IQ1_M:
    case T::IQ2_XXS:
    case T::IQ2_XS:
    case T::IQ2_S:
    case T::IQ3_XXS:
    case T::IQ3_S:
    case T::IQ4_XS:
      r = T::IQ4_NL;
      break;
    case T::Q2_K:
    case T::Q3_K:
    case T::TQ1_0:
    case T::TQ2_0:
      r = T::Q4_0;
      break;
    case T::Q4_K:
      r = T::Q5_0;
      break;
    case T::Q5_K:
      r = T::Q5_1;
      break;
    case T::Q6_K:
      r = T::Q8_0;
      break;
    default:
      return T::F16;  // llama.cpp throws here; F16 is its last-resort type
  }
  if (cols % info(r).block_elems != 0) r = T::F16;
  return r;
}

bool needs_imatrix(F f) {
  switch (f) {
    case F::IQ1_S:
    case F::IQ1_M:
    case F::IQ2_XXS:
    case F::IQ2_XS:
    case F::IQ2_S:
    case F::IQ2_M:
    case F::IQ3_XXS:
    case F::IQ3_XS:
    case F::Q2_K_S:
      return true;
    default:
      return false;
  }
}

bool is_iq1_iq2(F f) {
  return f == F::IQ2_XXS || f == F::IQ2_XS || f == F::IQ1_S || f == F::IQ2_S || f == F::IQ2_M || f == F::IQ1_M;
}

// The mix rules (llama_tensor_get_type_impl) for a quantizable tensor; `t` is the file type's
// default tensor type.
T mix(F f, T t, Cat cat, std::int64_t layer, std::int64_t cols, bool three_d, const MixContext& ctx) {
  const std::int64_t n_layer = ctx.n_layer;
  const std::int64_t n_expert = ctx.n_expert;
  const std::int64_t n_gqa = ctx.n_head_kv > 0 ? ctx.n_head / ctx.n_head_kv : 0;
  const bool imatrix = ctx.has_imatrix || needs_imatrix(f);
  const std::int64_t i = layer < 0 ? 0 : layer;  // the counters, see the header comment

  const bool tied_embd = !ctx.has_output && cat == Cat::TOKEN_EMBD;
  if (cat == Cat::OUTPUT || tied_embd) {
    if (f == F::MXFP4_MOE) return T::Q8_0;
    if (cols % info(t).block_elems != 0) return T::Q8_0;
    if (f == F::IQ2_XXS || f == F::IQ2_XS || f == F::IQ3_XXS || f == F::IQ1_S || f == F::IQ2_S || f == F::IQ2_M ||
        f == F::IQ1_M)
      return T::Q5_K;
    if (t != T::Q8_0) return T::Q6_K;
    return t;
  }

  if (f == F::MXFP4_MOE) {
    // expert tensors (3-D) -> MXFP4, everything else -> Q8_0
    return three_d ? T::MXFP4 : T::Q8_0;
  }

  if (cat == Cat::TOKEN_EMBD) {
    if (f == F::IQ2_XXS || f == F::IQ2_XS || f == F::IQ1_S || f == F::IQ1_M) return T::Q2_K;
    if (f == F::IQ2_S || f == F::IQ2_M || f == F::IQ3_XXS) return T::IQ3_S;
    if (f == F::TQ1_0 || f == F::TQ2_0) return T::Q4_K;
    return t;
  }

  if (is_iq1_iq2(f)) {
    const bool s_or_m = f == F::IQ2_S || f == F::IQ2_M;
    if (is_attn_v_like(cat)) {
      if (n_gqa >= 4 || n_expert >= 4) return T::Q4_K;
      return s_or_m ? T::IQ3_S : T::Q2_K;
    }
    if (n_expert == 8 && cat == Cat::ATTN_K) return T::Q4_K;
    if (cat == Cat::FFN_DOWN) {
      if (i < n_layer / 8) return s_or_m ? T::IQ3_S : T::Q2_K;
      return t;
    }
    if (cat == Cat::ATTN_OUTPUT) {
      if (n_expert == 8) return T::Q5_K;
      if (f == F::IQ1_S || f == F::IQ1_M) return T::IQ2_XXS;
      if (s_or_m) return T::IQ3_S;
    }
    return t;
  }

  if (is_attn_v_like(cat)) {
    if (f == F::Q2_K) {
      t = n_gqa >= 4 ? T::Q4_K : T::Q3_K;
    } else if (f == F::Q2_K_S && n_gqa >= 4) {
      t = T::Q4_K;
    } else if (f == F::IQ3_XXS) {
      t = n_gqa >= 4 ? T::Q4_K : (!imatrix ? T::IQ3_S : T::IQ3_XXS);
    } else if ((f == F::IQ3_XS || f == F::IQ3_S) && n_gqa >= 4) {
      t = T::Q4_K;
    } else if (f == F::IQ3_M) {
      t = T::Q4_K;
    } else if (f == F::Q3_K_M) {
      t = i < 2 ? T::Q5_K : T::Q4_K;
    } else if (f == F::Q3_K_L) {
      t = T::Q5_K;
    } else if ((f == F::IQ4_NL || f == F::IQ4_XS) && n_gqa >= 4) {
      t = T::Q5_K;
    } else if ((f == F::Q4_K_M || f == F::Q5_K_M) && use_more_bits(i, n_layer)) {
      t = T::Q6_K;
    } else if (f == F::Q4_K_S && i < 4) {
      t = T::Q5_K;
    }
    // 70B: attn_v is 8x smaller than attn_q, so it gets more bits cheaply
    if (ctx.is_70b_class && (t == T::Q3_K || t == T::Q4_K)) t = T::Q5_K;
    if (n_expert == 8) t = T::Q8_0;
    return t;
  }

  if (cat == Cat::ATTN_K) {
    if (n_expert == 8) return T::Q8_0;
    if (f == F::IQ3_XS) return T::IQ3_XXS;
    if (f == F::IQ3_XXS) return T::IQ2_S;
    return t;
  }

  if (cat == Cat::ATTN_Q) {
    if (f == F::IQ3_XS) return T::IQ3_XXS;
    if (f == F::IQ3_XXS) return T::IQ2_S;
    return t;
  }

  if (cat == Cat::FFN_DOWN) {
    if (f == F::Q2_K) return T::Q3_K;
    if (f == F::Q2_K_S) return i < n_layer / 8 ? T::Q4_K : t;
    if (f == F::IQ3_XXS && !imatrix) return i < n_layer / 8 ? T::Q4_K : T::Q3_K;
    if (f == F::Q3_K_M) return i < n_layer / 16 ? T::Q5_K : T::Q4_K;  // non-Falcon
    if (f == F::IQ3_M && (i < n_layer / 8 || (n_expert == 8 && use_more_bits(i, n_layer)))) return T::Q4_K;
    if (f == F::Q3_K_L) return T::Q5_K;  // non-Falcon
    if (f == F::Q4_K_M) return use_more_bits(i, n_layer) ? T::Q6_K : t;
    if (i < n_layer / 8 && (f == F::IQ4_NL || f == F::IQ4_XS) && !imatrix) return T::Q5_K;
    if (f == F::Q5_K_M && use_more_bits(i, n_layer)) return T::Q6_K;
    if (f == F::Q4_K_S && i < n_layer / 8) return T::Q5_K;
    if ((f == F::Q4_0 || f == F::Q5_0) && imatrix && i < n_layer / 8) return f == F::Q4_0 ? T::Q4_1 : T::Q5_1;
    return t;
  }

  if (cat == Cat::ATTN_OUTPUT) {
    if (n_expert == 8) {
      switch (f) {
        case F::Q2_K:
        case F::IQ3_XS:
        case F::IQ3_XXS:
        case F::Q3_K_S:
        case F::Q3_K_M:
        case F::IQ4_NL:
        case F::Q4_K_S:
        case F::Q4_K_M:
        case F::IQ3_S:
        case F::IQ3_M:
        case F::IQ4_XS:
          return T::Q5_K;
        default:
          return t;
      }
    }
    if (f == F::Q2_K) return T::Q3_K;
    if (f == F::IQ3_XXS) return T::IQ3_S;
    if (f == F::Q3_K_M) return T::Q4_K;
    if (f == F::Q3_K_L) return T::Q5_K;
    if (f == F::IQ3_M) return T::Q4_K;
    return t;
  }

  if (cat == Cat::FFN_GATE || cat == Cat::FFN_UP) {
    if (f == F::IQ3_XS && i >= n_layer / 8 && i < 7 * n_layer / 8) return T::IQ3_XXS;
    return t;
  }

  return t;
}

}  // namespace

const TypeInfo* find_type(std::string_view name) {
  for (const auto& t : kTypes) {
    if (iequals(name, t.name)) return &t;
  }
  return nullptr;
}

std::int64_t row_bytes(const TypeInfo& type, std::int64_t n) {
  if (n <= 0 || type.block_elems <= 0) return 0;
  // ggml_row_size: bytes_per_block * n / block_elems (n is a multiple of the block; a partial
  // trailing block is counted whole).
  const std::int64_t blocks = (n + type.block_elems - 1) / type.block_elems;
  return blocks * type.block_bytes;
}

bool row_fits(const TypeInfo& type, std::int64_t n) {
  return type.block_elems > 0 && n > 0 && n % type.block_elems == 0;
}

bool is_ftype(std::string_view name) { return find_ftype(name) != nullptr; }

const TypeInfo* default_type(std::string_view ftype_or_type) {
  if (const FtypeName* f = find_ftype(ftype_or_type)) return &info(f->default_type);
  return find_type(ftype_or_type);
}

namespace {
const TypeInfo& tensor_type_uncached(std::string_view ftype, std::string_view role, int layer, std::int64_t rows,
                                     std::int64_t cols, const MixContext& ctx);

// The rules are a pure function of their inputs, and the planner asks the same questions thousands of
// times (every probe re-sizes the same tensors): a small direct-mapped memo answers the repeats. It is
// per thread, holds only copies of the inputs and pointers into the static type table, and never changes
// an answer.
struct TypeMemo {
  struct Slot {
    bool used = false;
    std::string ftype, role;
    int layer = 0;
    std::int64_t rows = 0, cols = 0;
    MixContext ctx;
    const TypeInfo* type = nullptr;
  };
  static constexpr std::size_t kSlots = 4096;
  std::vector<Slot> slots = std::vector<Slot>(kSlots);
};

bool same_context(const MixContext& a, const MixContext& b) {
  return a.n_layer == b.n_layer && a.n_head == b.n_head && a.n_head_kv == b.n_head_kv && a.n_expert == b.n_expert &&
         a.has_output == b.has_output && a.is_70b_class == b.is_70b_class && a.has_imatrix == b.has_imatrix;
}
}  // namespace

const TypeInfo& tensor_type(std::string_view ftype, std::string_view role, int layer, std::int64_t rows,
                            std::int64_t cols, const MixContext& ctx) {
  thread_local TypeMemo memo;
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a over the inputs
  auto mix = [&h](std::uint64_t v) {
    h ^= v;
    h *= 1099511628211ULL;
  };
  for (char c : ftype) mix(static_cast<unsigned char>(c));
  mix(0xff);
  for (char c : role) mix(static_cast<unsigned char>(c));
  mix(static_cast<std::uint64_t>(layer));
  mix(static_cast<std::uint64_t>(rows));
  mix(static_cast<std::uint64_t>(cols));
  mix(static_cast<std::uint64_t>(ctx.n_layer));
  auto& slot = memo.slots[h % TypeMemo::kSlots];
  if (slot.used && slot.layer == layer && slot.rows == rows && slot.cols == cols && slot.ftype == ftype &&
      slot.role == role && same_context(slot.ctx, ctx))
    return *slot.type;
  const TypeInfo& t = tensor_type_uncached(ftype, role, layer, rows, cols, ctx);
  slot.used = true;
  slot.ftype.assign(ftype.data(), ftype.size());
  slot.role.assign(role.data(), role.size());
  slot.layer = layer;
  slot.rows = rows;
  slot.cols = cols;
  slot.ctx = ctx;
  slot.type = &t;
  return t;
}

namespace {
const TypeInfo& tensor_type_uncached(std::string_view ftype, std::string_view role, int layer, std::int64_t rows,
                                     std::int64_t cols, const MixContext& ctx) {
  // Accept full GGUF names too: "blk.7.attn_v.weight" -> role "attn_v", layer 7.
  std::int64_t lay = layer;
  if (starts_with(role, "blk.")) {
    std::size_t p = 4;
    std::int64_t parsed = 0;
    bool digits = false;
    while (p < role.size() && role[p] >= '0' && role[p] <= '9') {
      parsed = parsed * 10 + (role[p] - '0');
      ++p;
      digits = true;
    }
    if (digits && p < role.size() && role[p] == '.') {
      role.remove_prefix(p + 1);
      if (lay < 0) lay = parsed;
    }
  }
  if (ends_with(role, ".weight")) {
    role.remove_suffix(7);
  } else if (ends_with(role, ".bias")) {
    return info(T::F32);  // only "...weight" tensors are quantized; biases are 1-D F32
  }

  const FtypeName* fn = find_ftype(ftype);
  T float_type = T::F16;  // assumed float type of the converted source GGUF
  if (fn != nullptr && !is_quantized(fn->default_type)) float_type = fn->default_type;

  // 1-D tensors (ggml_n_dims < 2: a single row) and norms stay F32.
  if (rows <= 1 || ends_with(role, "_norm")) return info(T::F32);
  if (!allows_quantization(role)) {
    return info(converter_keeps_f32(role) ? T::F32 : float_type);
  }

  if (fn == nullptr) {
    // Not a file type: if it names a ggml type, every quantizable tensor gets that type ("--pure").
    const TypeInfo* ti = find_type(ftype);
    if (ti == nullptr) return info(T::F16);
    const T t = static_cast<T>(ti - kTypes);
    if (!is_quantized(t)) return *ti;
    return info(fallback(t, cols));
  }

  const T def = fn->default_type;
  if (!is_quantized(def)) return info(def);  // F32 / F16 / BF16 files: no mix rules

  const Cat cat = category(role);
  // 3-D tensors: merged MoE experts, and MLA's per-head attn_k_b / attn_v_b.
  const bool three_d = contains(role, "_exps") || ends_with(role, "attn_k_b") || ends_with(role, "attn_v_b");
  const T chosen = mix(fn->ftype, def, cat, lay, cols, three_d, ctx);
  return info(fallback(chosen, cols));
}
}  // namespace

}  // namespace vramplan::gguf
