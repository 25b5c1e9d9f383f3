// quantization_config (and ModelOpt's hf_quant_config layout) -> QuantizationConfig: every scheme, the modules
// each targets, the exclusions with the loader rule of the method, GPTQ's per-module overrides and the KV cache
// scheme. The keys and defaults follow each method's from_config in vLLM (vllm/model_executor/layers/
// quantization: compressed_tensors/compressed_tensors.py, fp8.py, fbgemm_fp8.py, gptq.py, awq.py,
// bitsandbytes.py, mxfp4.py, modelopt.py). A method or scheme the tool does not model is counted in 16 bits
// with a coded warning naming it; a malformed value is an error naming its field.
#include "vramplan/formats/quantization.hpp"

#include <algorithm>

#include "readers.hpp"

namespace vramplan::import {
namespace {

using json = nlohmann::json;

void warn_unmodelled(Architecture& a, const std::string& field, const std::string& value) {
  a.warnings.push_back(Text(Msg::quant_scheme_unmodelled).str("field", field).str("value", value.substr(0, 60)));
}

// Drops the patterns the matcher refuses, with a warning each (the entry then matches no module).
std::vector<std::string> checked_patterns(Architecture& a, const std::string& field,
                                          const std::vector<std::string>& entries, bool all_regex) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string& e = entries[i];
    const bool is_re = all_regex || e.rfind("re:", 0) == 0;
    if (is_re) {
      const Regex re = compile_regex(all_regex ? e : e.substr(3));
      if (!re.ok) {
        a.warnings.push_back(Text(Msg::quant_pattern_unsupported)
                                 .str("field", field + "[" + std::to_string(i) + "]")
                                 .str("pattern", e.substr(0, 80))
                                 .str("reason", re.error));
        continue;
      }
    }
    out.push_back(e);
  }
  return out;
}

const json* object_at(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_object()) return nullptr;
  return &j[key];
}

