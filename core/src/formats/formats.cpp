// Weight formats: what each stores per tensor, including scales, zero points and the tensors
// it leaves in 16 bits.
#include "vramplan/formats/formats.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "vramplan/common/strings.hpp"
#include "vramplan/formats/gguf.hpp"
#include "vramplan/formats/quantization.hpp"

namespace vramplan {
namespace {

using I = std::int64_t;

WeightFormat make(const char* id, const char* label, FormatKind kind, int bits, int group = 0,
                  ComputePath path = ComputePath::bf16) {
  WeightFormat f;
  f.id = id;
  f.label = label;
  f.kind = kind;
  f.data_bits = bits;
  f.bits_per_weight = bits;
  f.group_size = group;
  f.compute_path = path;
  return f;
}

// A llama.cpp file type (Q4_K_M) or ggml type (MXFP4): its bits are those of the type most tensors get.
WeightFormat make_gguf(const std::string& type) {
  WeightFormat f;
  f.id = "gguf-" + type;
  f.label = "GGUF " + type;
  f.kind = FormatKind::gguf;
  f.gguf_ftype = type;
  if (const auto* t = gguf::default_type(type)) {
    f.bits_per_weight = 8.0 * t->block_bytes / t->block_elems;
    f.data_bits = static_cast<int>(8 * t->block_bytes / t->block_elems);
  }
  return f;
}

std::vector<WeightFormat> build_base_formats() {
  std::vector<WeightFormat> v;
  v.push_back(make("fp32", "FP32", FormatKind::plain, 32));
  v.push_back(make("fp16", "FP16", FormatKind::plain, 16));
  v.push_back(make("bf16", "BF16", FormatKind::plain, 16));
  v.push_back(make("fp8", "FP8 (E4M3, per-tensor scale)", FormatKind::fp8, 8, 0, ComputePath::fp8));
  {
    auto f = make("fp8-block", "FP8 (E4M3, 128x128 block scales)", FormatKind::fp8, 8, 0, ComputePath::fp8);
    f.block_rows = 128;
    f.block_cols = 128;
    v.push_back(f);
  }
  v.push_back(make("int8", "INT8 W8A8 (per-channel scale)", FormatKind::int8, 8, 0, ComputePath::int8));
  {
    auto f = make("gptq-int4", "GPTQ INT4 g128", FormatKind::grouped, 4, 128);
    f.act_order_index = true;
    v.push_back(f);
  }
  {
    auto f = make("gptq-int8", "GPTQ INT8 g128", FormatKind::grouped, 8, 128);
    f.act_order_index = true;
    v.push_back(f);
  }
  v.push_back(make("awq-int4", "AWQ INT4 g128", FormatKind::grouped, 4, 128));
  v.push_back(make("nf4", "bitsandbytes NF4 (block 64)", FormatKind::bnb, 4, 64));
  {
    auto f = make("nf4-dq", "bitsandbytes NF4 + double quant", FormatKind::bnb, 4, 64);
    f.double_quant = true;
    v.push_back(f);
  }
  v.push_back(make("fp4", "bitsandbytes FP4 (block 64)", FormatKind::bnb, 4, 64));
  v.push_back(make("mxfp4", "MXFP4 (E2M1, E8M0 scale per 32)", FormatKind::microscaled, 4, 32));
  v.push_back(make("nvfp4", "NVFP4 (E2M1, E4M3 scale per 16)", FormatKind::microscaled, 4, 16, ComputePath::fp4));
  return v;
}

const std::vector<WeightFormat>& base_formats() {
  static const std::vector<WeightFormat> formats = build_base_formats();
  return formats;
}

struct Alias {
  const char* name;
  const char* id;
};
const Alias kAliases[] = {
    {"float32", "fp32"},   {"f32", "fp32"},       {"float16", "fp16"},
    {"half", "fp16"},      {"f16", "fp16"},       {"bfloat16", "bf16"},
    {"fp8_e4m3", "fp8"},   {"fp8-e4m3", "fp8"},   {"e4m3", "fp8"},
    {"w8a8", "int8"},      {"w8a8-int8", "int8"}, {"int4", "gptq-int4"},
    {"gptq", "gptq-int4"}, {"awq", "awq-int4"},   {"bnb-nf4", "nf4"},
    {"bnb-4bit", "nf4"},   {"qlora", "nf4-dq"},   {"fp8-block128", "fp8-block"},
};

// Without a checkpoint's own description: every attention, MLP and expert matrix is quantised.
bool quantizable(const TensorGroup& g) {
  if (!g.matrix) return false;
  switch (g.cls) {
    case TensorClass::attention:
    case TensorClass::mlp:
    case TensorClass::experts:
    case TensorClass::shared_experts:
      return true;
    default:
      return false;  // embeddings, lm_head, router, norms and vision towers stay 16-bit
  }
}

}  // namespace

FormatSupport format_support(const WeightFormat& f, const GpuEntry& g) {
  switch (f.compute_path) {
    case ComputePath::bf16:
      return FormatSupport::native;
    case ComputePath::fp8:
      if (!g.runs_fp8_weights()) return FormatSupport::unsupported;
      return g.has_fp8() ? FormatSupport::native : FormatSupport::weight_only;
    case ComputePath::int8:
      return g.has_int8() ? FormatSupport::native : FormatSupport::weight_only;
    case ComputePath::fp4:
      return g.has_fp4() ? FormatSupport::native : FormatSupport::weight_only;
  }
  return FormatSupport::native;
}

const char* to_string(ComputePath path) {
  switch (path) {
    case ComputePath::bf16:
      return "bf16";
    case ComputePath::fp8:
      return "fp8";
    case ComputePath::int8:
      return "int8";
    case ComputePath::fp4:
      return "fp4";
  }
  return "bf16";
}

std::int64_t element_bytes_16bit(const Architecture& arch) {
  return (arch.dtype == "float32" || arch.dtype == "fp32") ? 4 : 2;
}

std::vector<std::string> weight_format_ids() {
  std::vector<std::string> ids;
  for (const auto& f : base_formats()) ids.push_back(f.id);
  for (const char* t :
       {"Q8_0", "Q6_K",   "Q5_K_M", "Q5_K_S", "Q4_K_M",  "Q4_K_S", "Q4_0",    "Q3_K_M", "Q3_K_L", "Q3_K_S",
        "Q2_K", "IQ4_XS", "IQ4_NL", "IQ3_M",  "IQ3_XXS", "IQ2_M",  "IQ2_XXS", "IQ1_S",  "F16",    "BF16"})
    ids.push_back(std::string("gguf-") + t);
  return ids;
}

Expected<WeightFormat> find_weight_format(const std::string& id_in, const std::string& field) {
  std::string id = lower(id_in);
  for (const auto& a : kAliases)
    if (id == a.name) id = a.id;
  if (id.rfind("gguf-", 0) == 0 || id.rfind("gguf:", 0) == 0 || id.rfind("gguf_", 0) == 0) {
    std::string t = upper(id.substr(5));
    if (gguf::is_ftype(t) || gguf::find_type(t)) return make_gguf(t);
  } else if (id.size() >= 3 && (id[0] == 'q' || id.rfind("iq", 0) == 0) && gguf::is_ftype(upper(id))) {
    return make_gguf(upper(id));
  }
  for (const auto& f : base_formats())
    if (f.id == id) return f;
  std::string list;
  for (const auto& f : base_formats()) list += (list.empty() ? "" : ", ") + f.id;
  std::string shown = id_in.substr(0, 40);
  return make_error(
      ErrorCode::unknown_format, field,
      "unknown weight format '" + shown + "'; use one of " + list + ", or gguf-<TYPE> (e.g. gguf-Q4_K_M)");
}

WeightFormat native_weight_format(const Architecture& arch) {
  const auto& q = arch.quant;
  const WeightFormat plain = *find_weight_format(arch.dtype == "float32"   ? "fp32"
                                                 : arch.dtype == "float16" ? "fp16"
                                                                           : "bf16",
                                                 "");
  if (q.schemes.empty()) return plain;  // unquantised, or a method the importer could not model (it warned)
  WeightFormat f = scheme_format(q.schemes.front(), q.method);
  f.checkpoint = std::make_shared<QuantizationConfig>(q);
  for (const auto& s : q.schemes) f.scheme_formats.push_back(scheme_format(s, q.method));
  return f;
}

WeightFormat scheme_format(const QuantScheme& s, const std::string& method) {
  WeightFormat f;
  const std::string bits = std::to_string(s.bits);
  switch (s.storage) {
    case QuantStorage::int_grouped: {
      f = *find_weight_format(method == "awq" ? "awq-int4" : "gptq-int4", "");
      f.data_bits = s.bits;
      f.bits_per_weight = s.bits;
      f.group_size = s.group_size > 0 ? s.group_size : 0;
      f.zero_points = !s.symmetric;
      f.act_order_index = s.act_order_index;
      const std::string g = f.group_size > 0 ? " g" + std::to_string(f.group_size) : " per-channel";
      if (method == "gptq" || method == "awq") {
        f.id = method + "-int" + bits;
        f.label = (method == "gptq" ? "GPTQ INT" : "AWQ INT") + bits + g;
      } else {
        // compressed-tensors pack-quantized: int32-packed values, a 16-bit scale per group, zero points only
        // when asymmetric, and a weight_shape tensor (2 x int64) per module (CompressedTensorsWNA16).
        f.id = "int" + bits + (f.group_size > 0 ? "-g" + std::to_string(f.group_size) : "-channel");
        f.label = "INT" + bits + g + (s.symmetric ? " symmetric" : "") + " (" + method + ")";
        f.tensor_extra_bytes = 16;
      }
      break;
    }
    case QuantStorage::int8_channel:
    case QuantStorage::int8_bnb:
      f = *find_weight_format("int8", "");
      if (s.storage == QuantStorage::int8_bnb) f.id = "bnb-int8", f.label = "bitsandbytes LLM.int8()";
      break;
    case QuantStorage::fp8:
      f = *find_weight_format(s.block_rows > 0 ? "fp8-block" : "fp8", "");
      if (s.block_rows > 0) {
        f.block_rows = s.block_rows;
        f.block_cols = s.block_cols;
        if (s.block_rows != 128 || s.block_cols != 128) {
          f.id = "fp8-block" + std::to_string(s.block_rows) + "x" + std::to_string(s.block_cols);
          f.label =
              "FP8 (E4M3, " + std::to_string(s.block_rows) + "x" + std::to_string(s.block_cols) + " block scales)";
        }
      } else if (s.per_channel) {
        f.per_channel = true;
        f.id = "fp8-channel";
        f.label = "FP8 (E4M3, per-channel scale)";
      }
      break;
    case QuantStorage::nvfp4:
      f = *find_weight_format("nvfp4", "");
      break;
    case QuantStorage::mxfp4:
      f = *find_weight_format("mxfp4", "");
      break;
    case QuantStorage::nf4:
      f = *find_weight_format(s.double_quant ? "nf4-dq" : "nf4", "");
      break;
  }
  return f;
}

WeightFormat with_checkpoint_exclusions(const WeightFormat& chosen, const WeightFormat& native) {
  if (!native.checkpoint || chosen.kind == FormatKind::plain || chosen.kind == FormatKind::gguf) return chosen;
  WeightFormat f = chosen;
  auto q = std::make_shared<QuantizationConfig>(*native.checkpoint);
  q->only_experts = false;  // a property of the method (vLLM's MXFP4 linear layers), not of the checkpoint
  f.checkpoint = q;
  f.scheme_formats.assign(q->schemes.size(), chosen);
  for (auto& s : f.scheme_formats) s.scheme_formats.clear();
  return f;
}

namespace {
gguf::MixContext mix_context(const Architecture& arch) {
  gguf::MixContext ctx;
  ctx.n_layer = arch.num_layers;
  ctx.n_head = arch.num_heads;
  ctx.n_head_kv = arch.num_kv_heads;
  ctx.n_expert = arch.num_experts;
  ctx.has_output = !arch.tie_word_embeddings;
  ctx.is_70b_class = arch.num_layers == 80 && arch.hidden_size == 8192;
  return ctx;
}
}  // namespace

std::int64_t tensor_bytes_in_layer(const WeightFormat& fmt, const TensorGroup& g, int layer, const Architecture& arch) {
  if (fmt.kind == FormatKind::gguf && g.matrix) {
    const auto& t = gguf::tensor_type(fmt.gguf_ftype, g.gguf_role, layer, g.rows, g.cols, mix_context(arch));
    return g.per_layer * g.rows * gguf::row_bytes(t, g.cols);
  }
  if (layer < 0 || g.layers.empty()) return tensor_bytes(fmt, g, arch).bytes;
  TensorGroup one = g;  // a checkpoint may store some layers' copies in another scheme
  one.layers = {layer};
  return tensor_bytes(fmt, one, arch).bytes;
}

namespace {
TensorBytes single_format_bytes(const WeightFormat& fmt, const TensorGroup& g, const Architecture& arch, bool quantize);
}  // namespace

// A checkpoint that describes its own quantisation: each layer's copy in the scheme that stores it.
TensorBytes tensor_bytes(const WeightFormat& fmt, const TensorGroup& g, const Architecture& arch) {
  if (!fmt.checkpoint || fmt.kind == FormatKind::gguf || fmt.kind == FormatKind::plain)
    return single_format_bytes(fmt, g, arch, quantizable(g));
  const auto& q = *fmt.checkpoint;
  std::map<int, std::vector<int>> by_scheme;  // scheme (-1: 16-bit) -> layers
  if (g.layers.empty())
    by_scheme[checkpoint_scheme(q, g, -1)] = {};
  else
    for (int l : g.layers) by_scheme[checkpoint_scheme(q, g, l)].push_back(l);
  TensorBytes out;
  for (const auto& [scheme, layers] : by_scheme) {
    TensorGroup part = g;
    part.layers = layers;
    const bool low = scheme >= 0 && static_cast<std::size_t>(scheme) < fmt.scheme_formats.size();
    const TensorBytes b =
        single_format_bytes(low ? fmt.scheme_formats[static_cast<std::size_t>(scheme)] : fmt, part, arch, low);
    out.bytes += b.bytes;
    out.kept_bytes += b.kept_bytes;
    out.kept_params += b.kept_params;
    out.quantized = out.quantized || b.quantized;
    const std::string storage =
        by_scheme.size() > 1 ? b.storage + " (" + std::to_string(layers.size()) + " layers)" : b.storage;
    out.storage += (out.storage.empty() ? "" : ", ") + storage;
  }
  return out;
}

namespace {
TensorBytes single_format_bytes(const WeightFormat& fmt, const TensorGroup& g, const Architecture& arch,
                                bool quantize) {
  TensorBytes out;
  const I n = g.instances();
  const I elems = g.elements();
  const I e16 = fmt.kind == FormatKind::plain ? fmt.data_bits / 8 : element_bytes_16bit(arch);
  if (fmt.kind == FormatKind::gguf) {
    const gguf::MixContext ctx = mix_context(arch);
    if (!g.matrix) {
      out.bytes = n * elems * 4;
      out.storage = "F32";
      return out;
    }
    // Each layer may get its own type (use_more_bits); experts of one layer are one 3-D tensor.
    std::string first;
    bool mixed = false;
    auto add_layer = [&](int layer) {
      const auto& t = gguf::tensor_type(fmt.gguf_ftype, g.gguf_role, layer, g.rows, g.cols, ctx);
      out.bytes += g.per_layer * g.rows * gguf::row_bytes(t, g.cols);
      if (first.empty())
        first = t.name;
      else if (first != t.name)
        mixed = true;
    };
    if (g.layers.empty()) add_layer(-1);
    for (int l : g.layers) add_layer(l);
    out.storage = mixed ? "mixed (" + first + "/...)" : first;
    return out;
  }
  if (!quantize) {
    out.bytes = n * elems * e16;
    out.kept_bytes = out.bytes;
    out.kept_params = n * elems;
    out.storage = e16 == 4 ? "fp32" : (arch.dtype == "float16" ? "fp16" : "bf16");
    if (fmt.kind == FormatKind::plain) out.storage = fmt.id;
    return out;
  }
  out.quantized = true;
  switch (fmt.kind) {
    case FormatKind::plain:
      out.bytes = n * elems * (fmt.data_bits / 8);
      out.storage = fmt.id;
      break;
    case FormatKind::fp8: {
      I scales = fmt.block_rows > 0 ? ceil_div(g.rows, fmt.block_rows) * ceil_div(g.cols, fmt.block_cols)
                 : fmt.per_channel  ? g.rows
                                    : 1;
      out.bytes = n * (elems + scales * 4 + fmt.tensor_extra_bytes);
      out.storage = fmt.block_rows > 0 ? "fp8 + fp32 scale per " + std::to_string(fmt.block_rows) + "x" +
                                             std::to_string(fmt.block_cols) + " block"
                    : fmt.per_channel ? "fp8 + fp32 scale per output channel"
                                      : "fp8 + fp32 per-tensor scale";
      break;
    }
    case FormatKind::int8:
      out.bytes = n * (elems + g.rows * 4);
      out.storage = "int8 + fp32 scale per output channel";
      break;
    case FormatKind::grouped: {
      const I groups = fmt.group_size > 0 ? ceil_div(g.cols, fmt.group_size) : 1;
      const I packed = ceil_div(elems * fmt.data_bits, 8);
      const I scales = groups * g.rows * 2;  // fp16 scale per group per column
      const I zeros = fmt.zero_points ? ceil_div(groups * g.rows * fmt.data_bits, 8) : 0;  // packed zero points
      const I gidx = fmt.act_order_index ? g.cols * 4 : 0;  // GPTQ g_idx, int32 per input feature
      out.bytes = n * (packed + scales + zeros + gidx + fmt.tensor_extra_bytes);
      out.storage = "int" + std::to_string(fmt.data_bits) +
                    (fmt.group_size > 0 ? " g" + std::to_string(fmt.group_size) : " per-channel") + " + 16-bit scales" +
                    (fmt.zero_points ? " + packed zeros" : "") + (gidx ? " + g_idx" : "");
      break;
    }
    case FormatKind::bnb: {
      const I blocks = ceil_div(elems, fmt.group_size);
      I bytes = ceil_div(elems, 2) + 16 * 4;  // 4-bit codes + the 16-entry quant map
      if (fmt.double_quant)
        bytes += blocks + ceil_div(blocks, 256) * 4 + 256 * 4 + 4;  // uint8 absmax, nested fp32
      else
        bytes += blocks * 4;  // fp32 absmax per block
      out.bytes = n * bytes;
      out.storage = std::string(fmt.id == "fp4" ? "fp4" : "nf4") + " + absmax per 64" +
                    (fmt.double_quant ? " (8-bit, double quant)" : " (fp32)");
      break;
    }
    case FormatKind::microscaled: {
      const I scales = ceil_div(elems, fmt.group_size);
      I bytes = ceil_div(elems, 2) + scales;
      if (fmt.id == "nvfp4") bytes += 8;  // fp32 global weight scale and input scale per tensor
      out.bytes = n * bytes;
      out.storage = fmt.id == "nvfp4" ? "fp4 + fp8 scale per 16" : "fp4 + e8m0 scale per 32";
      break;
    }
    case FormatKind::gguf:
      break;
  }
  return out;
}
}  // namespace

}  // namespace vramplan

namespace vramplan {
std::int64_t checkpoint_scale_elements(const WeightFormat& fmt, const TensorGroup& g, const Architecture& arch) {
  if (fmt.kind != FormatKind::fp8 || fmt.block_rows <= 0) return 0;
  (void)arch;
  if (!fmt.checkpoint)
    return quantizable(g) ? g.instances() * ceil_div(g.rows, fmt.block_rows) * ceil_div(g.cols, fmt.block_cols) : 0;
  std::int64_t layers = 0;
  if (g.layers.empty()) layers = checkpoint_scheme(*fmt.checkpoint, g, -1) >= 0 ? 1 : 0;
  for (int l : g.layers) layers += checkpoint_scheme(*fmt.checkpoint, g, l) >= 0 ? 1 : 0;
  return layers * g.per_layer * ceil_div(g.rows, fmt.block_rows) * ceil_div(g.cols, fmt.block_cols);
}
}  // namespace vramplan
