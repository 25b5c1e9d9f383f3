#include "vramplan/api/api.hpp"

#include <set>

#include "vramplan/api/engine_options.hpp"
#include "vramplan/api/json_read.hpp"
#include "vramplan/common/strings.hpp"
#include "vramplan/common/units.hpp"
#include "vramplan/engines/engine.hpp"
#include "vramplan/import/config.hpp"

namespace vramplan {
namespace {

using nlohmann::json;

void warn_unknown_keys(const json& obj, std::initializer_list<const char*> known, const std::string& prefix,
                       std::vector<Text>* warnings) {
  if (!obj.is_object() || !warnings) return;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool ok = false;
    for (const char* k : known) ok = ok || it.key() == k;
    if (!ok)
      warnings->push_back(
          Text(Msg::warn_unknown_field).str("field", (prefix.empty() ? "" : prefix + ".") + it.key().substr(0, 40)));
  }
}

json nested_json(const Text& t);

json arg_json(const TextArg& a) {
  switch (a.kind) {
    case TextArg::Kind::integer:
      return a.i;
    case TextArg::Kind::number:
      return a.x;
    case TextArg::Kind::string:
      return a.s;
    case TextArg::Kind::text:
      return a.items.empty() ? json(nullptr) : nested_json(a.items.front());
    case TextArg::Kind::list: {
      json list = json::array();
      for (const auto& item : a.items) list.push_back(nested_json(item));
      return list;
    }
  }
  return nullptr;
}

json nested_json(const Text& t) {
  json out = json::object();
  out["code"] = code(t.id);
  for (const auto& a : t.args) out[a.name] = arg_json(a);
  return out;
}

constexpr std::int64_t kMaxContextTokens = std::int64_t{1} << 24;  // 16,777,216
constexpr std::int64_t kMaxConcurrency = 1000000;
constexpr std::int64_t kMaxGpus = 4096;

}  // namespace

void to_json(json& j, const Text& t) {
  if (t.empty()) {
    j = nullptr;
    return;
  }
  j = nested_json(t);
  j["message"] = render(t);
}

json report_json(const EngineReport& r) {
  json out = json::object();
  if (!r.engine.empty()) out["engine"] = r.engine;
  for (const auto& f : r.fields) {
    const ReportValue& v = f.value;
    switch (v.kind) {
      case ReportValue::Kind::integer:
        out[f.key] = v.i;
        break;
      case ReportValue::Kind::number:
        out[f.key] = v.x;
        break;
      case ReportValue::Kind::boolean:
        out[f.key] = v.b;
        break;
      case ReportValue::Kind::string:
        out[f.key] = v.s;
        break;
      case ReportValue::Kind::note:
        out[f.key] = v.note;  // a coded text, like every other
        break;
    }
  }
  if (!r.kv_caches.empty()) {
    json caches = json::array();
    for (const auto& c : r.kv_caches)
      caches.push_back({{"name", c.name},
                        {"cells", c.cells},
                        {"streams", c.streams},
                        {"layers", c.layers},
                        {"k_bytes", c.k_bytes},
                        {"v_bytes", c.v_bytes},
                        {"k_mib", static_cast<double>(c.k_bytes) / kMiB},
                        {"v_mib", static_cast<double>(c.v_bytes) / kMiB}});
    out["kv_caches"] = caches;
  }
  if (!r.devices.empty()) {
    json devices = json::array();
    for (const auto& d : r.devices)
      devices.push_back({{"name", d.name},
                         {"layers", d.layers},
                         {"output_layer", d.output_layer},
                         {"model_buffer_bytes", d.model},
                         {"kv_buffer_bytes", d.kv},
                         {"recurrent_state_bytes", d.recurrent},
                         {"compute_buffer_bytes", d.compute},
                         {"context_bytes", d.context},
                         {"total_bytes", d.total}});
    out["devices"] = devices;
  }
  if (!r.log_lines.empty()) out["log_lines"] = r.log_lines;
  return out;
}

json error_json(const Error& e) {
  return json{{"error", {{"code", to_string(e.code)}, {"field", e.field}, {"message", e.message}}}};
}

std::string dump_json(const json& j, int indent) { return j.dump(indent, ' ', false, json::error_handler_t::replace); }