// compressed-tensors: config_groups (targets + weights args), ignore (names or "re:" regexes), kv_cache_scheme.
Status read_compressed_tensors(const json& qj, JsonReader& q, Architecture& a) {
  auto& out = a.quant;
  const std::string format = q.string("format", "");
  if (qj.contains("config_groups") && !qj["config_groups"].is_null()) {
    if (!qj["config_groups"].is_object())
      return make_error(ErrorCode::invalid_field, q.field("config_groups"),
                        "config_groups must be an object of groups, got " + describe_json_value(qj["config_groups"]));
    for (auto it = qj["config_groups"].begin(); it != qj["config_groups"].end(); ++it) {
      const std::string gfield = q.field("config_groups") + "." + it.key().substr(0, 40);
      if (!it.value().is_object())
        return make_error(ErrorCode::invalid_field, gfield,
                          "a config group must be an object, got " + describe_json_value(it.value()));
      JsonReader g(it.value(), gfield);
      QuantScheme s;
      s.targets = checked_patterns(a, g.field("targets"), g.string_list("targets"), false);
      const json* w = object_at(it.value(), "weights");
      if (!g.ok()) return g.error();
      if (!w) continue;  // activations only: the weights stay 16-bit
      JsonReader wr(*w, g.field("weights"));
      s.bits = static_cast<int>(wr.integer("num_bits", 8, 1, 64));
      const std::string type = wr.string("type", "int");
      const std::string strategy = wr.string("strategy", "tensor");
      s.group_size = static_cast<int>(wr.integer("group_size", 0, -1, 1 << 20));
      s.symmetric = wr.boolean("symmetric", true);
      std::string actorder;
      if (w->contains("actorder") && (*w)["actorder"].is_string()) actorder = (*w)["actorder"].get<std::string>();
      if (w->contains("actorder") && (*w)["actorder"].is_boolean() && (*w)["actorder"].get<bool>()) actorder = "group";
      auto block = wr.integer_list("block_structure", 1, 1 << 20);
      if (!wr.ok()) return wr.error();
      const bool has_input_acts =
          it.value().contains("input_activations") && it.value()["input_activations"].is_object();
      bool modelled = true;
      if (type == "int" && (strategy == "group" || strategy == "channel") && format != "int-quantized" &&
          format != "naive-quantized" && s.bits <= 8) {
        // CompressedTensorsWNA16: pack-quantized ints, a scale per group (or channel), zeros when asymmetric,
        // g_idx when actorder is "group".
        s.storage = QuantStorage::int_grouped;
        if (strategy == "channel") s.group_size = 0;
        s.act_order_index = actorder == "group";
        if (strategy == "group" && s.group_size <= 0)
          return make_error(ErrorCode::invalid_field, wr.field("group_size"),
                            "group_size must be a positive integer for strategy \"group\"");
      } else if (type == "int" && s.bits == 8 && (has_input_acts || format == "int-quantized")) {
        s.storage = QuantStorage::int8_channel;  // CompressedTensorsW8A8Int8: int8 weights + fp32 scales
      } else if (type == "float" && s.bits == 8 && (strategy == "tensor" || strategy == "channel")) {
        s.storage = QuantStorage::fp8;  // CompressedTensorsW8A8Fp8 / W8A16Fp8
        s.per_channel = strategy == "channel";
      } else if (type == "float" && s.bits == 8 && strategy == "block") {
        if (block.size() != 2)
          return make_error(ErrorCode::invalid_field, wr.field("block_structure"),
                            "block_structure must be a list of two positive integers for strategy \"block\"");
        s.storage = QuantStorage::fp8;
        s.block_rows = static_cast<int>(block[0]);
        s.block_cols = static_cast<int>(block[1]);
      } else if (type == "float" && s.bits == 4 && strategy == "tensor_group" && s.group_size == 16) {
        s.storage = QuantStorage::nvfp4;  // CompressedTensorsW4A4Fp4 / W4A16Fp4 (nvfp4-pack-quantized)
      } else if (type == "float" && s.bits == 4 && s.group_size == 32) {
        s.storage = QuantStorage::mxfp4;  // mxfp4-pack-quantized
      } else {
        modelled = false;
        warn_unmodelled(a, g.field("weights"),
                        type + " " + std::to_string(s.bits) + "-bit, strategy " + strategy + ", group_size " +
                            std::to_string(s.group_size) + (format.empty() ? "" : ", format " + format));
      }
      if (modelled) out.schemes.push_back(std::move(s));
    }
  }
  out.modules_not_converted = checked_patterns(a, q.field("ignore"), q.string_list("ignore"), false);
  out.exclusion = ExclusionRule::exact_or_regex;
  if (const json* kv = object_at(qj, "kv_cache_scheme")) {
    JsonReader k(*kv, q.field("kv_cache_scheme"));
    const int bits = static_cast<int>(k.integer("num_bits", 0, 0, 64));
    const std::string type = k.string("type", "");
    if (!k.ok()) return k.error();
    if (bits == 8 && type == "float") {
      // vLLM's "auto" stays the model dtype here (utils/torch_utils.py get_kv_cache_quant_algo_string reads
      // the KV scheme of ModelOpt configs only): the FP8 cache needs kv_cache_dtype "fp8".
      out.kv_cache_dtype = "fp8";
      a.warnings.push_back(Text(Msg::quant_kv_scheme_declared).str("field", q.field("kv_cache_scheme")));
    } else {
      warn_unmodelled(a, q.field("kv_cache_scheme"), type + " " + std::to_string(bits) + "-bit");
    }
  }
  return std::nullopt;
}

