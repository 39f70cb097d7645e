#include "conformance/runner/loader.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "conformance/runner/capabilities.h"

namespace memconform::conformance {

using nlohmann::json;
namespace fs = std::filesystem;

std::string describe(const LoadError& e) {
  std::string out = e.file;
  if (!e.vectorId.empty()) out += ": vector " + e.vectorId;
  out += ": " + (e.pointer.empty() ? std::string("(file)") : e.pointer) + ": " + e.message;
  return out;
}

bool isValidName(std::string_view name) {
  if (name.empty() || name == "NaN" || name == "Infinity" || name == "undefined") return false;
  if (!(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

namespace {
bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isIdStart(char c) { return (c >= 'a' && c <= 'z') || isDigit(c); }
bool isWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
}  // namespace

bool isRuleId(std::string_view text) {
  const auto dash = text.find('-');
  if (dash == 0 || dash == std::string_view::npos || dash + 1 == text.size()) return false;
  return std::all_of(text.begin(), text.begin() + dash, isUpper) && std::all_of(text.begin() + dash + 1, text.end(), isDigit);
}

bool mentionsRuleId(std::string_view text) {
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = start;
    while (end < text.size() && (isWordChar(text[end]) || text[end] == '-')) ++end;
    // A word of letters, digits, '_' and '-': its rule ID part ends at the
    // first character that is not a digit after the dash.
    std::string_view word = text.substr(start, end - start);
    if (const auto dash = word.find('-'); dash != std::string_view::npos) {
      std::size_t digits = dash + 1;
      while (digits < word.size() && isDigit(word[digits])) ++digits;
      if ((digits == word.size() || word[digits] == '-') && isRuleId(word.substr(0, digits))) return true;
    }
    start = end == start ? end + 1 : end;
  }
  return false;
}

bool isVectorId(std::string_view id) {
  std::size_t start = 0;
  while (true) {
    const auto slash = std::min(id.find('/', start), id.size());
    const std::string_view word = id.substr(start, slash - start);
    if (word.empty() || !isIdStart(word[0]) ||
        !std::all_of(word.begin(), word.end(), [](char c) { return isIdStart(c) || c == '.' || c == '_' || c == '-'; }))
      return false;
    if (slash == id.size()) return true;
    start = slash + 1;
  }
}

std::size_t Corpus::vectorCount() const {
  std::size_t n = 0;
  for (const auto& f : files) n += f.vectors.size();
  return n;
}

namespace {

std::string escapePointerToken(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}
std::string at(const std::string& pointer, std::string_view key) { return pointer + "/" + escapePointerToken(key); }
std::string at(const std::string& pointer, std::size_t index) { return pointer + "/" + std::to_string(index); }

std::string kindOf(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "a number";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "a list";
    case json::value_t::object: return "an object";
    default: return "an unsupported value";
  }
}

std::string excerpt(const json& j) {
  std::string s = j.is_structured() ? kindOf(j) : j.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

// Reads one vector (or the file header), collecting errors with pointers.
class Reader {
 public:
  Reader(std::string file, std::vector<LoadError>& errors) : file_(std::move(file)), errors_(errors) {}

  // In an expectations file's known outcomes, names need not be bound where
  // they are read: they resolve when the op runs.
  void allowAnyName() { anyName_ = true; }

  void setVector(std::string id) { vectorId_ = std::move(id); }
  bool ok() const { return ok_; }
  void error(const std::string& pointer, const std::string& message) {
    ok_ = false;
    errors_.push_back({file_, vectorId_, pointer, message});
  }

  // Fails on keys outside `allowed`.
  bool object(const json& j, const std::string& pointer, std::initializer_list<std::string_view> allowed) {
    if (!j.is_object()) {
      error(pointer, "expected an object, found " + kindOf(j));
      return false;
    }
    for (const auto& [key, value] : j.items())
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        error(at(pointer, key), "unknown field \"" + key + "\" (allowed: " + list + ")");
      }
    return true;
  }

  std::optional<std::string> string(const json& j, const std::string& pointer) {
    if (j.is_string()) return j.get<std::string>();
    error(pointer, "expected a string, found " + excerpt(j));
    return std::nullopt;
  }
  std::optional<bool> boolean(const json& j, const std::string& pointer) {
    if (j.is_boolean()) return j.get<bool>();
    error(pointer, "expected true or false, found " + excerpt(j));
    return std::nullopt;
  }
  // A JSON integer in [lo, hi].
  std::optional<std::int64_t> integer(const json& j, const std::string& pointer, double lo, double hi) {
    const bool integral = j.is_number_integer() || j.is_number_unsigned() ||
                          (j.is_number_float() && std::trunc(j.get<double>()) == j.get<double>());
    if (integral) {
      const double d = j.get<double>();
      if (d >= lo && d <= hi) return static_cast<std::int64_t>(d);
    }
    error(pointer, "expected an integer in [" + excerpt(json(lo)) + ", " + excerpt(json(hi)) + "], found " + excerpt(j));
    return std::nullopt;
  }
  std::optional<std::vector<std::string>> strings(const json& j, const std::string& pointer) {
    if (!j.is_array()) {
      error(pointer, "expected a list of strings, found " + excerpt(j));
      return std::nullopt;
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < j.size(); ++i)
      if (auto s = string(j[i], at(pointer, i))) out.push_back(*s);
    return out;
  }

  // "p", "p+4", "p-8", "p>>2", "p+8>>3".
  std::optional<NameRef> nameRef(std::string text) {
    int shift = 0;
    if (const auto s = text.find(">>"); s != std::string::npos) {
      const std::string n = text.substr(s + 2);
      if (n.size() != 1 || n[0] < '1' || n[0] > '3') return std::nullopt;
      shift = n[0] - '0';
      text = text.substr(0, s);
    }
    const auto sign = text.find_first_of("+-");
    NameRef ref{text.substr(0, sign), 0, shift};
    if (!isValidName(ref.name)) return std::nullopt;
    if (sign == std::string::npos) return ref;
    const std::string digits = text.substr(sign + 1);
    if (digits.empty() || digits.size() > 15 || !std::all_of(digits.begin(), digits.end(), ::isdigit) ||
        (digits.size() > 1 && digits[0] == '0'))
      return std::nullopt;
    ref.offset = std::stoll(digits) * (text[sign] == '-' ? -1 : 1);
    return ref;
  }

  // A name use: it must be bound by an earlier op.
  std::optional<Expr> use(const std::string& text, const std::string& pointer) {
    auto ref = nameRef(text);
    if (!ref) {
      error(pointer, "\"" + text + "\" is not a name or a name with an offset (\"p\", \"p+4\")");
      return std::nullopt;
    }
    if (!anyName_ && !bound_.count(ref->name)) {
      error(pointer, "name \"" + ref->name + "\" is used before an op binds it with \"as\"");
      return std::nullopt;
    }
    return Expr{*ref};
  }

  std::optional<Expr> number(const json& j, const std::string& pointer, bool allowNames, bool allowBigInt) {
    if (auto d = numberFromJson(j)) return Expr{Value(*d)};
    if (allowBigInt)
      if (auto b = bigIntFromJson(j)) return Expr{Value(*b)};
    if (allowNames && j.is_string()) return use(j.get<std::string>(), pointer);
    error(pointer, std::string("expected ") + (allowBigInt ? "a number or a BigInt string (\"5n\")" : "a number") +
                       (allowNames ? " or a bound name" : "") + ", found " + excerpt(j));
    return std::nullopt;
  }

  std::optional<Expr> address(const json& j, const std::string& pointer) {
    if (j.is_string()) return use(j.get<std::string>(), pointer);
    if (auto v = integer(j, pointer, -9007199254740992.0, 9007199254740992.0)) return Expr{Value(double(*v))};
    return std::nullopt;
  }

  // A scalar, or a list of them nested at most 32 deep.
  template <class Scalar>
  std::optional<Expr> nested(const json& j, const std::string& pointer, int depth, const Scalar& scalar) {
    if (depth > 32) {
      error(pointer, "nested too deeply");
      return std::nullopt;
    }
    if (!j.is_array()) return scalar(j, pointer);
    std::vector<Expr> items;
    for (std::size_t i = 0; i < j.size(); ++i) {
      auto e = nested(j[i], at(pointer, i), depth + 1, scalar);
      if (!e) return std::nullopt;
      items.push_back(*e);
    }
    return Expr{std::move(items)};
  }

  // A long string written short: {"repeat": TEXT, "count": N} (Repeat).
  std::optional<Expr> repeat(const json& j, const std::string& pointer) {
    for (const auto& [key, _] : j.items())
      if (key != "repeat" && key != "count") {
        error(at(pointer, key), "unknown field of a repeated string (repeat, count)");
        return std::nullopt;
      }
    if (!j.contains("repeat") || !j.contains("count")) {
      error(pointer, "a repeated string has \"repeat\" (the text) and \"count\" (how many times)");
      return std::nullopt;
    }
    const auto text = string(j["repeat"], at(pointer, "repeat"));
    const auto count = integer(j["count"], at(pointer, "count"), 0, 9007199254740991.0);
    if (!text || !count) return std::nullopt;
    if (text->empty() || static_cast<double>(text->size()) * static_cast<double>(*count) > static_cast<double>(kMaxRepeatedBytes)) {
      error(pointer, "a repeated string is 1 to " + std::to_string(kMaxRepeatedBytes) + " bytes long; this one is " +
                         std::to_string(text->size()) + " x " + std::to_string(*count));
      return std::nullopt;
    }
    return Expr{Repeat{*text, static_cast<std::uint64_t>(*count)}};
  }

  // A string, or a long one written short (repeat()).
  std::optional<Expr> stringOrRepeat(const json& j, const std::string& pointer) {
    if (j.is_object()) return repeat(j, pointer);
    if (auto s = string(j, pointer)) return Expr{Value(*s)};
    return std::nullopt;
  }

  // scopedAllocCString's argument: any JSON scalar or list, taken literally,
  // or a long string written short.
  std::optional<Expr> literal(const json& j, const std::string& pointer) {
    return nested(j, pointer, 0, [&](const json& x, const std::string& p) -> std::optional<Expr> {
      if (x.is_null()) return Expr{Value(Null{})};
      if (x.is_boolean()) return Expr{Value(x.get<bool>())};
      if (x.is_number()) return Expr{Value(x.get<double>())};
      if (x.is_string()) return Expr{Value(x.get<std::string>())};
      if (x.is_object()) return repeat(x, p);
      error(p, "expected a JSON scalar or list, found " + kindOf(x));
      return std::nullopt;
    });
  }

  std::optional<Expr> argument(const ParamSpec& p, const json& j, const std::string& pointer) {
    switch (p.type) {
      case ParamType::Number: return number(j, pointer, true, false);
      case ParamType::Numeric: return number(j, pointer, true, true);
      case ParamType::Address: return address(j, pointer);
      case ParamType::Addresses: {
        if (!j.is_array()) return address(j, pointer);
        std::vector<Expr> list;
        for (std::size_t i = 0; i < j.size(); ++i)
          if (auto a = address(j[i], at(pointer, i))) list.push_back(*a);
        return Expr{std::move(list)};
      }
      case ParamType::String:
        if (auto s = string(j, pointer)) return Expr{Value(*s)};
        return std::nullopt;
      case ParamType::StringList: {
        if (!j.is_array()) {
          error(pointer, "expected a list of strings, found " + excerpt(j));
          return std::nullopt;
        }
        std::vector<Expr> items;
        for (std::size_t i = 0; i < j.size(); ++i)
          if (auto s = stringOrRepeat(j[i], at(pointer, i))) items.push_back(std::move(*s));
        if (items.size() != j.size()) return std::nullopt;
        return Expr{std::move(items)};
      }
      case ParamType::Bool:
        if (auto b = boolean(j, pointer)) return Expr{Value(*b)};
        return std::nullopt;
      case ParamType::Scope:
      case ParamType::FunctionIndex:
        if (j.is_string()) return use(j.get<std::string>(), pointer);
        if (auto v = integer(j, pointer, 0, 4294967295.0)) return Expr{Value(double(*v))};
        return std::nullopt;
      case ParamType::View:
        if (j.is_string()) return use(j.get<std::string>(), pointer);
        error(pointer, "expected a name bound to a view, found " + excerpt(j));
        return std::nullopt;
      case ParamType::SizeOrConstructor:
        if (j.is_string() && !numberFromJson(j)) return Expr{Value(j.get<std::string>())};
        return number(j, pointer, false, false);
      case ParamType::Literal: return literal(j, pointer);
      case ParamType::Count:
        if (auto v = integer(j, pointer, 1, static_cast<double>(kMaxCallDepth))) return Expr{Value(double(*v))};
        return std::nullopt;
      case ParamType::Body: break;  // handled by op()
    }
    return std::nullopt;
  }

  // An expected value: numbers, special strings, BigInts, "undefined", null,
  // booleans, bound names, and lists of those.
  std::optional<Expr> expected(const json& j, const std::string& pointer) {
    return nested(j, pointer, 0, [&](const json& x, const std::string& p) -> std::optional<Expr> {
      if (x.is_null()) return Expr{Value(Null{})};
      if (x.is_boolean()) return Expr{Value(x.get<bool>())};
      if (auto d = numberFromJson(x)) return Expr{Value(*d)};
      if (auto b = bigIntFromJson(x)) return Expr{Value(*b)};
      if (x.is_string() && x.get<std::string>() == "undefined") return Expr{Value(Undefined{})};
      if (x.is_string()) return use(x.get<std::string>(), p);
      error(p, "expected a value (number, \"NaN\", \"5n\", \"undefined\", null, a boolean, a name or a list), found " +
                   kindOf(x));
      return std::nullopt;
    });
  }

  // A pointer or index in an event: a bound name is checked, an unbound one
  // is bound to the actual value.
  std::optional<Expr> eventSubject(const json& j, const std::string& pointer) {
    if (j.is_string()) {
      auto ref = nameRef(j.get<std::string>());
      if (ref && ref->offset == 0 && ref->shift == 0 && !anyName_ && !bound_.count(ref->name)) {
        bound_.insert(ref->name);
        return Expr{*ref};
      }
      return use(j.get<std::string>(), pointer);
    }
    return address(j, pointer);
  }

  std::optional<EventPattern> event(const json& j, const std::string& pointer) {
    if (!j.is_object()) {
      error(pointer, "expected an event object, found " + kindOf(j));
      return std::nullopt;
    }
    static const std::pair<std::string_view, EventPattern::Kind> kinds[] = {
        {"alloc", EventPattern::Kind::Alloc},         {"dealloc", EventPattern::Kind::Dealloc},
        {"install", EventPattern::Kind::Install},     {"uninstall", EventPattern::Kind::Uninstall},
        {"grow", EventPattern::Kind::Grow},           {"resizeAttempt", EventPattern::Kind::ResizeAttempt}};
    for (const auto& [name, kind] : kinds) {
      if (!j.contains(name)) continue;
      EventPattern e{kind, {}, {}, {}, pointer};
      const std::string key(name);
      const bool sized = kind == EventPattern::Kind::Alloc;
      const bool judged = kind == EventPattern::Kind::Grow || kind == EventPattern::Kind::ResizeAttempt;
      if (sized) object(j, pointer, {"alloc", "size"});
      else if (judged) object(j, pointer, {key, "ok"});
      else object(j, pointer, {key});
      if (judged) {
        auto n = number(j[key], at(pointer, key), false, false);
        auto ok = j.contains("ok") ? boolean(j["ok"], at(pointer, "ok")) : std::nullopt;
        if (!j.contains("ok")) error(at(pointer, "ok"), "a " + key + " event needs \"ok\"");
        if (!n || !ok) return std::nullopt;
        e.subject = *n;
        e.ok = ok;
      } else {
        auto s = eventSubject(j[key], at(pointer, key));
        if (!s) return std::nullopt;
        e.subject = *s;
      }
      if (sized && j.contains("size")) {
        auto n = integer(j["size"], at(pointer, "size"), 0, 9007199254740992.0);
        if (!n) return std::nullopt;
        e.size = static_cast<double>(*n);
      }
      return e;
    }
    error(pointer, "an event is one of alloc, dealloc, install, uninstall, grow, resizeAttempt");
    return std::nullopt;
  }

  // `expect`, one of its acceptable alternatives, or an expectations file's
  // known outcome of an op.
  enum class OutcomeForm { Expect, Alternative, Known };

  std::optional<Outcome> outcome(const json& j, const std::string& pointer, OutcomeForm form) {
    switch (form) {
      case OutcomeForm::Expect:
        object(j, pointer, {"ok", "error", "value", "events", "multipleOf", "nonZero", "violations", "acceptable", "addressAfter"});
        break;
      case OutcomeForm::Alternative:
        object(j, pointer, {"flag", "ok", "error", "value", "events", "multipleOf", "nonZero", "violations", "addressAfter"});
        break;
      case OutcomeForm::Known:
        object(j, pointer, {"ok", "error", "value", "type", "events", "multipleOf", "nonZero", "violations", "run", "addressAfter"});
        break;
    }
    if (!j.is_object()) return std::nullopt;
    Outcome o;
    if (form == OutcomeForm::Known && j.contains("type"))
      if (auto t = string(j["type"], at(pointer, "type"))) {
        if (!isTypeName(*t))
          error(at(pointer, "type"), "\"" + *t + "\" is not a type (undefined, null, boolean, number, bigint, string, scope, view, list)");
        if (j.contains("error")) error(at(pointer, "type"), "an op that fails has no value, so no type");
        o.type = *t;
      }
    if (j.contains("ok")) {
      auto b = boolean(j["ok"], at(pointer, "ok"));
      if (b && !*b) error(at(pointer, "ok"), "\"ok\" can only be true; say \"error\" for a failure");
    }
    if (j.contains("error")) {
      if (auto s = string(j["error"], at(pointer, "error"))) {
        o.error = errorKindFromName(*s);
        if (!o.error) error(at(pointer, "error"), "unknown error kind \"" + *s + "\" (SEMANTICS.md section 9)");
      }
      if (j.contains("ok")) error(at(pointer, "ok"), "\"ok\" and \"error\" contradict each other");
      if (j.contains("value")) error(at(pointer, "value"), "an op that fails has no value");
    }
    if (j.contains("value")) o.value = expected(j["value"], at(pointer, "value"));
    if (j.contains("addressAfter")) {
      if (!j["addressAfter"].is_array()) error(at(pointer, "addressAfter"), "expected the caller's list of addresses, found " + kindOf(j["addressAfter"]));
      else o.addressAfter = expected(j["addressAfter"], at(pointer, "addressAfter"));
    }
    if (j.contains("multipleOf"))
      if (auto n = integer(j["multipleOf"], at(pointer, "multipleOf"), 1, 4294967296.0)) o.multipleOf = double(*n);
    if (j.contains("violations"))
      if (auto list = strings(j["violations"], at(pointer, "violations"))) {
        for (std::size_t i = 0; i < list->size(); ++i)
          if (!isRuleId((*list)[i]))
            error(at(at(pointer, "violations"), i), "\"" + (*list)[i] + "\" is not a rule ID");
        o.violations = *list;
      }
    if (j.contains("nonZero")) o.nonZero = boolean(j["nonZero"], at(pointer, "nonZero")).value_or(false);
    if (j.contains("events")) {
      const auto& ev = j["events"];
      if (!ev.is_array()) {
        error(at(pointer, "events"), "expected a list of events, found " + kindOf(ev));
      } else {
        std::vector<EventPattern> list;
        for (std::size_t i = 0; i < ev.size(); ++i)
          if (auto e = event(ev[i], at(at(pointer, "events"), i))) list.push_back(*e);
        o.events = std::move(list);
      }
    }
    return o;
  }

  std::optional<Expectation> expectation(const json& j, const std::string& pointer, const std::set<std::string>& notes) {
    auto base = outcome(j, pointer, OutcomeForm::Expect);
    if (!base) return std::nullopt;
    Expectation e{*base, {}, pointer};
    if (j.contains("acceptable")) {
      const auto& list = j["acceptable"];
      const std::string lp = at(pointer, "acceptable");
      if (!list.is_array() || list.size() < 2) {
        error(lp, "expected a list of at least two alternatives");
        return e;
      }
      if (j.size() > 1) error(pointer, "\"acceptable\" replaces the other fields of \"expect\"");
      for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string ip = at(lp, i);
        auto alt = outcome(list[i], ip, OutcomeForm::Alternative);
        if (!alt) continue;
        auto flag = list[i].contains("flag") ? string(list[i]["flag"], at(ip, "flag")) : std::nullopt;
        if (!list[i].contains("flag")) error(at(ip, "flag"), "every alternative names a flag");
        if (flag && !notes.count(*flag)) error(at(ip, "flag"), "flag \"" + *flag + "\" is not explained in the file's \"notes\"");
        if (flag) e.acceptable.emplace_back(*flag, *alt);
      }
    }
    return e;
  }

  std::optional<Op> op(const json& j, const std::string& pointer, std::size_t callDepth, const std::set<std::string>& notes) {
    if (!j.is_object()) {
      error(pointer, "expected an op object, found " + kindOf(j));
      return std::nullopt;
    }
    if (!j.contains("op") || !j["op"].is_string()) {
      error(at(pointer, "op"), "every op has an \"op\" string");
      return std::nullopt;
    }
    const std::string name = j["op"].get<std::string>();
    const OpSpec* spec = findOp(name);
    if (!spec) {
      error(at(pointer, "op"), "unknown op \"" + name + "\" (docs/VECTORS.md \"Ops\" lists them)");
      return std::nullopt;
    }
    Op op{spec->kind, pointer, {}, {}, {}, {}, {}};
    for (const auto& [key, value] : j.items()) {
      if (key == "op" || key == "as" || key == "expect" || key == "rule" || key == "comment") continue;
      const ParamSpec* p = findParam(*spec, key);
      if (!p) {
        std::string list;
        for (const auto& q : spec->params) list += (list.empty() ? "" : ", ") + std::string(q.name);
        error(at(pointer, key), "op \"" + name + "\" has no parameter \"" + key + "\"" +
                                    (list.empty() ? std::string(" (it takes none)") : " (it takes: " + list + ")"));
        continue;
      }
      if (p->type == ParamType::Body || (spec->kind == OpKind::Call && key == "result")) continue;
      if (auto e = argument(*p, value, at(pointer, key))) op.args.emplace(key, *e);
    }
    for (const auto& p : spec->params)
      if (p.required && !j.contains(p.name))
        error(at(pointer, p.name), "op \"" + name + "\" needs \"" + std::string(p.name) + "\" (" +
                                       std::string(paramTypeName(p.type)) + ")");
    if (spec->kind == OpKind::Throw && callDepth == 0) error(pointer, "\"throw\" is only allowed inside a call body");
    if (spec->kind == OpKind::Throw && op.args.count("frames")) {
      const double frames = *std::get<Value>(op.args["frames"].form).get<double>();
      if (frames > static_cast<double>(callDepth))
        error(at(pointer, "frames"), "throw unwinds " + std::to_string(int(frames)) + " calls but is nested in " +
                                         std::to_string(callDepth));
    }
    if (spec->kind == OpKind::Call && j.contains("body")) {
      if (callDepth + 1 > kMaxCallDepth) {
        error(at(pointer, "body"), "calls nested deeper than " + std::to_string(kMaxCallDepth));
        return std::nullopt;
      }
      op.body = ops(j["body"], at(pointer, "body"), callDepth + 1, notes);
    }
    // A call's result is evaluated after its body, so it may name what the body bound.
    if (spec->kind == OpKind::Call && j.contains("result"))
      if (auto e = argument(*findParam(*spec, "result"), j["result"], at(pointer, "result"))) op.args.emplace("result", *e);
    // `as` binds before the expectation is checked, so `expect` may use the
    // op's own names ({"alloc": "p"} for an op with "as": "p").
    if (j.contains("as")) bind(j["as"], at(pointer, "as"), op);
    if (j.contains("expect"))
      if (auto e = expectation(j["expect"], at(pointer, "expect"), notes)) op.expect = std::make_shared<const Expectation>(std::move(*e));
    if (j.contains("rule")) op.rule = string(j["rule"], at(pointer, "rule")).value_or("");
    return op;
  }

  void bind(const json& j, const std::string& pointer, Op& op) {
    auto one = [&](const json& n, const std::string& p) {
      if (!n.is_string() || !isValidName(n.get<std::string>())) {
        error(p, "a name is letters, digits and _, not starting with a digit, found " + excerpt(n));
        return;
      }
      const std::string name = n.get<std::string>();
      if (!bound_.insert(name).second) error(p, "name \"" + name + "\" is already bound");
      op.as.push_back(name);
    };
    if (j.is_array()) {
      if (j.empty()) error(pointer, "an empty list binds nothing");
      for (std::size_t i = 0; i < j.size(); ++i) one(j[i], at(pointer, i));
    } else {
      one(j, pointer);
    }
  }

  std::vector<Op> ops(const json& j, const std::string& pointer, std::size_t callDepth, const std::set<std::string>& notes) {
    std::vector<Op> out;
    if (!j.is_array()) {
      error(pointer, "expected a list of ops, found " + kindOf(j));
      return out;
    }
    for (std::size_t i = 0; i < j.size(); ++i) {
      if (!out.empty() && out.back().kind == OpKind::Throw)
        error(at(pointer, i), "an op after \"throw\" in the same body would never run");
      if (auto o = op(j[i], at(pointer, i), callDepth, notes)) out.push_back(std::move(*o));
    }
    return out;
  }

  Setup setup(const json& j, const std::string& pointer) {
    Setup s;
    if (!object(j, pointer, {"memory", "growth", "growFaults"})) return s;
    if (j.contains("memory")) {
      const auto& m = j["memory"];
      const std::string mp = at(pointer, "memory");
      if (object(m, mp, {"initialPages", "maximumPages"})) {
        if (m.contains("initialPages"))
          if (auto v = integer(m["initialPages"], at(mp, "initialPages"), 0, 65536)) s.memory.initialPages = std::uint32_t(*v);
        if (m.contains("maximumPages"))
          if (auto v = integer(m["maximumPages"], at(mp, "maximumPages"), 0, 65536)) s.memory.maximumPages = std::uint32_t(*v);
        if (s.memory.initialPages > s.memory.maximumPages) error(mp, "initialPages is above maximumPages");
      }
    }
    if (j.contains("growth")) {
      const auto& g = j["growth"];
      const std::string gp = at(pointer, "growth");
      if (object(g, gp, {"geometricStep", "overgrowthCap", "alignment", "maxHeapSize"})) {
        auto field = [&](const char* key, double& out) {
          if (!g.contains(key)) return;
          if (g[key].is_number()) out = g[key].get<double>();
          else error(at(gp, key), std::string("expected a number, found ") + excerpt(g[key]));
        };
        field("geometricStep", s.growth.geometricStep);
        field("overgrowthCap", s.growth.overgrowthCap);
        field("alignment", s.growth.alignment);
        field("maxHeapSize", s.growth.maxHeapSize);
        try {
          checkGrowthParams(s.growth);
        } catch (const GlueError& e) {
          error(gp, e.what());
        }
      }
    }
    if (j.contains("growFaults")) {
      const auto& f = j["growFaults"];
      const std::string fp = at(pointer, "growFaults");
      if (object(f, fp, {"failAttempts", "failAbovePages"})) {
        if (f.contains("failAttempts")) {
          const auto& list = f["failAttempts"];
          if (!list.is_array()) error(at(fp, "failAttempts"), "expected a list of 1-based grow ordinals");
          else
            for (std::size_t i = 0; i < list.size(); ++i)
              if (auto v = integer(list[i], at(at(fp, "failAttempts"), i), 1, 1e9)) s.faults.failAttempts.push_back(std::uint64_t(*v));
        }
        if (f.contains("failAbovePages"))
          if (auto v = integer(f["failAbovePages"], at(fp, "failAbovePages"), 0, 65536)) s.faults.failAbovePages = std::uint32_t(*v);
      }
    }
    return s;
  }

  FinalState finalState(const json& j, const std::string& pointer) {
    FinalState f;
    f.pointer = pointer;
    if (!object(j, pointer, {"level", "live", "installed", "byteLength", "violations"})) return f;
    if (j.contains("violations"))
      if (auto list = strings(j["violations"], at(pointer, "violations"))) f.violations = *list;
    if (j.contains("level"))
      if (auto v = integer(j["level"], at(pointer, "level"), 0, 1e9)) f.level = std::size_t(*v);
    auto names = [&](const char* key) -> std::optional<std::vector<std::string>> {
      if (!j.contains(key)) return std::nullopt;
      auto list = strings(j[key], at(pointer, key));
      if (!list) return std::nullopt;
      for (std::size_t i = 0; i < list->size(); ++i)
        if (!anyName_ && !bound_.count((*list)[i])) error(at(at(pointer, key), i), "name \"" + (*list)[i] + "\" is never bound");
      return list;
    };
    f.live = names("live");
    f.installed = names("installed");
    if (j.contains("byteLength"))
      if (auto v = integer(j["byteLength"], at(pointer, "byteLength"), 0, 4294967296.0)) f.byteLength = double(*v);
    return f;
  }

  std::set<std::string> bound_;

 private:
  std::string file_;
  std::string vectorId_;
  std::vector<LoadError>& errors_;
  bool ok_ = true;
  bool anyName_ = false;
};

std::optional<Vector> readVector(Reader& r, const json& j, const std::string& pointer, const VectorFile& file,
                                 std::set<std::string>& seenIds) {
  if (!r.object(j, pointer, {"id", "description", "rules", "source", "tags", "requires", "setup", "ops", "final"}))
    return std::nullopt;
  Vector v;
  v.file = file.path;
  v.area = file.area;
  v.pointer = pointer;
  if (!j.contains("id")) r.error(at(pointer, "id"), "every vector has an \"id\"");
  else if (auto id = r.string(j["id"], at(pointer, "id"))) {
    v.id = *id;
    r.setVector(v.id);
    if (!isVectorId(v.id))
      r.error(at(pointer, "id"), "an id is lower-case words separated by / (\"scope/pop/non-top\")");
    if (!seenIds.insert(v.id).second) r.error(at(pointer, "id"), "duplicate id \"" + v.id + "\" in this file");
  }
  if (j.contains("description")) r.string(j["description"], at(pointer, "description"));
  if (!j.contains("rules")) r.error(at(pointer, "rules"), "every vector cites at least one rule");
  else if (auto rules = r.strings(j["rules"], at(pointer, "rules"))) {
    if (rules->empty()) r.error(at(pointer, "rules"), "every vector cites at least one rule");
    for (std::size_t i = 0; i < rules->size(); ++i)
      if (!isRuleId((*rules)[i]))
        r.error(at(at(pointer, "rules"), i), "\"" + (*rules)[i] + "\" is not a rule ID (\"SCOPE-5\")");
    v.rules = *rules;
  }
  static const std::set<std::string> sources{"seed", "upstream", "wasm", "ecma", "decided"};
  if (!j.contains("source")) r.error(at(pointer, "source"), "every vector names its basis (seed, upstream, wasm, ecma, decided)");
  else if (auto s = r.string(j["source"], at(pointer, "source"))) {
    if (!sources.count(*s)) r.error(at(pointer, "source"), "\"" + *s + "\" is not one of seed, upstream, wasm, ecma, decided");
    v.source = *s;
  }
  if (j.contains("tags"))
    if (auto tags = r.strings(j["tags"], at(pointer, "tags"))) v.tags.insert(tags->begin(), tags->end());
  if (j.contains("requires"))
    if (auto req = r.strings(j["requires"], at(pointer, "requires"))) {
      for (std::size_t i = 0; i < req->size(); ++i)
        if (!knownCapabilities().count((*req)[i]))
          r.error(at(at(pointer, "requires"), i), "unknown capability \"" + (*req)[i] + "\"");
      v.requires_.insert(req->begin(), req->end());
    }
  if (j.contains("setup")) v.setup = r.setup(j["setup"], at(pointer, "setup"));
  std::set<std::string> notes;
  for (const auto& [flag, text] : file.notes) notes.insert(flag);
  if (!j.contains("ops")) r.error(at(pointer, "ops"), "every vector has ops");
  else {
    v.ops = r.ops(j["ops"], at(pointer, "ops"), 0, notes);
    if (j["ops"].is_array() && j["ops"].empty()) r.error(at(pointer, "ops"), "a vector needs at least one op");
  }
  if (j.contains("final")) v.final = r.finalState(j["final"], at(pointer, "final"));
  // Capabilities that the setup or the ops imply, whether or not `requires` says so.
  const bool statesMemory = j.contains("setup") && j["setup"].is_object() && j["setup"].contains("memory");
  v.requires_.merge(capabilityNames(vectorNeeds(v, statesMemory)));
  if (!r.ok()) return std::nullopt;
  return v;
}

// Rejects duplicate keys, which JSON parsers otherwise resolve silently.
struct DuplicateKeyGuard {
  std::vector<std::set<std::string>> keys;
  bool operator()(int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) keys.emplace_back();
    else if (event == json::parse_event_t::object_end && !keys.empty()) keys.pop_back();
    else if (event == json::parse_event_t::key && !keys.empty() && !keys.back().insert(parsed.get<std::string>()).second)
      throw std::runtime_error("duplicate key \"" + parsed.get<std::string>() + "\"");
    return true;
  }
};

}  // namespace

