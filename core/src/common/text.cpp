#include "vramplan/common/text.hpp"

#include <cstdlib>

#include "vramplan/common/units.hpp"

namespace vramplan {
namespace {

TextArg& add(std::vector<TextArg>& args, std::string_view name, TextArg::Kind kind) {
  args.push_back(TextArg{});
  args.back().name = std::string(name);
  args.back().kind = kind;
  return args.back();
}

const char* separator(std::string_view format) {
  if (format == "plus") return " + ";
  if (format == "semi") return "; ";
  if (format == "times") return " x ";
  return ", ";
}

void render_arg(const TextArg& a, std::string_view format, std::string& out) {
  switch (a.kind) {
    case TextArg::Kind::string:
      out += a.s;
      return;
    case TextArg::Kind::text:
      if (!a.items.empty()) out += render(a.items.front());
      return;
    case TextArg::Kind::list: {
      const char* sep = separator(format);
      for (std::size_t k = 0; k < a.items.size(); ++k) {
        if (k) out += sep;
        out += render(a.items[k]);
      }
      return;
    }
    case TextArg::Kind::integer:
    case TextArg::Kind::number: {
      const bool is_int = a.kind == TextArg::Kind::integer;
      const double x = is_int ? static_cast<double>(a.i) : a.x;
      if (format == "gb") {
        out += fmt_num(x / 1e9, 2) + " GB";
      } else if (format == "gib") {
        out += fmt_num(x / kGiB, 2) + " GiB";
      } else if (format == "mib") {
        out += fmt_num(x / 1048576.0, 2) + " MiB";
      } else if (format.size() == 1 && format[0] >= '0' && format[0] <= '6') {
        out += fmt_num(x, format[0] - '0');
      } else {
        out += is_int ? fmt_int(a.i) : fmt_num(a.x, 2);
      }
      return;
    }
  }
}

}  // namespace

Text& Text::integer(std::string_view name, std::int64_t value) {
  add(args, name, TextArg::Kind::integer).i = value;
  return *this;
}
Text& Text::number(std::string_view name, double value) {
  add(args, name, TextArg::Kind::number).x = value;
  return *this;
}
Text& Text::str(std::string_view name, std::string value) {
  add(args, name, TextArg::Kind::string).s = std::move(value);
  return *this;
}
Text& Text::text(std::string_view name, Text value) {
  add(args, name, TextArg::Kind::text).items.push_back(std::move(value));
  return *this;
}
Text& Text::list(std::string_view name, std::vector<Text> values) {
  add(args, name, TextArg::Kind::list).items = std::move(values);
  return *this;
}

const TextArg* Text::find(std::string_view name) const {
  for (const auto& a : args)
    if (a.name == name) return &a;
  return nullptr;
}

std::string render(const Text& text) {
  if (text.empty()) return std::string();
  const std::string_view t = english_template(text.id);
  std::string out;
  out.reserve(t.size() + 32);
  for (std::size_t k = 0; k < t.size(); ++k) {
    const char c = t[k];
    if ((c == '{' || c == '}') && k + 1 < t.size() && t[k + 1] == c) {
      out += c;
      ++k;
      continue;
    }
    if (c != '{') {
      out += c;
      continue;
    }
    const std::size_t close = t.find('}', k);
    if (close == std::string_view::npos) {
      out += t.substr(k);
      break;
    }
    const std::string_view field = t.substr(k + 1, close - k - 1);
    k = close;
    const std::size_t bar = field.find('|');
    const std::size_t colon = field.find(':');
    std::string_view name = field.substr(0, std::min(bar, colon));
    const bool optional = !name.empty() && name.back() == '?';
    if (optional) name.remove_suffix(1);
    const TextArg* a = text.find(name);
    if (!a && optional) continue;
    if (!a) {
      out += '{';  // a missing value shows as its placeholder: tests look for these
      out += field;
      out += '}';
      continue;
    }
    if (bar != std::string_view::npos) {  // {n|one|other}
      const std::string_view choices = field.substr(bar + 1);
      const std::size_t second = choices.find('|');
      const bool one = a->kind == TextArg::Kind::integer ? a->i == 1 : a->x == 1.0;
      out += one ? choices.substr(0, second) : (second == std::string_view::npos ? "" : choices.substr(second + 1));
      continue;
    }
    render_arg(*a, colon == std::string_view::npos ? std::string_view() : field.substr(colon + 1), out);
  }
  return out;
}

}  // namespace vramplan
