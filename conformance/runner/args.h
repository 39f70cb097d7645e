// Reading resolved op arguments (target.h Args) with the parameter's default,
// for any target. A value of the wrong kind is a VectorError naming the
// parameter: the vector, not the target, is wrong.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/runner/target.h"

namespace memconform::conformance::args {

const Value* find(const Args& a, std::string_view name);
double number(const Args& a, std::string_view name);
double number(const Args& a, std::string_view name, double fallback);
// An integral Number in [lo, hi].
std::int64_t integer(const Args& a, std::string_view name, double lo, double hi);
std::int64_t integer(const Args& a, std::string_view name, double lo, double hi, std::int64_t fallback);
JsNumeric numeric(const Args& a, std::string_view name);
std::string string(const Args& a, std::string_view name);
std::string string(const Args& a, std::string_view name, const std::string& fallback);
bool boolean(const Args& a, std::string_view name, bool fallback);
// Views of the list's strings, valid while `a` is, into `into` (emptied
// first; a target keeps it from op to op, so that its buffer is reused).
void strings(const Args& a, std::string_view name, std::vector<std::string_view>& into);
// The list of addresses a peek of a list is given (PEEK-5: the caller's
// list, Target::addressAfter); null for a peek of one address or another op.
const Value* peekedList(OpKind kind, const Args& a);
// A single integral address (kept inline: no allocation for the usual
// peek and poke), or a list of them (PEEK-5: `isList` tells which).
struct Addresses {
  bool isList = false;
  std::int64_t one = 0;
  std::vector<std::int64_t> list;  // when isList
  std::span<const std::int64_t> all() const { return isList ? std::span<const std::int64_t>(list) : std::span(&one, 1); }
};
// Into `into`, as strings() fills its list.
void addresses(const Args& a, std::string_view name, Addresses& into);
// A Handle of `kind`, or a plain integer (which never names a live handle).
std::optional<Handle> handle(const Args& a, std::string_view name, Handle::Kind kind, std::uint64_t& orInteger);

// The scope a pop names, as a target's handle: a scope Handle's id, or for a
// plain integer n, kForeignHandleBase + n, which no target hands out
// (targets keep their handles below it; memconform/target.h says so).
constexpr std::uint64_t kForeignHandleBase = std::uint64_t{1} << 62;
std::uint64_t scopeId(const Args& a, std::string_view name);

}  // namespace memconform::conformance::args