VectorFile loadVectorFile(const std::string& path, std::string_view text, std::vector<LoadError>& errors) {
  VectorFile file;
  file.path = path;
  json doc;
  try {
    DuplicateKeyGuard guard;
    doc = json::parse(text.begin(), text.end(), std::ref(guard));
  } catch (const std::exception& e) {
    errors.push_back({path, "", "", std::string("not valid JSON: ") + e.what()});
    return file;
  }
  Reader header(path, errors);
  if (!header.object(doc, "", {"schema", "area", "description", "notes", "vectors", "comment"})) return file;
  if (!doc.contains("schema") || doc["schema"] != kSchemaName) {
    header.error("/schema", "expected \"schema\": \"" + std::string(kSchemaName) + "\"");
    return file;
  }
  if (!doc.contains("area")) header.error("/area", "every file names its area");
  else file.area = header.string(doc["area"], "/area").value_or("");
  if (!doc.contains("description")) header.error("/description", "every file says what it checks and how its expectations were obtained");
  else file.description = header.string(doc["description"], "/description").value_or("");
  if (doc.contains("notes")) {
    if (!doc["notes"].is_object()) header.error("/notes", "expected an object of flag: explanation");
    else
      for (const auto& [flag, note] : doc["notes"].items()) {
        if (note.is_string()) file.notes[flag] = note.get<std::string>();
        else header.error("/notes/" + escapePointerToken(flag), "a note is a string");
      }
  }
  if (!doc.contains("vectors") || !doc["vectors"].is_array()) {
    header.error("/vectors", "expected a list of vectors");
    return file;
  }
  std::set<std::string> seen;
  const auto& list = doc["vectors"];
  for (std::size_t i = 0; i < list.size(); ++i) {
    Reader r(path, errors);
    if (auto v = readVector(r, list[i], at(std::string("/vectors"), i), file, seen)) file.vectors.push_back(std::move(*v));
  }
  return file;
}

