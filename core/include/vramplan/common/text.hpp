#pragma once
// Coded text: every warning, note, verdict, reason and explanation the core emits is a message id from
// core/text/messages.json plus the values it mentions. The core renders English from the templates
// (the CLI prints it, the JSON carries it as `message`); the page renders English or Chinese from the
// same codes and values. Nothing matches English text: code compares ids.
//
// Templates: "{name}" inserts a value (integers with thousands separators), "{name:F}" formats it:
//   gb / gib / mib   bytes as "16.06 GB", "14.96 GiB", "560.00 MiB"
//   0 .. 6           a number with that many decimals
//   plus / semi / comma / times   a list of texts joined by " + ", "; ", ", ", " x "
// "{name|one|other}" picks a word by the value (English plurals); "{name?}" is empty when the value is
// absent (other placeholders without a value show as themselves); "{{" and "}}" are literal braces.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vramplan/common/messages.hpp"  // generated: enum class Msg

namespace vramplan {

struct Text;

struct TextArg {
  enum class Kind : std::uint8_t { integer, number, string, text, list };
  std::string name;
  Kind kind = Kind::integer;
  std::int64_t i = 0;
  double x = 0;
  std::string s;
  std::vector<Text> items;  // text: exactly one; list: any number
};

struct Text {
  Msg id = Msg::none;
  std::vector<TextArg> args;

  Text() = default;
  explicit Text(Msg m) : id(m) {}

  Text& integer(std::string_view name, std::int64_t value);
  Text& number(std::string_view name, double value);
  Text& str(std::string_view name, std::string value);  // shown verbatim: ids, names, flags
  Text& text(std::string_view name, Text value);
  Text& list(std::string_view name, std::vector<Text> values);

  bool empty() const { return id == Msg::none; }
  const TextArg* find(std::string_view name) const;
};

// The message's stable code ("kv.group.attention") and English template.
const char* code(Msg id);
const char* english_template(Msg id);

// English, from the template and the values.
std::string render(const Text& text);

}  // namespace vramplan
