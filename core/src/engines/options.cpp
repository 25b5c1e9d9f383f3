#include "vramplan/engines/options.hpp"

#include <cmath>

namespace vramplan {
namespace {

const OptionSpec kCommon[] = {
    bool_option("include_mtp_weights", false, Msg::opt_include_mtp_weights),
    bool_option("include_vision_weights", true, Msg::opt_include_vision_weights),
};

}  // namespace

const char* to_string(OptionType type) {
  switch (type) {
    case OptionType::integer:
      return "integer";
    case OptionType::number:
      return "number";
    case OptionType::boolean:
      return "boolean";
    case OptionType::on_off:
      return "on_off";
    case OptionType::on_off_auto:
      return "on_off_auto";
    case OptionType::choice:
      return "choice";
    case OptionType::layers:
      return "layers";
    case OptionType::number_list:
      return "number_list";
  }
  return "number";
}

Span<OptionSpec> common_options() { return span_of(kCommon); }

const OptionSpec* EngineOptions::spec(std::string_view name) const {
  for (const auto& s : specs)
    if (name == s.name) return &s;
  for (const auto& s : common_options())
    if (name == s.name) return &s;
  return nullptr;
}

const OptionValue* EngineOptions::find(std::string_view name) const {
  for (const auto& v : values)
    if (v.spec && name == v.spec->name) return &v;
  return nullptr;
}

double EngineOptions::number(std::string_view name, double fallback) const {
  if (const OptionValue* v = find(name)) return v->number;
  const OptionSpec* s = spec(name);
  return s && s->has_default ? s->default_value : fallback;
}

std::int64_t EngineOptions::integer(std::string_view name, std::int64_t fallback) const {
  return static_cast<std::int64_t>(std::llround(number(name, static_cast<double>(fallback))));
}

bool EngineOptions::boolean(std::string_view name, bool fallback) const {
  return number(name, fallback ? 1.0 : 0.0) == 1.0;
}

std::string EngineOptions::choice(std::string_view name, const std::string& fallback) const {
  if (const OptionValue* v = find(name)) return v->text;
  const OptionSpec* s = spec(name);
  return s && s->has_default && s->type == OptionType::choice ? std::string(s->default_choice) : fallback;
}

const std::vector<double>& EngineOptions::list(std::string_view name) const {
  static const std::vector<double> kEmpty;
  const OptionValue* v = find(name);
  return v ? v->list : kEmpty;
}

std::string EngineOptions::given_as(std::string_view name) const {
  const OptionValue* v = find(name);
  return v ? v->given_as : std::string(name);
}

}  // namespace vramplan
