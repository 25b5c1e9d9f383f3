#include "vramplan/api/json_read.hpp"

#include <cctype>
#include <cmath>
#include <cstring>
#include <limits>

namespace vramplan {

namespace {

const char* const kNonFinite[] = {"-Infinity", "Infinity", "NaN"};

// A value standard_json made of a bare NaN / Infinity: its double.
std::optional<double> non_finite(const nlohmann::json& v) {
  if (!v.is_string()) return std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (s == "Infinity") return std::numeric_limits<double>::infinity();
  if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  return std::nullopt;
}

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

std::string standard_json(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size())
        out += text[++i];
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
      out += c;
      continue;
    }
    const char* word = nullptr;
    if (i == 0 || !word_char(text[i - 1]))
      for (const char* w : kNonFinite) {
        const std::size_t n = std::strlen(w);
        if (text.compare(i, n, w) == 0 && (i + n == text.size() || !word_char(text[i + n]))) {
          word = w;
          break;
        }
      }
    if (!word) {
      out += c;
      continue;
    }
    out += '"';
    out += word;
    out += '"';
    i += std::strlen(word) - 1;
  }
  return out;
}

nlohmann::json parse_json(const std::string& text) {
  return nlohmann::json::parse(standard_json(text), nullptr, false);
}

std::string describe_json_value(const nlohmann::json& value) {
  std::string text = value.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

bool JsonReader::has(const char* key) const {
  if (!j_.is_object()) return false;
  read_.insert(key);
  auto it = j_.find(key);
  return it != j_.end() && !it->is_null();
}

bool JsonReader::is_number(const char* key) const { return has(key) && j_.at(key).is_number(); }

void JsonReader::fail(ErrorCode code, const std::string& field, const std::string& message) {
  if (!error_) error_ = Error{code, field, message};
}

std::int64_t JsonReader::integer(const char* key, std::int64_t fallback, std::int64_t min, std::int64_t max,
                                 bool required) {
  if (!has(key)) {
    if (required) fail(ErrorCode::invalid_field, field(key), std::string(key) + " is required");
    return fallback;
  }
  const auto& v = j_.at(key);
  std::int64_t out = 0;
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
      fail(ErrorCode::invalid_field, field(key),
           std::string(key) + " must be an integer between " + std::to_string(min) + " and " + std::to_string(max) +
               ", got " + describe_json_value(v));
      return fallback;
    }
    out = v.get<std::int64_t>();
  } else if (v.is_number_float() || non_finite(v)) {
    const double d = v.is_number_float() ? v.get<double>() : *non_finite(v);
    if (!std::isfinite(d) || d != std::floor(d) || d < static_cast<double>(min) || d > static_cast<double>(max)) {
      fail(ErrorCode::invalid_field, field(key),
           std::string(key) + " must be an integer between " + std::to_string(min) + " and " + std::to_string(max) +
               ", got " + describe_json_value(v));
      return fallback;
    }
    out = static_cast<std::int64_t>(d);
  } else {
    fail(ErrorCode::invalid_field, field(key), std::string(key) + " must be an integer, got " + describe_json_value(v));
    return fallback;
  }
  if (out < min || out > max) {
    fail(ErrorCode::invalid_field, field(key),
         std::string(key) + " must be an integer between " + std::to_string(min) + " and " + std::to_string(max) +
             ", got " + describe_json_value(v));
    return fallback;
  }
  return out;
}

double JsonReader::number(const char* key, double fallback, double min, double max, bool required) {
  if (!has(key)) {
    if (required) fail(ErrorCode::invalid_field, field(key), std::string(key) + " is required");
    return fallback;
  }
  const auto& v = j_.at(key);
  if (!v.is_number() && !non_finite(v)) {
    fail(ErrorCode::invalid_field, field(key), std::string(key) + " must be a number, got " + describe_json_value(v));
    return fallback;
  }
  const double d = v.is_number() ? v.get<double>() : *non_finite(v);
  if (!std::isfinite(d) || d < min || d > max) {
    char range[96];
    std::snprintf(range, sizeof range, " must be between %g and %g, got ", min, max);
    fail(ErrorCode::invalid_field, field(key), std::string(key) + range + describe_json_value(v));
    return fallback;
  }
  return d;
}

std::int64_t JsonReader::first_integer(std::initializer_list<const char*> keys, std::int64_t fallback, std::int64_t min,
                                       std::int64_t max) {
  const char* first = nullptr;
  for (const char* k : keys)  // every alias counts as read: a config may spell the same fact twice
    if (has(k) && !first) first = k;
  return first ? integer(first, fallback, min, max) : fallback;
}

bool JsonReader::first_boolean(std::initializer_list<const char*> keys, bool fallback) {
  const char* first = nullptr;
  for (const char* k : keys)
    if (has(k) && !first) first = k;
  return first ? boolean(first, fallback) : fallback;
}

bool JsonReader::boolean(const char* key, bool fallback) {
  if (!has(key)) return fallback;
  const auto& v = j_.at(key);
  if (!v.is_boolean()) {
    fail(ErrorCode::invalid_field, field(key),
         std::string(key) + " must be true or false, got " + describe_json_value(v));
    return fallback;
  }
  return v.get<bool>();
}

std::string JsonReader::string(const char* key, const std::string& fallback, bool required) {
  if (!has(key)) {
    if (required) fail(ErrorCode::invalid_field, field(key), std::string(key) + " is required");
    return fallback;
  }
  const auto& v = j_.at(key);
  if (!v.is_string()) {
    fail(ErrorCode::invalid_field, field(key), std::string(key) + " must be a string, got " + describe_json_value(v));
    return fallback;
  }
  return v.get<std::string>();
}

std::vector<std::string> JsonReader::string_list(const char* key) {
  std::vector<std::string> out;
  if (!has(key)) return out;
  const auto& v = j_.at(key);
  if (!v.is_array()) {
    fail(ErrorCode::invalid_field, field(key),
         std::string(key) + " must be a list of strings, got " + describe_json_value(v));
    return out;
  }
  for (const auto& item : v) {
    if (!item.is_string()) {
      fail(ErrorCode::invalid_field, field(key),
           std::string(key) + " must be a list of strings, got an element " + describe_json_value(item));
      return {};
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::vector<std::int64_t> JsonReader::integer_list(const char* key, std::int64_t min, std::int64_t max) {
  std::vector<std::int64_t> out;
  if (!has(key)) return out;
  const auto& v = j_.at(key);
  if (!v.is_array()) {
    fail(ErrorCode::invalid_field, field(key),
         std::string(key) + " must be a list of integers, got " + describe_json_value(v));
    return out;
  }
  for (const auto& item : v) {
    const bool integral = item.is_number_integer() || (item.is_number_float() && std::isfinite(item.get<double>()) &&
                                                       item.get<double>() == std::floor(item.get<double>()));
    double d = integral ? item.get<double>() : 0.0;
    if (!integral || d < static_cast<double>(min) || d > static_cast<double>(max)) {
      fail(ErrorCode::invalid_field, field(key),
           std::string(key) + " must be a list of integers between " + std::to_string(min) + " and " +
               std::to_string(max) + ", got an element " + describe_json_value(item));
      return {};
    }
    out.push_back(static_cast<std::int64_t>(d));
  }
  return out;
}

}  // namespace vramplan