namespace {

// The request's model: a catalog id/alias or an inline config.json.
Status read_model(const json& req, const Catalog& catalog, EstimateInput& in) {
  if (!req.contains("model") || req["model"].is_null())
    return make_error(ErrorCode::invalid_field, "model",
                      "model is required: a catalog id such as \"Qwen/QwQ-32B\" or {\"config\": {...}}");
  const json& model = req["model"];
  if (model.is_string()) {
    const std::string id = model.get<std::string>();
    const ModelEntry* entry = catalog.find_model(id);
    if (!entry)
      return make_error(ErrorCode::unknown_model, "model",
                        "unknown model '" + id.substr(0, 60) + "'; closest catalog ids: " +
                            join(catalog.closest_models(id, 3)) + " (or pass {\"config\": {...}} with a config.json)");
    auto arch = model_architecture(*entry, "model");
    if (!arch) return arch.error();
    in.arch = arch.value();
    in.model_id = entry->id;
  } else if (model.is_object()) {
    if (!model.contains("config"))
      return make_error(ErrorCode::invalid_field, "model.config",
                        "an inline model needs a \"config\" object (a config.json)");
    auto arch = model.contains("hf_quant_config") ? parse_hf_config(model["config"], model["hf_quant_config"],
                                                                    "model.config", "model.hf_quant_config")
                                                  : parse_hf_config(model["config"], "model.config");
    if (!arch) return arch.error();
    in.arch = arch.value();
    in.model_id = (model.contains("name") && model["name"].is_string())
                      ? model["name"].get<std::string>().substr(0, 120)
                      : "custom";
  } else {
    return make_error(ErrorCode::invalid_field, "model",
                      "model must be a catalog id (string) or {\"config\": {...}}, got " + describe_json_value(model));
  }
  return std::nullopt;
}

// The weight format: the checkpoint's own, or the one asked for (keeping the checkpoint's exclusions unless the
// request says otherwise).
Status read_weights(const std::string& weights, JsonReader& top, std::vector<Text>* warnings, EstimateInput& in) {
  if (weights.empty()) {
    in.weights = native_weight_format(in.arch);
  } else {
    auto f = find_weight_format(weights, "weights");
    if (!f) return f.error();
    in.weights = f.value();
    // A checkpoint already in this format keeps its own description; another format keeps the checkpoint's
    // exclusions (its 16-bit modules stay 16-bit) unless the request says otherwise.
    const WeightFormat native = native_weight_format(in.arch);
    const bool keep = top.boolean("keep_checkpoint_exclusions", true);
    if (!top.ok()) return top.error();
    if (in.weights.id == native.id) {
      in.weights = native;
    } else if (keep && native.checkpoint) {
      in.weights = with_checkpoint_exclusions(in.weights, native);
      if (in.weights.checkpoint)
        if (warnings)
          warnings->push_back(
              Text(Msg::quant_exclusions_kept).str("format", in.weights.id).str("method", in.arch.quant.method));
    }
  }
  return std::nullopt;
}

}  // namespace

