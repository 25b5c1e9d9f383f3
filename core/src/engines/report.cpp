#include "vramplan/engines/report.hpp"

namespace vramplan {
namespace {
ReportValue& slot(std::vector<ReportField>& fields, const std::string& key, ReportValue::Kind kind) {
  for (auto& f : fields)
    if (f.key == key) {
      f.value = ReportValue{};
      f.value.kind = kind;
      return f.value;
    }
  fields.push_back({key, ReportValue{}});
  fields.back().value.kind = kind;
  return fields.back().value;
}
}  // namespace

EngineReport& EngineReport::integer(const std::string& key, std::int64_t v) {
  slot(fields, key, ReportValue::Kind::integer).i = v;
  return *this;
}
EngineReport& EngineReport::number(const std::string& key, double v) {
  slot(fields, key, ReportValue::Kind::number).x = v;
  return *this;
}
EngineReport& EngineReport::boolean(const std::string& key, bool v) {
  slot(fields, key, ReportValue::Kind::boolean).b = v;
  return *this;
}
EngineReport& EngineReport::str(const std::string& key, std::string v) {
  slot(fields, key, ReportValue::Kind::string).s = std::move(v);
  return *this;
}
EngineReport& EngineReport::note(const std::string& key, Text v) {
  slot(fields, key, ReportValue::Kind::note).note = std::move(v);
  return *this;
}
const ReportValue* EngineReport::get(const std::string& key) const {
  for (const auto& f : fields)
    if (f.key == key) return &f.value;
  return nullptr;
}

}  // namespace vramplan
