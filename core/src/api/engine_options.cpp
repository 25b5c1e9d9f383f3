// A request's engine_options, validated against the engine's option list (and the options every engine takes):
// each value checked for its type and range, unknown names reported as warnings.
#include "vramplan/api/engine_options.hpp"

#include <cmath>

#include "vramplan/api/json_read.hpp"
#include "vramplan/common/strings.hpp"
#include "vramplan/common/units.hpp"

namespace vramplan {
namespace {

using nlohmann::json;

// The fewest decimals that give `x` back (0.21 -> "0.21"), for a choice written as a number.
std::string shortest_text(double x) {
  for (int d = 0; d < 7; ++d) {
    const std::string t = fmt_num(x, d);
    if (std::stod(t) == x) return t;
  }
  return fmt_num(x, 7);
}

// "a,b|c" -> the canonical choice for `text` (a for a or b, c for c), or "".
std::string match_choice(const char* choices, const std::string& text) {
  const std::string want = lower(text);
  std::string canonical, item;
  bool first = true;
  auto check = [&](const std::string& name) { return name == want; };
  for (const char* p = choices;; ++p) {
    if (*p == ',' || *p == '|' || *p == '\0') {
      if (first) canonical = item;
      if (!item.empty() && check(item)) return canonical;
      item.clear();
      first = *p == '|';
      if (*p == '\0') break;
    } else {
      item += *p;
    }
  }
  return std::string();
}

// The canonical choices of "a,b|c": a and c.
std::vector<std::string> canonical_choices(const char* choices) {
  std::vector<std::string> out;
  std::string item;
  bool first = true;
  for (const char* p = choices;; ++p) {
    if (*p == ',' || *p == '|' || *p == '\0') {
      if (first && !item.empty()) out.push_back(item);
      item.clear();
      first = *p == '|';
      if (*p == '\0') break;
    } else {
      item += *p;
    }
  }
  return out;
}

// A switch: true/false, 1/0, "on"/"off"/"true"/"false"/"enabled"/"disabled"/"1"/"0", and "auto" where allowed.
// Returns 1, 0 or -1 (auto); -2 if the value is none of these.
double read_switch(const json& v, bool allow_auto) {
  if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
  if (v.is_number_integer() && (v.get<std::int64_t>() == 0 || v.get<std::int64_t>() == 1))
    return static_cast<double>(v.get<std::int64_t>());
  if (!v.is_string()) return -2;
  const std::string s = lower(v.get<std::string>());
  if (s == "on" || s == "true" || s == "enabled" || s == "1") return 1;
  if (s == "off" || s == "false" || s == "disabled" || s == "0") return 0;
  if (s == "auto" && allow_auto) return -1;
  return -2;
}

Status read_value(const json& eo, const std::string& key, const OptionSpec& spec, OptionValue& out) {
  JsonReader r(eo, "engine_options");
  const json& v = eo.at(key);
  const std::string field = "engine_options." + key;
  switch (spec.type) {
    case OptionType::integer:
      out.number = static_cast<double>(
          r.integer(key.c_str(), 0, static_cast<std::int64_t>(spec.min), static_cast<std::int64_t>(spec.max)));
      break;
    case OptionType::number:
      out.number = r.number(key.c_str(), 0, spec.min, spec.max);
      break;
    case OptionType::boolean:
      out.number = r.boolean(key.c_str(), false) ? 1 : 0;
      break;
    case OptionType::on_off:
    case OptionType::on_off_auto: {
      const bool allow_auto = spec.type == OptionType::on_off_auto;
      out.number = read_switch(v, allow_auto);
      if (out.number == -2)
        return make_error(ErrorCode::invalid_field, field,
                          key + " must be true or false" + (allow_auto ? " (or \"on\", \"off\", \"auto\")" : "") +
                              ", got " + describe_json_value(v));
      break;
    }
    case OptionType::choice: {
      // A version written as a number (0.21, from JSON or a URL) is the same choice as its text.
      out.text = v.is_string()         ? match_choice(spec.choices, v.get<std::string>())
                 : v.is_number_float() ? match_choice(spec.choices, shortest_text(v.get<double>()))
                                       : std::string();
      if (out.text.empty())
        return make_error(
            ErrorCode::invalid_field, field,
            key + " must be one of " + join(canonical_choices(spec.choices)) + ", got " + describe_json_value(v));
      break;
    }
    case OptionType::layers: {
      const std::string s = v.is_string() ? lower(v.get<std::string>()) : std::string();
      const bool integral = v.is_number_integer() || (v.is_number_float() && std::isfinite(v.get<double>()) &&
                                                      v.get<double>() == std::floor(v.get<double>()));
      if (s == "all")
        out.number = -1;
      else if (s == "auto")
        out.number = -2;
      else if (integral && v.get<double>() >= -1 && v.get<double>() <= spec.max)
        out.number = v.get<double>();
      else
        return make_error(ErrorCode::invalid_field, field,
                          key +
                              " must be a number of layers (0 or more), -1 or \"all\" for all of them, or \"auto\"; "
                              "got " +
                              describe_json_value(v));
      break;
    }
    case OptionType::number_list: {
      bool ok = v.is_array() && !v.empty() && v.size() <= 1024;
      for (std::size_t i = 0; ok && i < v.size(); ++i) {
        ok = v[i].is_number() && std::isfinite(v[i].get<double>()) && v[i].get<double>() >= 0;
        if (ok) out.list.push_back(v[i].get<double>());
      }
      if (!ok)
        return make_error(ErrorCode::invalid_field, field,
                          key + " must be a list of non-negative numbers, got " + describe_json_value(v));
      break;
    }
  }
  if (!r.ok()) return r.error();
  return std::nullopt;
}

const OptionSpec* find_spec(const EngineProfile& engine, const std::string& key, bool* by_alias) {
  for (Span<OptionSpec> specs : {engine.options, common_options()})
    for (const auto& s : specs) {
      if (key == s.name) {
        *by_alias = false;
        return &s;
      }
      if (*s.alias && key == s.alias) {
        *by_alias = true;
        return &s;
      }
    }
  return nullptr;
}

}  // namespace

Expected<EngineOptions> read_engine_options(const json& eo, const EngineProfile& engine, std::vector<Text>* warnings) {
  EngineOptions out;
  out.specs = engine.options;
  if (eo.is_null()) return out;
  if (!eo.is_object())
    return make_error(ErrorCode::invalid_field, "engine_options",
                      "engine_options must be an object, got " + describe_json_value(eo));
  // The engine's own name wins over an alias given beside it (n_ctx over Ollama's num_ctx).
  for (int pass = 0; pass < 2; ++pass)
    for (auto it = eo.begin(); it != eo.end(); ++it) {
      if (it->is_null()) continue;
      bool by_alias = false;
      const OptionSpec* spec = find_spec(engine, it.key(), &by_alias);
      if (!spec) {
        if (pass == 0 && warnings)
          warnings->push_back(Text(Msg::warn_unknown_option)
                                  .str("engine", engine.name)
                                  .str("option", "engine_options." + it.key().substr(0, 40)));
        continue;
      }
      if (by_alias != (pass == 1) || out.given(spec->name)) continue;
      OptionValue value;
      value.spec = spec;
      value.given_as = it.key();
      if (auto err = read_value(eo, it.key(), *spec, value)) return *err;
      out.values.push_back(std::move(value));
    }
  return out;
}

nlohmann::json engine_json(const EngineProfile& e) {
  json options = json::array();
  for (Span<OptionSpec> specs : {e.options, common_options()})
    for (const auto& s : specs) {
      json o = {{"name", s.name}, {"type", to_string(s.type)}, {"doc", render(Text(s.doc))}, {"doc_code", code(s.doc)}};
      if (s.type == OptionType::integer || s.type == OptionType::number) {
        o["min"] = s.min;
        o["max"] = s.max;
      }
      if (!s.has_default)
        o["default"] = nullptr;
      else if (s.type == OptionType::choice)
        o["default"] = s.default_choice;
      else if (s.type == OptionType::boolean || s.type == OptionType::on_off)
        o["default"] = s.default_value == 1;
      else if (s.type == OptionType::on_off_auto)
        o["default"] = s.default_value == 1 ? json("on") : s.default_value == 0 ? json("off") : json("auto");
      else if (s.type == OptionType::integer)
        o["default"] = static_cast<std::int64_t>(s.default_value);
      else
        o["default"] = s.default_value;
      if (s.type == OptionType::choice) o["choices"] = canonical_choices(s.choices);
      if (*s.unit) o["unit"] = s.unit;
      if (*s.flag) o["flag"] = s.flag;
      if (*s.alias) o["alias"] = s.alias;
      options.push_back(std::move(o));
    }
  const std::vector<std::string> aliases = canonical_choices(e.aliases);
  return json{{"id", e.id},
              {"name", e.name},
              {"aliases", aliases},
              {"doc", render(Text(e.doc))},
              {"doc_code", code(e.doc)},
              {"splits_heads", e.splits_heads},
              {"layer_split_default", e.layer_split_default},
              {"kv_cache_dtypes", e.kv_dtype_list()},
              {"weight_formats", e.format_list()},
              {"launch_command", e.launch != nullptr},
              {"options", options}};
}

}  // namespace vramplan