Expected<EstimateInput> parse_estimate_request(const json& req, const Catalog& catalog, std::vector<Text>* warnings,
                                               bool warn_no_gpu) {
  if (!req.is_object())
    return make_error(ErrorCode::invalid_json, "",
                      "the request must be a JSON object, got " + describe_json_value(req));
  warn_unknown_keys(req,
                    {"model", "weights", "kv_cache_dtype", "engine", "engine_options", "workload", "hardware",
                     "keep_checkpoint_exclusions"},
                    "", warnings);
  EstimateInput in;

  if (auto e = read_model(req, catalog, in)) return *e;

  JsonReader top(req, "");
  const std::string weights = top.string("weights", "");
  const std::string kv = top.string("kv_cache_dtype", "auto");
  const std::string engine_id = top.string("engine", "generic");
  if (!top.ok()) return top.error();
  const EngineProfile* engine = find_engine(engine_id);
  if (!engine)
    return make_error(ErrorCode::unsupported, "engine",
                      "engine '" + engine_id.substr(0, 40) + "' has no profile; use one of " + engine_ids_text());
  in.engine = engine;
  // Serving engines run a float32 checkpoint in 16 bits unless told otherwise (vLLM config/model.py
  // _resolve_auto_dtype: "we use float16 for float32 models", bfloat16 for Gemma; SGLang, TGI and TensorRT-LLM
  // likewise): its weights and its "auto" KV cache take 2 bytes per value.
  if (engine->fp32_checkpoints_in_16bit && element_bytes_16bit(in.arch) == 4) {
    in.arch.dtype = "bfloat16";
    if (warnings) warnings->push_back(Text(Msg::warn_fp32_checkpoint_16bit).str("engine", engine->name));
  }
  if (auto e = read_weights(weights, top, warnings, in)) return *e;
  auto kvd = find_kv_dtype(kv, in.arch, "kv_cache_dtype");
  if (!kvd) return kvd.error();
  in.kv = kvd.value();
  // vLLM resolves kv_cache_dtype "auto" to the checkpoint's declared KV scheme where its loader reads one
  // (vllm/utils/torch_utils.py resolve_kv_cache_dtype_string / get_kv_cache_quant_algo_string: ModelOpt's
  // kv_cache_quant_algo); every other engine and method keeps the model's dtype.
  if ((kv == "auto" || kv.empty()) && in.arch.quant.kv_cache_auto && !in.arch.quant.kv_cache_dtype.empty() &&
      std::string(engine->id) == "vllm") {
    auto declared = find_kv_dtype(in.arch.quant.kv_cache_dtype, in.arch, "kv_cache_dtype");
    if (declared) {
      in.kv = declared.value();
      if (warnings)
        warnings->push_back(
            Text(Msg::quant_kv_auto_from_checkpoint).str("dtype", in.kv.id).str("engine", engine->name));
    }
  }

  // Workload.
  if (req.contains("workload") && !req["workload"].is_null()) {
    if (!req["workload"].is_object())
      return make_error(ErrorCode::invalid_field, "workload",
                        "workload must be an object, got " + describe_json_value(req["workload"]));
    warn_unknown_keys(req["workload"], {"context_tokens", "concurrency"}, "workload", warnings);
    JsonReader w(req["workload"], "workload");
    in.context_tokens = w.integer("context_tokens", 4096, 1, kMaxContextTokens);
    in.concurrency = w.integer("concurrency", 1, 1, kMaxConcurrency);
    if (!w.ok()) return w.error();
  }

  // Hardware.
  bool have_gpu = false;
  bool tp_given = false;
  bool hw_pp_given = false;
  if (req.contains("hardware") && !req["hardware"].is_null()) {
    const json& hw = req["hardware"];
    if (!hw.is_object())
      return make_error(ErrorCode::invalid_field, "hardware",
                        "hardware must be an object, got " + describe_json_value(hw));
    warn_unknown_keys(hw, {"gpu", "count", "tensor_parallel", "pipeline_parallel", "expert_parallel"}, "hardware",
                      warnings);
    JsonReader h(hw, "hardware");
    in.count = h.integer("count", 1, 1, kMaxGpus);
    in.pp = h.integer("pipeline_parallel", 1, 1, kMaxGpus);
    hw_pp_given = h.has("pipeline_parallel");
    tp_given = h.has("tensor_parallel");
    in.tp = h.integer("tensor_parallel", 0, 1, kMaxGpus);
    in.ep = h.integer("expert_parallel", 1, 1, kMaxGpus);
    if (!h.ok()) return h.error();
    if (hw.contains("gpu") && !hw["gpu"].is_null()) {
      const json& g = hw["gpu"];
      if (g.is_string()) {
        const GpuEntry* e = catalog.find_gpu(g.get<std::string>());
        if (!e)
          return make_error(ErrorCode::unknown_gpu, "hardware.gpu",
                            "unknown GPU '" + g.get<std::string>().substr(0, 60) +
                                "'; closest catalog ids: " + join(catalog.closest_gpus(g.get<std::string>(), 3)) +
                                " (or pass {\"name\": ..., \"memory_bytes\": ...})");
        in.gpu = *e;
      } else {
        auto parsed = parse_gpu_entry(g, "hardware.gpu");
        if (!parsed) return parsed.error();
        in.gpu = parsed.value();
        in.gpu.inline_entry = true;
      }
      have_gpu = true;
    }
  }
  // Engines that split the layers over the GPUs (llama.cpp's layer split, transformers' device_map,
  // KTransformers) default to one stage per GPU.
  if (!tp_given && engine->layer_split_default && !hw_pp_given) {
    in.tp = 1;
    in.pp = in.count;
  } else if (!tp_given) {
    in.tp = in.count % in.pp == 0 ? in.count / in.pp : 1;
  }
  if (!have_gpu) {
    in.gpu.id = "none";
    in.gpu.name = "no GPU chosen";
    in.gpu.memory_bytes = 0;
    if (warnings && warn_no_gpu) warnings->push_back(Text(Msg::warn_no_gpu));
  }

  // The engine's own options, validated against its option list.
  auto options =
      read_engine_options(req.contains("engine_options") ? req["engine_options"] : json(), *engine, warnings);
  if (!options) return options.error();
  in.options = std::move(options.value());

  // Products that could overflow 64-bit arithmetic are refused before any is formed.
  const double kv_rough = static_cast<double>(kv_bytes_per_token(in.arch, in.kv)) *
                          static_cast<double>(in.context_tokens) * static_cast<double>(in.concurrency);
  if (kv_rough > 4e18)
    return make_error(
        ErrorCode::invalid_field, "workload",
        "context_tokens x concurrency is too large to compute (" + fmt_num(kv_rough / 1e18, 1) + " EB of KV cache)");
  return in;
}