std::optional<KnownOutcome> loadKnownOutcome(const std::string& file, const std::string& vectorId, const json& j,
                                             const std::string& pointer, std::vector<LoadError>& errors) {
  Reader r(file, errors);
  r.setVector(vectorId);
  r.allowAnyName();
  auto o = r.outcome(j, pointer, Reader::OutcomeForm::Known);
  if (!o || !r.ok()) return std::nullopt;
  KnownOutcome k{*o, false, j.contains("violations"), false, pointer, j.dump()};
  if (j.contains("run")) {
    if (j["run"] != false || j.size() != 1) {
      r.error(pointer + "/run", "\"run\": false (the op does not run: a name it uses is unbound) stands alone");
      return std::nullopt;
    }
    k.notRun = true;
    return k;
  }
  for (const char* key : {"ok", "error", "value", "type", "nonZero", "multipleOf"}) k.result |= j.contains(key);
  if (!k.result && !o->events && !k.violations && !o->addressAfter) {
    r.error(pointer, "a known outcome gives at least one of ok, error, value, type, nonZero, multipleOf, events, violations, addressAfter");
    return std::nullopt;
  }
  return k;
}

std::optional<FinalState> loadKnownFinal(const std::string& file, const std::string& vectorId, const json& j,
                                         const std::string& pointer, std::vector<LoadError>& errors) {
  Reader r(file, errors);
  r.setVector(vectorId);
  r.allowAnyName();
  FinalState f = r.finalState(j, pointer);
  if (!r.ok()) return std::nullopt;
  if (j.empty()) {
    r.error(pointer, "a known end state gives at least one of level, live, installed, byteLength, violations");
    return std::nullopt;
  }
  return f;
}

