#include "deployment.hpp"

namespace vramplan {
Expected<EngineOutcome> run_sglang(const Deployment& d) { return run_generic(d); }
}  // namespace vramplan