json estimate_result_json(const EstimateInput& in, const EstimateResult& r, const Catalog& catalog) {
  json out;
  const ModelEntry* entry = catalog.find_model(in.model_id);
  out["model"] = {{"id", in.model_id},
                  {"name", entry ? entry->name : in.model_id},
                  {"model_type", in.arch.model_type},
                  {"architecture", in.arch.architecture},
                  {"layers", in.arch.num_layers},
                  {"hidden_size", in.arch.hidden_size},
                  {"attention_heads", in.arch.num_heads},
                  {"kv_heads", in.arch.num_kv_heads},
                  {"head_dim", in.arch.head_dim}};
  out["request"] = {{"weights", in.weights.id},      {"kv_cache_dtype", in.kv.id},
                    {"engine", in.engine->id},       {"context_tokens", in.context_tokens},
                    {"concurrency", in.concurrency}, {"gpu", in.gpu.id},
                    {"gpu_name", in.gpu.name},       {"count", in.count},
                    {"tensor_parallel", in.tp},      {"pipeline_parallel", in.pp},
                    {"expert_parallel", in.ep},      {"data_parallel", r.data_parallel}};
  json by_class = json::object();
  for (int c = 0; c < 10; ++c)
    if (r.params.per_class[c]) by_class[to_string(static_cast<TensorClass>(c))] = r.params.per_class[c];
  std::vector<Text> classes;
  for (int c = 0; c < 10; ++c)
    if (r.params.per_class[c])
      classes.push_back(Text(Msg::params_class)
                            .text("class", Text(tensor_class_label(static_cast<TensorClass>(c))))
                            .integer("params", r.params.per_class[c]));
  Text params_explain(Msg::params_total);
  params_explain.list("classes", std::move(classes)).integer("total", r.params.total);
  if (r.checkpoint_params != r.params.total)
    params_explain.text("checkpoint", Text(Msg::params_checkpoint)
                                          .integer("extra", r.checkpoint_params - r.params.total)
                                          .integer("total", r.checkpoint_params));
  out["params"] = {{"explain", params_explain},
                   {"total", r.params.total},
                   {"active", r.params.active},
                   {"embedding", r.params.embedding},
                   {"checkpoint_total", r.checkpoint_params},
                   {"by_class", by_class}};
  if (entry && entry->official_params > 0) {
    out["params"]["official"] = entry->official_params;
    if (!entry->official_params_source.empty()) out["params"]["official_source"] = entry->official_params_source;
  }
  json wclasses = json::array();
  for (const auto& c : r.weights_by_class)
    wclasses.push_back({{"class", to_string(c.cls)}, {"params", c.params}, {"bytes", c.bytes}, {"storage", c.storage}});
  out["weights"] = {
      {"format", in.weights.id},
      {"label", in.weights.label},
      {"bytes", r.weight_bytes},
      {"bits_per_param",
       r.params.total > 0 ? 8.0 * static_cast<double>(r.weight_bytes) / static_cast<double>(r.params.total) : 0.0},
      {"by_class", wclasses},
      {"explain", r.weights_explain}};
  json layers = json::array();
  for (const auto& c : cache_layout(in.arch, in.kv, 1)) {
    const std::string kind = c.kind_name();
    bool merged = false;
    for (auto& l : layers)
      if (l["kind"] == kind && l["window"] == c.token_span() && l["bytes_per_token"] == c.bytes_per_token() &&
          l["state_bytes"] == c.state_bytes()) {
        l["count"] = l["count"].get<std::int64_t>() + 1;
        merged = true;
      }
    if (!merged)
      layers.push_back({{"kind", kind},
                        {"window", c.token_span()},
                        {"count", 1},
                        {"bytes_per_token", c.bytes_per_token()},
                        {"state_bytes", c.state_bytes()}});
  }
  out["kv_cache"] = {{"dtype", in.kv.id},
                     {"bytes_per_token", r.kv_bytes_per_token},
                     {"bytes_per_sequence", r.kv_bytes_per_sequence},
                     {"bytes", r.kv_bytes},
                     {"layers", layers},
                     {"explain", r.kv_explain},
                     {"naive_no_gqa_bytes", r.kv_naive_bytes},
                     {"naive_explain", r.kv_naive_explain}};
  json per_gpu = json::array();
  for (const auto& u : r.per_gpu)
    per_gpu.push_back({{"gpu", in.gpu.id},
                       {"index", u.index},
                       {"tp_rank", u.tp_rank},
                       {"pp_stage", u.pp_stage},
                       {"replica", u.replica},
                       {"weights", u.weights},
                       {"kv_cache", u.kv_cache},
                       {"activations", u.activations},
                       {"overhead", u.overhead},
                       {"total", u.total},
                       {"capacity", u.capacity},
                       {"free", u.capacity - u.total}});
  out["per_gpu"] = per_gpu;
  json breakdown = json::array();
  for (const auto& item : r.breakdown)
    breakdown.push_back({{"id", item.id}, {"label", item.label}, {"bytes", item.bytes}, {"explain", item.explain}});
  out["breakdown"] = breakdown;
  out["fits"] = r.fits;
  out["verdict"] = r.verdict;
  json rules = json::array();
  for (const auto& rule : r.rules_of_thumb)
    rules.push_back({{"id", rule.id},
                     {"bytes", rule.bytes},
                     {"ratio_to_detailed", rule.ratio_to_detailed},
                     {"formula", rule.formula},
                     {"source", rule.source}});
  out["rules_of_thumb"] = rules;
  json assumptions = json::array();
  for (const auto& a : r.assumptions) assumptions.push_back({{"name", a.name}, {"value", a.value}, {"why", a.why}});
  out["assumptions"] = assumptions;
  out["engine_report"] = report_json(r.engine_report);
  if (r.host_bytes > 0) out["host"] = {{"bytes", r.host_bytes}, {"explain", r.host_explain}};
  out["warnings"] = r.warnings;
  return out;
}