// ModelOpt: quant_algo and exclude_modules, flat (config.json) or under "quantization" (hf_quant_config.json);
// modelopt.py ModelOptQuantConfigBase.from_config.
Status read_modelopt(const json& qj, JsonReader& q, Architecture& a) {
  auto& out = a.quant;
  const json& inner = qj.contains("quantization") && qj["quantization"].is_object() ? qj["quantization"] : qj;
  JsonReader r(inner, &inner == &qj ? q.field("") : q.field("quantization"));
  std::string algo = r.string("quant_algo", "");
  std::transform(algo.begin(), algo.end(), algo.begin(), [](char c) { return static_cast<char>(std::toupper(c)); });
  std::vector<std::string> exclude =
      r.has("exclude_modules") ? r.string_list("exclude_modules") : r.string_list("ignore");
  std::string kv_algo;
  if (inner.contains("kv_cache_quant_algo") && inner["kv_cache_quant_algo"].is_string())
    kv_algo = inner["kv_cache_quant_algo"].get<std::string>();
  if (!r.ok()) return r.error();
  QuantScheme s;
  if (algo == "FP8") {
    s.storage = QuantStorage::fp8;
  } else if (algo == "FP8_PER_CHANNEL_PER_TOKEN") {
    s.storage = QuantStorage::fp8;
    s.per_channel = true;
  } else if (algo == "FP8_PB_WO") {
    s.storage = QuantStorage::fp8;
    s.block_rows = s.block_cols = 128;
  } else if (algo == "NVFP4") {
    s.storage = QuantStorage::nvfp4;
  } else {
    warn_unmodelled(a, r.field("quant_algo"), algo.empty() ? "(missing)" : algo);
    return std::nullopt;
  }
  out.schemes.push_back(s);
  out.modules_not_converted = std::move(exclude);
  out.exclusion = ExclusionRule::modelopt;
  out.lm_head_quantized = true;  // modelopt.py quantises ParallelLMHead unless excluded
  std::string kv_lower = kv_algo;
  std::transform(kv_lower.begin(), kv_lower.end(), kv_lower.begin(),
                 [](char c) { return static_cast<char>(std::tolower(c)); });
  if (kv_lower == "fp8") {
    // utils/torch_utils.py resolve_kv_cache_dtype_string: "auto" becomes the checkpoint's kv_cache_quant_algo.
    out.kv_cache_dtype = "fp8";
    out.kv_cache_auto = true;
  } else if (!kv_lower.empty()) {
    warn_unmodelled(a, r.field("kv_cache_quant_algo"), kv_algo);
  }
  return std::nullopt;
}

// GPTQ: bits, group_size, desc_act, sym, lm_head, dynamic (gptq_utils.py get_dynamic_override).
Status read_gptq(const json& qj, JsonReader& q, Architecture& a) {
  auto& out = a.quant;
  QuantScheme s;
  s.storage = QuantStorage::int_grouped;
  s.bits = static_cast<int>(q.integer("bits", 4, 1, 16));
  s.group_size = static_cast<int>(q.integer("group_size", 128, -1, 1 << 20));
  s.symmetric = false;       // GPTQLinearMethod always holds qzeros
  s.act_order_index = true;  // and g_idx
  out.lm_head_quantized = q.boolean("lm_head", false);
  if (!q.ok()) return q.error();
  out.schemes.push_back(s);
  if (const json* dyn = object_at(qj, "dynamic")) {
    std::size_t i = 0;
    for (auto it = dyn->begin(); it != dyn->end(); ++it, ++i) {
      const std::string field = q.field("dynamic") + "[" + std::to_string(i) + "]";
      DynamicOverride d;
      std::string pattern = it.key();
      if (pattern.rfind("-:", 0) == 0) d.exclude = true;
      if (pattern.rfind("-:", 0) == 0 || pattern.rfind("+:", 0) == 0) pattern = pattern.substr(2);
      if (checked_patterns(a, field, {pattern}, true).empty()) continue;
      d.pattern = pattern;
      if (!d.exclude) {
        if (!it.value().is_object())
          return make_error(ErrorCode::invalid_field, field,
                            "a dynamic override must be an object, got " + describe_json_value(it.value()));
        JsonReader o(it.value(), field);
        QuantScheme os = s;
        os.bits = static_cast<int>(o.integer("bits", s.bits, 1, 16));
        os.group_size = static_cast<int>(o.integer("group_size", s.group_size, -1, 1 << 20));
        if (!o.ok()) return o.error();
        d.bits = os.bits;
        d.group_size = os.group_size;
        out.schemes.push_back(os);
      }
      out.dynamic.push_back(d);
    }
  }
  return std::nullopt;
}

}  // namespace

