// The in-memory form back to vector JSON (the inverse of the loader), for
// vectors that tools write: `memconform from-crash` turns a fuzz finding into
// a stand-alone vector file.
#pragma once

#include <nlohmann/json.hpp>

#include "conformance/runner/vector.h"

namespace memconform::conformance {

nlohmann::json toJson(const Expr& e);
nlohmann::json toJson(const Op& op);
nlohmann::json toJson(const Vector& v);
// The vector's `setup` as its file states it (the memory only where the
// vector depends on it).
nlohmann::json setupJson(const Vector& v);
// A whole file with one group of vectors.
nlohmann::json vectorFileJson(const std::string& area, const std::string& description, const std::vector<Vector>& vectors);

}  // namespace memconform::conformance