json estimate_json(const json& request, const Catalog& catalog) {
  std::vector<Text> warnings;
  auto in = parse_estimate_request(request, catalog, &warnings);
  if (!in) return error_json(in.error());
  auto r = estimate(in.value());
  if (!r) return error_json(r.error());
  for (const auto& w : warnings) r->warnings.push_back(w);
  return estimate_result_json(in.value(), r.value(), catalog);
}

std::string call_with_text(const std::string& text, json (*call)(const json&)) {
  auto request = parse_json(text);
  if (request.is_discarded())
    return dump_json(error_json(make_error(ErrorCode::invalid_json, "", "the request is not valid JSON")));
  return dump_json(call(request));
}

std::string estimate_text(const std::string& text) {
  return call_with_text(text, [](const json& r) { return estimate_json(r); });
}

json sweep_json(const json& request, const std::string& axis, const std::vector<std::int64_t>& values,
                const Catalog& catalog) {
  if (axis != "context_tokens" && axis != "concurrency")
    return error_json(make_error(ErrorCode::invalid_field, "axis",
                                 "axis must be context_tokens or concurrency, got '" + axis.substr(0, 40) + "'"));
  if (values.empty() || values.size() > 4096)
    return error_json(make_error(ErrorCode::invalid_field, "values", "values must hold 1 to 4096 points"));
  auto base = parse_estimate_request(request, catalog, nullptr);
  if (!base) return error_json(base.error());
  json points = json::array();
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::int64_t v = values[i];
    if (v < 1 || v > (axis == "concurrency" ? kMaxConcurrency : kMaxContextTokens))
      return error_json(make_error(ErrorCode::invalid_field, "values[" + std::to_string(i) + "]",
                                   axis + " values must be positive integers within limits, got " + std::to_string(v)));
    EstimateInput in = base.value();
    (axis == "concurrency" ? in.concurrency : in.context_tokens) = v;
    auto r = estimate(in);
    if (!r) return error_json(r.error());
    const GpuUsage* worst = &r->per_gpu.front();
    for (const auto& u : r->per_gpu)
      if (u.total > worst->total) worst = &u;
    points.push_back({{"value", v},
                      {"per_gpu_total", worst->total},
                      {"weights", worst->weights},
                      {"kv_cache", worst->kv_cache},
                      {"activations", worst->activations},
                      {"overhead", worst->overhead},
                      {"capacity", worst->capacity},
                      {"fits", r->fits}});
  }
  return json{{"axis", axis}, {"points", points}};
}

