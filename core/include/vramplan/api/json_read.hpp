#pragma once
// Reading untrusted JSON without exceptions: each getter checks the type and range and
// records the first error, naming the field ("workload.context_tokens").
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "vramplan/common/error.hpp"

namespace vramplan {

class JsonReader {
 public:
  JsonReader(const nlohmann::json& object, std::string prefix) : j_(object), prefix_(std::move(prefix)) {}

  bool has(const char* key) const;        // present and not null; the key counts as read
  bool is_number(const char* key) const;  // present and a number
  std::string field(const char* key) const { return prefix_.empty() ? key : prefix_ + "." + key; }

  // An integer in [min, max]; JSON floats are accepted when they hold an integral value.
  std::int64_t integer(const char* key, std::int64_t fallback, std::int64_t min, std::int64_t max,
                       bool required = false);
  double number(const char* key, double fallback, double min, double max, bool required = false);
  // The first of `keys` the object has, read as integer(); families name the same field differently.
  std::int64_t first_integer(std::initializer_list<const char*> keys, std::int64_t fallback, std::int64_t min,
                             std::int64_t max);
  bool first_boolean(std::initializer_list<const char*> keys, bool fallback);
  bool boolean(const char* key, bool fallback);
  std::string string(const char* key, const std::string& fallback, bool required = false);
  std::vector<std::string> string_list(const char* key);
  std::vector<std::int64_t> integer_list(const char* key, std::int64_t min, std::int64_t max);

  void fail(ErrorCode code, const std::string& field, const std::string& message);
  bool ok() const { return !error_.has_value(); }
  const Error& error() const { return *error_; }
  const std::set<std::string>& keys_read() const { return read_; }  // every key asked about
  // The key was looked at but its value is one the reader does not model: it stays among the keys not read.
  void not_modelled(const char* key) { read_.erase(key); }

 private:
  const nlohmann::json& j_;
  std::string prefix_;
  std::optional<Error> error_;
  mutable std::set<std::string> read_;
};

// Python's json module writes float('nan') and float('inf') as the bare words NaN, Infinity and -Infinity,
// which JSON does not allow (Nemotron-H's config.json: "time_step_limit": [0.0, Infinity]). standard_json
// turns each, outside strings, into the string "NaN" / "Infinity" / "-Infinity"; JsonReader reads those as
// non-finite numbers, so a size that holds one is refused with its field named.
std::string standard_json(const std::string& text);
// standard_json, then parse; a discarded value when the text is not JSON.
nlohmann::json parse_json(const std::string& text);

// A JSON value rendered for an error message: short, and safe whatever the input held.
std::string describe_json_value(const nlohmann::json& value);

}  // namespace vramplan
