#include "conformance/runner/args.h"

#include <cmath>

namespace memconform::conformance {

void Args::add(std::string_view name, Value value) { addSlot(name) = std::move(value); }

Value& Args::addSlot(std::string_view name) {
  if (size_ == kMax) throw VectorError("more than " + std::to_string(kMax) + " arguments");
  keepList(size_);
  items_[size_].first = name;
  return items_[size_++].second;
}

Value& Args::addListSlot(std::string_view name) {
  if (size_ == kMax) throw VectorError("more than " + std::to_string(kMax) + " arguments");
  items_[size_].first = name;
  Value& slot = items_[size_].second;
  if (!std::holds_alternative<std::vector<Value>>(slot.data))
    slot.data.emplace<std::vector<Value>>(std::move(spareLists_[size_]));
  ++size_;
  return slot;
}

void Args::keepList(std::size_t i) {
  auto* list = std::get_if<std::vector<Value>>(&items_[i].second.data);
  if (!list) return;
  // One buffer per slot, the larger: a list that did not come from the
  // spare (a name bound to a whole list) does not add one.
  if (list->capacity() > spareLists_[i].capacity()) std::swap(*list, spareLists_[i]);
  spareLists_[i].clear();
  items_[i].second = Value();
}

void Args::clearValues() {
  for (std::size_t i = 0; i < kMax; ++i) {
    keepList(i);
    items_[i].second = Value();
  }
  size_ = 0;
}

const Value* Args::find(std::string_view name) const {
  for (std::size_t i = 0; i < size_; ++i)
    if (items_[i].first == name) return &items_[i].second;
  return nullptr;
}

}  // namespace memconform::conformance

namespace memconform::conformance::args {
namespace {
[[noreturn]] void wrong(std::string_view name, const Value& v, const std::string& wanted) {
  throw VectorError("argument \"" + std::string(name) + "\" is " + toText(v) + ", expected " + wanted);
}
const Value& required(const Args& a, std::string_view name) {
  const Value* v = find(a, name);
  if (!v) throw VectorError("argument \"" + std::string(name) + "\" is missing");
  return *v;
}
}  // namespace

const Value* find(const Args& a, std::string_view name) { return a.find(name); }

const Value* peekedList(OpKind kind, const Args& a) {
  const Value* list = kind == OpKind::Peek ? a.find("address") : nullptr;
  return list && list->get<std::vector<Value>>() ? list : nullptr;
}

double number(const Args& a, std::string_view name) {
  const Value& v = required(a, name);
  if (const auto* d = v.get<double>()) return *d;
  wrong(name, v, "a Number");
}

double number(const Args& a, std::string_view name, double fallback) {
  return find(a, name) ? number(a, name) : fallback;
}

std::int64_t integer(const Args& a, std::string_view name, double lo, double hi) {
  const double d = number(a, name);
  if (!(std::trunc(d) == d && d >= lo && d <= hi))
    wrong(name, Value(d), "an integer in [" + toText(Value(lo)) + ", " + toText(Value(hi)) + "]");
  return static_cast<std::int64_t>(d);
}

std::int64_t integer(const Args& a, std::string_view name, double lo, double hi, std::int64_t fallback) {
  return find(a, name) ? integer(a, name, lo, hi) : fallback;
}

JsNumeric numeric(const Args& a, std::string_view name) {
  const Value& v = required(a, name);
  if (auto n = v.numeric()) return *n;
  wrong(name, v, "a Number or a BigInt");
}

std::string string(const Args& a, std::string_view name) {
  const Value& v = required(a, name);
  if (const auto* s = v.get<std::string>()) return *s;
  wrong(name, v, "a string");
}

std::string string(const Args& a, std::string_view name, const std::string& fallback) {
  return find(a, name) ? string(a, name) : fallback;
}

bool boolean(const Args& a, std::string_view name, bool fallback) {
  const Value* v = find(a, name);
  if (!v) return fallback;
  if (const auto* b = v->get<bool>()) return *b;
  wrong(name, *v, "true or false");
}

void strings(const Args& a, std::string_view name, std::vector<std::string_view>& into) {
  const Value& v = required(a, name);
  into.clear();
  if (const auto* list = v.get<std::vector<Value>>())
    for (const auto& e : *list)
      if (const auto* s = e.get<std::string>()) into.push_back(*s);
      else wrong(name, v, "a list of strings");
  else wrong(name, v, "a list of strings");
}

void addresses(const Args& a, std::string_view name, Addresses& into) {
  const Value& v = required(a, name);
  auto one = [&](const Value& e) -> std::int64_t {
    const auto* d = e.get<double>();
    if (!d || std::trunc(*d) != *d || std::fabs(*d) > 9007199254740992.0) wrong(name, e, "an integer address");
    return static_cast<std::int64_t>(*d);
  };
  into.list.clear();
  into.isList = v.get<std::vector<Value>>() != nullptr;
  if (into.isList) {
    for (const auto& e : *v.get<std::vector<Value>>()) into.list.push_back(one(e));
  } else {
    into.one = one(v);
  }
}

std::optional<Handle> handle(const Args& a, std::string_view name, Handle::Kind kind, std::uint64_t& orInteger) {
  const Value& v = required(a, name);
  if (const auto* h = v.get<Handle>(); h && h->kind == kind) return *h;
  if (const auto* d = v.get<double>(); d && std::trunc(*d) == *d && *d >= 0 && *d <= 4294967295.0) {
    orInteger = static_cast<std::uint64_t>(*d);
    return std::nullopt;
  }
  wrong(name, v, kind == Handle::Kind::Scope ? "a scope" : "a view");
}

std::uint64_t scopeId(const Args& a, std::string_view name) {
  std::uint64_t integer = 0;
  const auto h = handle(a, name, Handle::Kind::Scope, integer);
  return h ? h->id : kForeignHandleBase + integer;
}

}  // namespace memconform::conformance::args