std::optional<Setup> loadSetup(const std::string& origin, const json& j, const std::string& pointer,
                               std::vector<LoadError>& errors) {
  Reader r(origin, errors);
  Setup setup = r.setup(j, pointer);
  if (!r.ok()) return std::nullopt;
  return setup;
}

Corpus loadCorpus(const std::vector<std::string>& paths) {
  Corpus corpus;
  std::vector<fs::path> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (fs::recursive_directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file() && it->path().extension() == ".json") files.push_back(it->path());
      if (ec) corpus.errors.push_back({p, "", "", "cannot list directory: " + ec.message(), true});
    } else if (fs::is_regular_file(p, ec)) {
      files.emplace_back(p);
    } else {
      corpus.errors.push_back({p, "", "", "no such file or directory", true});
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
      corpus.errors.push_back({f.string(), "", "", "cannot read the file", true});
      continue;
    }
    corpus.files.push_back(loadVectorFile(f.string(), text.str(), corpus.errors));
  }
  // Ids are unique across the corpus: expectations files and reports use them.
  std::map<std::string, std::string> firstFile;
  for (auto& file : corpus.files) {
    auto& vs = file.vectors;
    for (auto it = vs.begin(); it != vs.end();) {
      auto [seen, fresh] = firstFile.emplace(it->id, file.path);
      if (fresh || seen->second == file.path) {
        ++it;
        continue;
      }
      corpus.errors.push_back({file.path, it->id, it->pointer + "/id", "duplicate id, first used in " + seen->second});
      it = vs.erase(it);
    }
  }
  return corpus;
}

}  // namespace memconform::conformance
