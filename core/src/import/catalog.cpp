// data/models.json and data/gpus.json (embedded at build time) -> Catalog; a catalog entry -> Architecture.
#include "vramplan/import/catalog.hpp"

#include <cmath>

#include "vramplan/api/json_read.hpp"
#include "vramplan/import/config.hpp"

namespace vramplan {

Expected<GpuEntry> parse_gpu_entry(const nlohmann::json& j, const std::string& field) {
  if (!j.is_object())
    return make_error(
        ErrorCode::invalid_field, field,
        "gpu must be a catalog id or an object with name and memory_bytes, got " + describe_json_value(j));
  JsonReader r(j, field);
  GpuEntry g;
  g.id = r.string("id", "");
  g.name = r.string("name", g.id.empty() ? "custom GPU" : g.id);
  if (g.name.size() > 120) g.name = g.name.substr(0, 120);
  if (g.id.empty()) g.id = "custom";
  g.aliases = r.string_list("aliases");
  g.vendor = r.string("vendor", "");
  g.memory_bytes = r.integer("memory_bytes", 0, 1, std::int64_t{1} << 50, true);
  g.usable_fraction = r.number("usable_fraction", 1.0, 0.01, 1.0);
  // Catalog entries give GB/s and TFLOPS; inline objects may give bytes/s and FLOPS as API.md says.
  g.bandwidth_bytes_per_s = r.number("bandwidth_gb_s", 0, 0, 1e6) * 1e9;
  if (r.has("bandwidth_bytes_per_s")) g.bandwidth_bytes_per_s = r.number("bandwidth_bytes_per_s", 0, 0, 1e15);
  g.bf16_flops = r.number("bf16_tflops", 0, 0, 1e6) * 1e12;
  if (r.has("bf16_flops")) g.bf16_flops = r.number("bf16_flops", 0, 0, 1e19);
  g.fp16_flops = r.number("fp16_tflops", 0, 0, 1e6) * 1e12;
  g.fp8_flops = r.number("fp8_tflops", 0, 0, 1e6) * 1e12;
  if (r.has("fp8_flops")) g.fp8_flops = r.number("fp8_flops", 0, 0, 1e19);
  g.int8_ops = r.number("int8_tops", 0, 0, 1e6) * 1e12;
  g.fp4_flops = r.number("fp4_tflops", 0, 0, 1e6) * 1e12;
  g.interconnect_bytes_per_s = r.number("interconnect_gb_s", 0, 0, 1e6) * 1e9;
  if (r.has("interconnect_bytes_per_s")) g.interconnect_bytes_per_s = r.number("interconnect_bytes_per_s", 0, 0, 1e15);
  const std::string link = r.string("link", "pcie");
  if (r.ok() && !parse_link(link, &g.link))
    r.fail(ErrorCode::invalid_field, r.field("link"),
           "link must be one of nvlink, xgmi, hccs, metaxlink, mlulink, mtlink, ethernet, pcie, none; got '" +
               link.substr(0, 40) + "'");
  const std::string backend = r.string("backend", "cuda");
  if (r.ok() && !parse_backend(backend, &g.backend))
    r.fail(ErrorCode::invalid_field, r.field("backend"),
           "backend must be one of cuda, rocm, metal, cann, synapse, maca, sycl, bang, musa; got '" +
               backend.substr(0, 40) + "'");
  // An entry that gives an FP8 figure has FP8 tensor cores; otherwise only "fp8_path" says what FP8 weights do.
  const std::string fp8_path = r.string("fp8_path", g.fp8_flops > 0 ? "native" : "unknown");
  if (r.ok() && !parse_fp8_path(fp8_path, &g.fp8_path))
    r.fail(ErrorCode::invalid_field, r.field("fp8_path"),
           "fp8_path must be one of native, weight-only, none, unknown; got '" + fp8_path.substr(0, 40) + "'");
  g.compute_capability = static_cast<int>(std::lround(r.number("compute_capability", 0, 1, 20) * 10));
  g.unified_memory = r.boolean("unified_memory", false);
  g.gpus_per_node = static_cast<int>(r.integer("gpus_per_node", 8, 1, 1024));
  g.price_per_hour = r.number("price_usd_per_hour", 0, 0, 1e6);
  if (r.has("source")) {
    if (j["source"].is_string())
      g.source = j["source"].get<std::string>();
    else if (j["source"].is_array() && !j["source"].empty() && j["source"][0].is_string())
      g.source = j["source"][0].get<std::string>();
  }
  if (!r.ok()) return r.error();
  return g;
}

Expected<Catalog> parse_catalog(const std::string& models_json, const std::string& gpus_json) {
  Catalog c;
  auto models = nlohmann::json::parse(models_json, nullptr, false);
  if (models.is_discarded() || !models.is_object() || !models.contains("models") || !models["models"].is_array())
    return make_error(ErrorCode::invalid_json, "models.json", "models.json must be an object with a 'models' list");
  for (std::size_t i = 0; i < models["models"].size(); ++i) {
    const auto& m = models["models"][i];
    const std::string field = "models[" + std::to_string(i) + "]";
    if (!m.is_object()) return make_error(ErrorCode::invalid_json, field, "entry is not an object");
    JsonReader r(m, field);
    ModelEntry e;
    e.id = r.string("id", "", true);
    e.name = r.string("name", e.id);
    e.aliases = r.string_list("aliases");
    e.family = r.string("family", "");
    e.official_params = r.integer("official_params", 0, 0, std::int64_t{1} << 52);
    e.official_params_source = r.string("official_params_source", "");
    e.source = r.string("source", "", true);
    if (!m.contains("config") || !m["config"].is_object())
      return make_error(ErrorCode::invalid_json, field + ".config", "config must be an object");
    e.config = m["config"].dump();
    if (m.contains("checkpoint") && m["checkpoint"].is_object()) {
      JsonReader ck(m["checkpoint"], field + ".checkpoint");
      e.extra_mtp_layers = ck.integer("mtp_layers", 0, 0, 64);
      e.stores_tied_lm_head = ck.boolean("stores_tied_lm_head", false);
      // Checked where it is read (parse_hf_config), as a request's model.hf_quant_config is.
      if (m["checkpoint"].contains("hf_quant_config")) e.hf_quant_config = m["checkpoint"]["hf_quant_config"].dump();
      if (!ck.ok()) return ck.error();
    }
    if (!r.ok()) return r.error();
    c.models.push_back(std::move(e));
  }
  auto gpus = nlohmann::json::parse(gpus_json, nullptr, false);
  if (gpus.is_discarded() || !gpus.is_object() || !gpus.contains("gpus") || !gpus["gpus"].is_array())
    return make_error(ErrorCode::invalid_json, "gpus.json", "gpus.json must be an object with a 'gpus' list");
  for (std::size_t i = 0; i < gpus["gpus"].size(); ++i) {
    auto g = parse_gpu_entry(gpus["gpus"][i], "gpus[" + std::to_string(i) + "]");
    if (!g) return g.error();
    c.gpus.push_back(std::move(g.value()));
  }
  return c;
}

const Catalog& builtin_catalog() {
  static const Catalog catalog = [] {
    auto parsed = parse_catalog(embedded_models_json(), embedded_gpus_json());
    return parsed ? parsed.value() : Catalog{};  // a broken catalog fails the catalog test, not the process
  }();
  return catalog;
}

Expected<Architecture> model_architecture(const ModelEntry& entry, const std::string& field) {
  const nlohmann::json config = nlohmann::json::parse(entry.config, nullptr, false);
  auto arch = entry.hf_quant_config.empty()
                  ? parse_hf_config(config, field)
                  : parse_hf_config(config, nlohmann::json::parse(entry.hf_quant_config, nullptr, false), field,
                                    field + ".checkpoint.hf_quant_config");
  if (!arch) return arch.error();
  if (entry.extra_mtp_layers > 0) arch->num_mtp_layers = entry.extra_mtp_layers;
  arch->checkpoint_stores_tied_lm_head = entry.stores_tied_lm_head;
  return arch;
}

}  // namespace vramplan