Status read_quantization(const json& merged, const JsonReader& r, Architecture& a) {
  if (!merged.contains("quantization_config") || merged["quantization_config"].is_null()) return std::nullopt;
  const json& qj = merged["quantization_config"];
  if (!qj.is_object())
    return make_error(ErrorCode::invalid_field, r.field("quantization_config"),
                      "quantization_config must be an object, got " + describe_json_value(qj));
  JsonReader q(qj, r.field("quantization_config"));
  auto& out = a.quant;
  out.method = q.string("quant_method", "");
  out.bits = static_cast<int>(q.integer("bits", 0, 0, 64));
  out.group_size = static_cast<int>(q.integer("group_size", 0, -1, 1 << 20));
  out.desc_act = q.boolean("desc_act", false);
  auto block = q.integer_list("weight_block_size", 1, 1 << 20);
  if (!q.ok()) return q.error();
  if (!block.empty() && block.size() != 2)
    return make_error(ErrorCode::invalid_field, q.field("weight_block_size"),
                      "weight_block_size must be two positive integers, got " + std::to_string(block.size()));
  if (block.size() == 2) {
    out.block_rows = static_cast<int>(block[0]);
    out.block_cols = static_cast<int>(block[1]);
  }
  const bool bnb = q.boolean("load_in_4bit", false) || q.boolean("load_in_8bit", false);
  if (bnb) out.method = "bitsandbytes";
  const std::string m = out.method;

  Status st;
  if (m == "compressed-tensors") {
    st = read_compressed_tensors(qj, q, a);
  } else if (m.rfind("modelopt", 0) == 0) {
    st = read_modelopt(qj, q, a);
  } else if (m == "gptq") {
    st = read_gptq(qj, q, a);
    if (!st) out.modules_not_converted = q.string_list("modules_to_not_convert");
    out.exclusion = ExclusionRule::substring;
  } else if (m == "awq") {
    // awq.py: bits / group_size / zero_point (older "w_bit" / "q_group_size"), modules_to_not_convert as substrings.
    QuantScheme s;
    s.storage = QuantStorage::int_grouped;
    s.bits = static_cast<int>(q.first_integer({"bits", "w_bit"}, 4, 1, 16));
    s.group_size = static_cast<int>(q.first_integer({"group_size", "q_group_size"}, 128, -1, 1 << 20));
    s.symmetric = false;  // AWQLinearMethod always holds qzeros
    out.schemes.push_back(s);
    out.modules_not_converted = q.string_list("modules_to_not_convert");
    out.exclusion = ExclusionRule::substring;
  } else if (m == "fp8" || m == "fbgemm_fp8") {
    QuantScheme s;
    s.storage = QuantStorage::fp8;
    if (m == "fbgemm_fp8") {
      s.per_channel = true;  // fbgemm_fp8.py: ChannelQuantScaleParameter, one fp32 per output row
      out.modules_not_converted = q.string_list("modules_to_not_convert");
    } else {
      s.block_rows = out.block_rows;
      s.block_cols = out.block_cols;
      // fp8.py from_config: ignored_layers, else modules_to_not_convert.
      out.modules_not_converted = q.string_list("ignored_layers");
      if (out.modules_not_converted.empty()) out.modules_not_converted = q.string_list("modules_to_not_convert");
    }
    out.schemes.push_back(s);
    out.exclusion = ExclusionRule::exact;
  } else if (m == "mxfp4") {
    QuantScheme s;
    s.storage = QuantStorage::mxfp4;
    s.bits = 4;
    out.schemes.push_back(s);
    out.modules_not_converted = q.string_list("modules_to_not_convert");
    out.exclusion = ExclusionRule::exact;
    out.only_experts = true;  // mxfp4.py: linear layers get UnquantizedLinearMethod
  } else if (m == "bitsandbytes") {
    QuantScheme s;
    if (q.boolean("load_in_8bit", false)) {
      s.storage = QuantStorage::int8_bnb;
      s.bits = 8;
    } else {
      s.storage = QuantStorage::nf4;
      s.bits = 4;
      s.double_quant = q.boolean("bnb_4bit_use_double_quant", false);
    }
    out.schemes.push_back(s);
    out.modules_not_converted = q.string_list("llm_int8_skip_modules");
    out.exclusion = ExclusionRule::bnb_components;
    out.bits = s.bits;
  } else if (!m.empty()) {
    a.warnings.push_back(Text(Msg::quant_unknown_method).str("method", m.substr(0, 40)).str("dtype", a.dtype));
  }
  if (st) return st;
  if (!q.ok()) return q.error();
  return std::nullopt;
}

}  // namespace vramplan::import
