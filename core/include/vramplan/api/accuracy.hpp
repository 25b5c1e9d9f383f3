#pragma once
// The published accuracy table: reference cases (engine logs, official figures) computed by the
// tool, each check under a stated rule, rendered as ACCURACY.md.
#include <nlohmann/json.hpp>
#include <string>

namespace vramplan {

// cases: {"cases": [{id, source, engine, model, hardware, request, checks: [{name, path, reported, unit,
//   rule: "exact" | "printed" | "bound" | "interval", decimals?, rel?, abs?, interval?: {option, printed, unit,
//   decimals}, note?}], note?}]}. Returns {"rows": [...], "passed": n, "failed": n}.
nlohmann::json run_accuracy(const nlohmann::json& cases);
std::string accuracy_markdown(const nlohmann::json& report);

}  // namespace vramplan
