#include "vramplan/engines/rules_of_thumb.hpp"

#include <cmath>

#include "vramplan/formats/gguf.hpp"

namespace vramplan {

// The format's nominal bits (GGUF: the main type's, Q4_K_M -> Q4_K = 4.5 bpw).
double nominal_bytes_per_param(const WeightFormat& fmt) { return fmt.bits_per_weight / 8.0; }

std::vector<RuleOfThumb> rules_of_thumb(std::int64_t params, const WeightFormat& fmt, std::int64_t kv_bytes,
                                        std::int64_t detailed_total) {
  const double bpp = nominal_bytes_per_param(fmt);
  const double w = static_cast<double>(params) * bpp;
  const double kv = static_cast<double>(kv_bytes);
  // "N params x B B": whole bytes per parameter without decimals, fractions with three.
  const Text w_text = Text(bpp == std::floor(bpp) ? Msg::rule_params : Msg::rule_params_fraction)
                          .integer("params", params)
                          .number("bytes_per_param", bpp);
  const auto w_bytes = static_cast<std::int64_t>(w);
  std::vector<RuleOfThumb> out;
  // The formula's message gets the rule's own figure as `bytes` (" = 141.11 GB").
  auto add = [&](const char* id, double bytes, Text formula, const char* source) {
    RuleOfThumb r;
    r.id = id;
    r.bytes = static_cast<std::int64_t>(std::llround(bytes));
    r.formula = std::move(formula.integer("bytes", r.bytes));
    r.source = source;
    r.ratio_to_detailed = detailed_total > 0 ? bytes / static_cast<double>(detailed_total) : 0.0;
    out.push_back(std::move(r));
  };
  add("weights_only", w, Text(Msg::rule_formula_weights_only).text("weights", w_text),
      "seeds 000/001: memory = parameters x bytes per parameter (FP16 2 B, FP8/INT8 1 B, INT4 0.5 B)");
  add("weights_x1.2", w * 1.2, Text(Msg::rule_formula_weights_x1_2).text("weights", w_text),
      "seed 003: inference memory = 1.2 x model memory");
  add("weights_plus_kv_x1.2", (w + kv) * 1.2,
      Text(Msg::rule_formula_weights_plus_kv_x1_2).integer("weights", w_bytes).integer("kv", kv_bytes),
      "seed 002: total = (parameters + KV cache) x 1.2");
  add("weights_x1.2_plus_kv_plus_4gb", w * 1.2 + kv + 4e9,
      Text(Msg::rule_formula_weights_x1_2_plus_kv_plus_4gb).integer("weights", w_bytes).integer("kv", kv_bytes),
      "seed 000: total = weights x 1.2 + KV cache (max concurrency) + 4 GB system reserve");
  add("weights_plus_kv_plus_3gib", w + kv + 3.0 * 1073741824.0,
      Text(Msg::rule_formula_weights_plus_kv_plus_3gib).integer("weights", w_bytes).integer("kv", kv_bytes),
      "seed 001: estimate_vram() = weights + KV + 3 GB system overhead (its GB are GiB)");
  return out;
}

}  // namespace vramplan
