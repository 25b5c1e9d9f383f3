#pragma once
// Engine options as data: each engine lists its knobs (the engine's own names, types, ranges, defaults,
// the engine's own flag and a one-line doc). The api layer validates a request's engine_options against
// the list; the CLI's `-o name=value`, `vramplan catalog engines` and the page's option fields all come
// from it; the engine's rule reads the validated values by name.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vramplan/common/messages.hpp"

namespace vramplan {

enum class OptionType : std::uint8_t {
  integer,      // a whole number in [min, max]
  number,       // a real number in [min, max]
  boolean,      // true or false
  on_off,       // true/false, 1/0, "on"/"off", "enabled"/"disabled" (llama.cpp's switches)
  on_off_auto,  // the same or "auto" (llama.cpp's -fa)
  choice,       // one of `choices` ("v1|v0"; "a,b|c" makes b a synonym of a)
  layers,       // an integer in [min, max], -1 or "all" (every layer), or "auto" (as many as fit)
  number_list,  // a list of non-negative numbers (llama.cpp's -ts)
};
const char* to_string(OptionType type);

struct OptionSpec {
  const char* name;  // the engine_options key: the engine's own name
  OptionType type;
  double min = 0, max = 0;   // integer, number, layers
  bool has_default = false;  // false: the engine works the default out (see the doc), or "not set"
  double default_value = 0;  // numbers, booleans (0/1), switches (1 on, 0 off, -1 auto), layers (-1 all, -2 auto)
  const char* default_choice = "";  // choice
  const char* choices = "";         // choice
  const char* unit = "";            // "bytes", "GiB", "tokens", "fraction" ...
  const char* flag = "";            // the engine's own flag or variable ("--gpu-memory-utilization")
  const char* alias = "";           // another accepted name (Ollama's num_ctx for llama.cpp's n_ctx)
  Msg doc = Msg::none;
};

// Spec builders, so each engine's table reads as one line per option.
constexpr OptionSpec int_option(const char* name, double min, double max, double def, Msg doc, const char* flag = "",
                                const char* unit = "") {
  return {name, OptionType::integer, min, max, true, def, "", "", unit, flag, "", doc};
}
constexpr OptionSpec int_option_unset(const char* name, double min, double max, Msg doc, const char* flag = "",
                                      const char* unit = "") {
  return {name, OptionType::integer, min, max, false, 0, "", "", unit, flag, "", doc};
}
constexpr OptionSpec number_option(const char* name, double min, double max, double def, Msg doc, const char* flag = "",
                                   const char* unit = "") {
  return {name, OptionType::number, min, max, true, def, "", "", unit, flag, "", doc};
}
constexpr OptionSpec number_option_unset(const char* name, double min, double max, Msg doc, const char* flag = "",
                                         const char* unit = "") {
  return {name, OptionType::number, min, max, false, 0, "", "", unit, flag, "", doc};
}
constexpr OptionSpec bool_option_unset(const char* name, Msg doc, const char* flag = "") {
  return {name, OptionType::boolean, 0, 1, false, 0, "", "", "", flag, "", doc};
}
constexpr OptionSpec bool_option(const char* name, bool def, Msg doc, const char* flag = "") {
  return {name, OptionType::boolean, 0, 1, true, def ? 1.0 : 0.0, "", "", "", flag, "", doc};
}
constexpr OptionSpec choice_option(const char* name, const char* choices, const char* def, Msg doc,
                                   const char* flag = "") {
  return {name, OptionType::choice, 0, 0, true, 0, def, choices, "", flag, "", doc};
}
constexpr OptionSpec choice_option_unset(const char* name, const char* choices, Msg doc, const char* flag = "") {
  return {name, OptionType::choice, 0, 0, false, 0, "", choices, "", flag, "", doc};
}
// on_off / on_off_auto switches; `def` 1 on, 0 off, -1 auto; `has_default` false: the engine decides.
constexpr OptionSpec switch_option(const char* name, OptionType type, bool has_default, double def, Msg doc,
                                   const char* flag = "") {
  return {name, type, 0, 0, has_default, def, "", "", "", flag, "", doc};
}
constexpr OptionSpec layers_option(const char* name, Msg doc, const char* flag = "") {
  return {name, OptionType::layers, 0, 1e6, false, 0, "", "", "layers", flag, "", doc};
}
constexpr OptionSpec list_option(const char* name, Msg doc, const char* flag = "") {
  return {name, OptionType::number_list, 0, 1e6, false, 0, "", "", "", flag, "", doc};
}
constexpr OptionSpec with_alias(OptionSpec spec, const char* alias) {
  spec.alias = alias;
  return spec;
}

// A contiguous list (C++17 has no std::span).
template <class T>
struct Span {
  const T* data = nullptr;
  std::size_t size = 0;
  const T* begin() const { return data; }
  const T* end() const { return data + size; }
  bool empty() const { return size == 0; }
};
template <class T, std::size_t N>
constexpr Span<T> span_of(const T (&array)[N]) {
  return {array, N};
}
template <class T, std::size_t N>
constexpr Span<T> span_of(const std::array<T, N>& array) {
  return {array.data(), N};
}

// Two option lists as one (engines that share a group of knobs).
template <std::size_t N, std::size_t M>
constexpr std::array<OptionSpec, N + M> join_options(const std::array<OptionSpec, N>& a,
                                                     const std::array<OptionSpec, M>& b) {
  std::array<OptionSpec, N + M> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = a[i];
  for (std::size_t i = 0; i < M; ++i) out[N + i] = b[i];
  return out;
}

// One validated value.
struct OptionValue {
  const OptionSpec* spec = nullptr;
  std::string given_as;  // the key the request used (the name or its alias)
  double number = 0;     // integer, number, boolean (0/1), switches (1/0/-1 auto), layers (-1 all, -2 auto)
  std::string text;      // choice: the canonical choice
  std::vector<double> list;
};

// The options a request gave, validated against its engine's specs (and the ones every engine takes).
class EngineOptions {
 public:
  Span<OptionSpec> specs;  // the engine's own (common_options() apply to every engine)
  std::vector<OptionValue> values;

  const OptionValue* find(std::string_view name) const;
  bool given(std::string_view name) const { return find(name) != nullptr; }
  // The given value, else the spec's default; `fallback` where the spec has none or the engine does not have
  // the option.
  double number(std::string_view name, double fallback = 0) const;
  std::int64_t integer(std::string_view name, std::int64_t fallback = 0) const;
  bool boolean(std::string_view name, bool fallback = false) const;
  std::string choice(std::string_view name, const std::string& fallback = "") const;
  const std::vector<double>& list(std::string_view name) const;
  // The key the request used for an option (its name or its alias), and the request field it came from
  // ("engine_options.num_ctx"), for explanations and errors.
  std::string given_as(std::string_view name) const;
  std::string field(std::string_view name) const { return "engine_options." + given_as(name); }

  // The spec of an option this engine (or every engine) takes; nullptr if none.
  const OptionSpec* spec(std::string_view name) const;
};

// The options every engine takes (whether the MTP modules and the vision tower are loaded).
Span<OptionSpec> common_options();

}  // namespace vramplan