std::string sweep_text(const std::string& text) {
  auto j = parse_json(text);
  if (j.is_discarded() || !j.is_object())
    return dump_json(error_json(make_error(ErrorCode::invalid_json, "", "the sweep request is not a JSON object")));
  if (!j.contains("request") || !j.contains("axis") || !j["axis"].is_string() || !j.contains("values") ||
      !j["values"].is_array())
    return dump_json(error_json(make_error(
        ErrorCode::invalid_field, "",
        "a sweep needs {\"request\": {...}, \"axis\": \"context_tokens\"|\"concurrency\", \"values\": [...]}")));
  std::vector<std::int64_t> values;
  for (std::size_t i = 0; i < j["values"].size(); ++i) {
    const auto& v = j["values"][i];
    if (!v.is_number_integer())
      return dump_json(error_json(make_error(ErrorCode::invalid_field, "values[" + std::to_string(i) + "]",
                                             "sweep values must be integers, got " + describe_json_value(v))));
    values.push_back(v.get<std::int64_t>());
  }
  return dump_json(sweep_json(j["request"], j["axis"].get<std::string>(), values));
}

json catalog_json(const std::string& which, const Catalog& catalog) {
  json out = json::object();
  if (which.empty() || which == "models") {
    json models = json::array();
    for (const auto& m : catalog.models)
      models.push_back({{"id", m.id},
                        {"name", m.name},
                        {"aliases", m.aliases},
                        {"family", m.family},
                        {"official_params", m.official_params ? json(m.official_params) : json(nullptr)},
                        {"source", m.source}});
    out["models"] = models;
  }
  if (which.empty() || which == "gpus") {
    json gpus = json::array();
    for (const auto& g : catalog.gpus)
      gpus.push_back({{"id", g.id},
                      {"name", g.name},
                      {"aliases", g.aliases},
                      {"vendor", g.vendor},
                      {"memory_bytes", g.memory_bytes},
                      {"capacity_bytes", g.capacity_bytes()},
                      {"bandwidth_bytes_per_s", g.bandwidth_bytes_per_s},
                      {"bf16_flops", g.bf16_flops},
                      {"fp8_flops", g.fp8_flops},
                      {"fp8_path", to_string(g.fp8_path)},
                      {"compute_capability", g.compute_capability / 10.0},
                      {"source", g.source}});
    out["gpus"] = gpus;
  }
  if (which.empty() || which == "formats") {
    out["formats"] = weight_format_ids();
    out["kv_cache_dtypes"] = kv_dtype_ids();
  }
  if (which.empty() || which == "engines") {
    json list = json::array();
    for (const EngineProfile* e : engines()) list.push_back(engine_json(*e));
    out["engines"] = list;
  }
  return out;
}

}  // namespace vramplan
