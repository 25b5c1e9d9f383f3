#pragma once
// Small helpers every layer shares: one home for each.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vramplan {

using I64 = std::int64_t;

// ceil(a / b) for a >= 0, b > 0.
constexpr I64 ceil_div(I64 a, I64 b) { return (a + b - 1) / b; }

// ASCII case folding (ids, aliases and option values are ASCII).
std::string lower(std::string_view s);
std::string upper(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);

// "a, b, c"
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

}  // namespace vramplan
