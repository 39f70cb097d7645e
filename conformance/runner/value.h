// Values that cross the boundary between a vector, the runner and a target
// (SEMANTICS.md section 10): JavaScript's undefined, null, booleans, Numbers,
// BigInts, strings, lists, and opaque handles for scopes and views, with
// their JSON encoding: special doubles and BigInts are strings ("NaN", "-0",
// "5n"), undefined is the string "undefined".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/js_numbers.h"

namespace memconform::conformance {

struct Undefined {
  bool operator==(const Undefined&) const = default;
};
struct Null {
  bool operator==(const Null&) const = default;
};
// A scope handle or a view, as a target hands it out; vectors only bind them
// to names and pass them back.
struct Handle {
  enum class Kind { Scope, View } kind;
  std::uint64_t id;
  bool operator==(const Handle&) const = default;
};

struct Value {
  std::variant<Undefined, Null, bool, double, BigInt, std::string, Handle, std::vector<Value>> data;

  Value() = default;
  Value(Undefined u) : data(u) {}
  Value(Null n) : data(n) {}
  Value(bool b) : data(b) {}
  Value(double d) : data(d) {}
  Value(BigInt b) : data(b) {}
  Value(std::string s) : data(std::move(s)) {}
  Value(Handle h) : data(h) {}
  Value(std::vector<Value> l) : data(std::move(l)) {}
  static Value fromNumeric(const JsNumeric& n);

  template <class T>
  const T* get() const {
    return std::get_if<T>(&data);
  }
  bool isUndefined() const { return get<Undefined>() != nullptr; }
  // A Number or a BigInt, as a store takes it; nullopt for anything else.
  std::optional<JsNumeric> numeric() const;
};

// SameValue (ECMA-262 7.2.10) extended to lists and handles: NaN equals NaN,
// +0 and -0 differ. Used for every comparison of an expected value.
bool sameValue(const Value& a, const Value& b);

// The kind of a value as the "type" of an expectations file's known outcome
// names it: "undefined", "null", "boolean", "number", "bigint", "string",
// "scope", "view" or "list".
std::string_view typeName(const Value& v);
bool isTypeName(std::string_view name);

// Section 10 encoding. `toJson` of a Number that is an integer or a finite
// non-integer gives a JSON number (exact: 17 significant digits), the special
// doubles give strings.
nlohmann::json toJson(const Value& v);
std::string toText(const Value& v);  // compact JSON, for reports

// A JSON number or one of the special strings ("NaN", "Infinity",
// "-Infinity", "-0") as a double; nullopt otherwise.
std::optional<double> numberFromJson(const nlohmann::json& j);
// A BigInt literal string ("-5n"); nullopt otherwise.
std::optional<BigInt> bigIntFromJson(const nlohmann::json& j);

}  // namespace memconform::conformance
