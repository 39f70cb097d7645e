#include "conformance/runner/value.h"

#include <cmath>

#include <nlohmann/json.hpp>

namespace memconform::conformance {

Value Value::fromNumeric(const JsNumeric& n) {
  if (const auto* d = std::get_if<double>(&n)) return Value(*d);
  return Value(std::get<BigInt>(n));
}

std::optional<JsNumeric> Value::numeric() const {
  if (const auto* d = get<double>()) return JsNumeric{*d};
  if (const auto* b = get<BigInt>()) return JsNumeric{*b};
  return std::nullopt;
}

bool sameValue(const Value& a, const Value& b) {
  if (a.data.index() != b.data.index()) return false;
  if (const auto* x = a.get<double>()) {
    const double y = *b.get<double>();
    if (std::isnan(*x)) return std::isnan(y);
    return *x == y && std::signbit(*x) == std::signbit(y);
  }
  if (const auto* x = a.get<std::vector<Value>>()) {
    const auto& y = *b.get<std::vector<Value>>();
    if (x->size() != y.size()) return false;
    for (std::size_t i = 0; i < x->size(); ++i)
      if (!sameValue((*x)[i], y[i])) return false;
    return true;
  }
  if (const auto* x = a.get<BigInt>()) return *x == *b.get<BigInt>();
  if (const auto* x = a.get<bool>()) return *x == *b.get<bool>();
  if (const auto* x = a.get<std::string>()) return *x == *b.get<std::string>();
  if (const auto* x = a.get<Handle>()) return *x == *b.get<Handle>();
  return true;  // undefined, null
}

nlohmann::json toJson(const Value& v) {
  using nlohmann::json;
  if (v.get<Undefined>()) return "undefined";
  if (v.get<Null>()) return nullptr;
  if (const auto* b = v.get<bool>()) return *b;
  if (const auto* d = v.get<double>()) {
    if (std::isnan(*d)) return "NaN";
    if (std::isinf(*d)) return *d > 0 ? "Infinity" : "-Infinity";
    if (*d == 0 && std::signbit(*d)) return "-0";
    // Integers within 2^53 print as integers; everything else as a double.
    if (std::trunc(*d) == *d && std::fabs(*d) <= 9007199254740992.0) return static_cast<std::int64_t>(*d);
    return *d;
  }
  if (const auto* b = v.get<BigInt>()) return b->toString();
  if (const auto* s = v.get<std::string>()) return *s;
  if (const auto* h = v.get<Handle>()) return json{{h->kind == Handle::Kind::Scope ? "scope" : "view", h->id}};
  json list = json::array();
  for (const auto& e : *v.get<std::vector<Value>>()) list.push_back(toJson(e));
  return list;
}

namespace {
constexpr std::string_view kTypeNames[] = {"undefined", "null", "boolean", "number", "bigint",
                                           "string",    "scope", "view",   "list"};
}  // namespace

std::string_view typeName(const Value& v) {
  if (const auto* h = v.get<Handle>()) return h->kind == Handle::Kind::Scope ? "scope" : "view";
  switch (v.data.index()) {
    case 0: return "undefined";
    case 1: return "null";
    case 2: return "boolean";
    case 3: return "number";
    case 4: return "bigint";
    case 5: return "string";
    default: return "list";
  }
}

bool isTypeName(std::string_view name) {
  for (auto t : kTypeNames)
    if (t == name) return true;
  return false;
}

std::string toText(const Value& v) {
  if (v.isUndefined()) return "undefined";
  return toJson(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<double> numberFromJson(const nlohmann::json& j) {
  if (j.is_number()) return j.get<double>();
  if (!j.is_string()) return std::nullopt;
  const auto& s = j.get_ref<const std::string&>();
  if (s == "NaN") return std::nan("");
  if (s == "Infinity") return INFINITY;
  if (s == "-Infinity") return -INFINITY;
  if (s == "-0") return -0.0;
  return std::nullopt;
}

std::optional<BigInt> bigIntFromJson(const nlohmann::json& j) {
  if (!j.is_string()) return std::nullopt;
  return BigInt::parse(j.get_ref<const std::string&>());
}

}  // namespace memconform::conformance
