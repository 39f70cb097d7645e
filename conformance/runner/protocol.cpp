#include "conformance/runner/protocol.h"

#include <algorithm>
#include <map>

#include "conformance/runner/capabilities.h"
#include "conformance/runner/writer.h"

namespace memconform::conformance::protocol {

using nlohmann::json;

namespace {

std::string at(const std::string& pointer, const std::string& key) { return pointer + "/" + key; }
std::string at(const std::string& pointer, std::size_t index) { return pointer + "/" + std::to_string(index); }

const json& field(const json& j, const std::string& pointer, const char* key) {
  if (!j.is_object()) throw ProtocolError(pointer, "expected an object");
  if (!j.contains(key)) throw ProtocolError(pointer, std::string("missing \"") + key + "\"");
  return j[key];
}

bool isNonNegativeInteger(const json& v) {
  return v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
}

std::uint64_t unsignedField(const json& j, const std::string& pointer, const char* key) {
  const json& v = field(j, pointer, key);
  if (!isNonNegativeInteger(v)) throw ProtocolError(at(pointer, key), "expected a non-negative integer, got " + v.dump());
  return v.get<std::uint64_t>();
}

std::uint32_t u32Field(const json& j, const std::string& pointer, const char* key) {
  const std::uint64_t v = unsignedField(j, pointer, key);
  if (v > 0xffffffffu) throw ProtocolError(at(pointer, key), "expected a wasm32 address or index, got " + std::to_string(v));
  return static_cast<std::uint32_t>(v);
}

bool boolField(const json& j, const std::string& pointer, const char* key) {
  const json& v = field(j, pointer, key);
  if (!v.is_boolean()) throw ProtocolError(at(pointer, key), "expected true or false, got " + v.dump());
  return v.get<bool>();
}

double numberField(const json& j, const std::string& pointer, const char* key) {
  const json& v = field(j, pointer, key);
  const auto d = numberFromJson(v);
  if (!d) throw ProtocolError(at(pointer, key), "expected a number, got " + v.dump());
  return *d;
}

const json& arrayField(const json& j, const std::string& pointer, const char* key) {
  const json& v = field(j, pointer, key);
  if (!v.is_array()) throw ProtocolError(at(pointer, key), "expected a list");
  return v;
}

std::vector<std::uint32_t> unsignedList(const json& j, const std::string& pointer, const char* key) {
  std::vector<std::uint32_t> out;
  const json& list = arrayField(j, pointer, key);
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!isNonNegativeInteger(list[i]) || list[i].get<std::uint64_t>() > 0xffffffffu)
      throw ProtocolError(at(at(pointer, key), i), "expected a wasm32 address or index, got " + list[i].dump());
    out.push_back(static_cast<std::uint32_t>(list[i].get<std::uint64_t>()));
  }
  return out;
}

std::optional<OpResult> parseResult(const json& j, const std::string& pointer, const Op& op);

std::vector<std::optional<OpResult>> parseResults(const json& list, const std::string& pointer, const std::vector<Op>& ops) {
  if (!list.is_array()) throw ProtocolError(pointer, "expected a list");
  if (list.size() != ops.size())
    throw ProtocolError(pointer, "expected " + std::to_string(ops.size()) + " results (one per op, null if it did not run), got " +
                                     std::to_string(list.size()));
  std::vector<std::optional<OpResult>> out;
  for (std::size_t i = 0; i < ops.size(); ++i) out.push_back(parseResult(list[i], at(pointer, i), ops[i]));
  return out;
}

std::optional<OpResult> parseResult(const json& j, const std::string& pointer, const Op& op) {
  if (j.is_null()) return std::nullopt;
  if (!j.is_object()) throw ProtocolError(pointer, "expected a result object or null");
  for (const auto& [key, _] : j.items())
    if (key != "value" && key != "error" && key != "message" && key != "events" && key != "byteLength" && key != "body" &&
        key != "addressAfter" && key != "accesses")
      throw ProtocolError(at(pointer, key), "unknown field");
  OpResult r;
  if (j.contains("error")) {
    const json& kind = j["error"];
    const std::optional<ErrorKind> parsed = kind.is_string() ? errorKindFromName(kind.get<std::string>()) : std::nullopt;
    if (!parsed) throw ProtocolError(at(pointer, "error"), "not an error kind of SEMANTICS.md section 9: " + kind.dump());
    r.error = parsed;
    if (j.contains("value")) throw ProtocolError(at(pointer, "value"), "an op that fails has no value");
    if (j.contains("message")) {
      if (!j["message"].is_string()) throw ProtocolError(at(pointer, "message"), "expected a string");
      r.message = j["message"].get<std::string>();
    }
  } else {
    r.value = parseValue(field(j, pointer, "value"), at(pointer, "value"));
  }
  if (j.contains("events")) {
    const json& events = arrayField(j, pointer, "events");
    for (std::size_t i = 0; i < events.size(); ++i) r.events.push_back(parseEvent(events[i], at(at(pointer, "events"), i)));
  }
  if (j.contains("byteLength")) r.byteLength = unsignedField(j, pointer, "byteLength");
  if (j.contains("addressAfter")) {
    if (op.kind != OpKind::Peek || !j["addressAfter"].is_array())
      throw ProtocolError(at(pointer, "addressAfter"), "only a peek of a list has one: the list the call left, as a list");
    r.addressAfter = parseValue(j["addressAfter"], at(pointer, "addressAfter"));
  }
  if (j.contains("accesses")) {
    const json& accesses = arrayField(j, pointer, "accesses");
    for (std::size_t i = 0; i < accesses.size(); ++i) {
      if (!accesses[i].is_string() || accesses[i].get<std::string>().empty())
        throw ProtocolError(at(at(pointer, "accesses"), i), "expected a line describing one access (a non-empty string), got " + accesses[i].dump());
      r.accesses.push_back(accesses[i].get<std::string>());
    }
  }
  if (op.kind == OpKind::Call) {
    if (j.contains("body")) r.body = parseResults(j["body"], at(pointer, "body"), op.body);
    else r.body.resize(op.body.size());
  } else if (j.contains("body")) {
    throw ProtocolError(at(pointer, "body"), "only a call has a body");
  }
  return r;
}

json resultsJson(const std::vector<Op>& ops, const std::map<const Op*, const Observed*>& observed) {
  json out = json::array();
  for (const Op& op : ops) {
    const auto it = observed.find(&op);
    if (it == observed.end()) {
      out.push_back(nullptr);
      continue;
    }
    const Observed& o = *it->second;
    json r;
    if (o.error) {
      r["error"] = std::string(errorKindName(*o.error));
      r["message"] = o.message;
    } else {
      r["value"] = toJson(o.value);
    }
    r["events"] = json::array();
    for (const auto& e : o.events) r["events"].push_back(eventJson(e));
    r["byteLength"] = o.byteLength;
    if (o.addressAfter) r["addressAfter"] = toJson(*o.addressAfter);
    if (op.kind == OpKind::Call) r["body"] = resultsJson(op.body, observed);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

json helloJson(const Hello& hello) {
  json j = {{"hello", kHello},
          {"protocol", hello.protocol},
          {"implementation", hello.implementation},
          {"capabilities", json(std::vector<std::string>(hello.capabilities.begin(), hello.capabilities.end()))}};
  if (hello.minimumPages > 0) j["minimumPages"] = hello.minimumPages;
  if (hello.wellBehavedCaller) j["wellBehavedCaller"] = true;
  if (hello.opsAhead) j["opsAhead"] = true;
  if (hello.maximumPages > 0) j["maximumPages"] = hello.maximumPages;
  if (hello.memory) j["memory"] = {{"initialPages", hello.memory->initialPages}, {"maximumPages", hello.memory->maximumPages}};
  if (hello.ops) {
    json& ops = j["ops"] = json::array();
    for (OpKind kind : *hello.ops) ops.push_back(opSpec(kind).name);
  }
  return j;
}

Hello parseHello(const json& j) {
  const json& hello = field(j, "", "hello");
  if (hello != kHello) throw ProtocolError("/hello", "expected \"" + std::string(kHello) + "\", got " + hello.dump());
  const json& version = field(j, "", "protocol");
  if (version != kVersion && version != kOpAtATimeVersion)
    throw ProtocolError("/protocol", "this runner speaks protocols " + std::to_string(kVersion) + " and " +
                                         std::to_string(kOpAtATimeVersion) + ", the driver " + version.dump());
  Hello h;
  h.protocol = version.get<int>();
  const json& name = field(j, "", "implementation");
  if (!name.is_string()) throw ProtocolError("/implementation", "expected a string");
  h.implementation = name.get<std::string>();
  const json& capabilities = arrayField(j, "", "capabilities");
  for (std::size_t i = 0; i < capabilities.size(); ++i) {
    if (!capabilities[i].is_string() || !knownCapabilities().count(capabilities[i].get<std::string>()))
      throw ProtocolError(at("/capabilities", i), "not a capability of docs/VECTORS.md \"Capabilities\": " + capabilities[i].dump());
    h.capabilities.insert(capabilities[i].get<std::string>());
  }
  if (j.contains("minimumPages")) {
    h.minimumPages = u32Field(j, "", "minimumPages");
    // As a setup's initialPages: at most 65536 pages (core/memory.h).
    if (h.minimumPages > 65536)
      throw ProtocolError("/minimumPages", "expected at most 65536 pages, got " + std::to_string(h.minimumPages));
  }
  if (j.contains("maximumPages")) {
    h.maximumPages = u32Field(j, "", "maximumPages");
    if (h.maximumPages == 0 || h.maximumPages > 65536 || h.maximumPages < h.minimumPages)
      throw ProtocolError("/maximumPages", "expected minimumPages <= maximumPages <= 65536 and not 0, got " +
                                               std::to_string(h.maximumPages));
  }
  if (j.contains("wellBehavedCaller")) h.wellBehavedCaller = boolField(j, "", "wellBehavedCaller");
  if (j.contains("opsAhead")) {
    h.opsAhead = boolField(j, "", "opsAhead");
    if (h.opsAhead && h.protocol != kOpAtATimeVersion)
      throw ProtocolError("/opsAhead", "only a driver of protocol " + std::to_string(kOpAtATimeVersion) + " gets ops ahead");
  }
  if (j.contains("memory")) {
    if (h.capabilities.count("memory-config"))
      throw ProtocolError("/memory", "a driver with memory-config sets up the memory each vector asks for: it has no fixed memory");
    const json& memory = j["memory"];
    if (!memory.is_object()) throw ProtocolError("/memory", "expected {\"initialPages\": N, \"maximumPages\": M}");
    MemoryConfig m;
    m.initialPages = u32Field(memory, "/memory", "initialPages");
    m.maximumPages = u32Field(memory, "/memory", "maximumPages");
    // As a setup's memory (MEM-4, core/memory.h).
    if (m.maximumPages > 65536 || m.initialPages > m.maximumPages)
      throw ProtocolError("/memory", "expected initialPages <= maximumPages <= 65536, got " + std::to_string(m.initialPages) +
                                         " and " + std::to_string(m.maximumPages));
    h.memory = m;
  }
  if (j.contains("ops")) {
    const json& ops = arrayField(j, "", "ops");
    h.ops.emplace();
    for (std::size_t i = 0; i < ops.size(); ++i) {
      const OpSpec* op = ops[i].is_string() ? findOp(ops[i].get<std::string>()) : nullptr;
      if (!op) throw ProtocolError(at("/ops", i), "not an op of docs/VECTORS.md: " + ops[i].dump());
      h.ops->insert(op->kind);
    }
  }
  return h;
}

namespace {
// Drivers execute and report; they do not see what the runner expects,
// except the event patterns that bind names ({"alloc": "s0"} names a block
// that an op allocated without returning it).
void stripExpectations(json& ops) {
  for (auto& op : ops) {
    if (op.contains("expect")) {
      json& expect = op["expect"];
      if (expect.is_object() && expect.contains("events")) expect = {{"events", expect["events"]}};
      else op.erase("expect");
    }
    if (op.contains("body")) stripExpectations(op["body"]);
  }
}
}  // namespace

json requestJson(std::uint64_t id, const Vector& vector) {
  json v = toJson(vector);
  v.erase("final");
  stripExpectations(v["ops"]);
  return {{"id", id}, {"vector", std::move(v)}};
}

Response parseResponse(const json& j, std::uint64_t id, const Vector& vector) {
  if (unsignedField(j, "", "id") != id) throw ProtocolError("/id", "expected the request's id " + std::to_string(id));
  Response r;
  for (auto [key, out] : {std::pair{"error", &r.error}, std::pair{"skipped", &r.skipped}})
    if (j.contains(key)) {
      if (!j[key].is_string()) throw ProtocolError(std::string("/") + key, "expected a string");
      *out = j[key].get<std::string>();
      return r;
    }
  r.results = parseResults(field(j, "", "results"), "/results", vector.ops);
  r.final = parseState(field(j, "", "final"), "/final");
  return r;
}

TargetState parseState(const json& j, const std::string& pointer) {
  TargetState state;
  state.level = unsignedField(j, pointer, "level");
  const auto live = unsignedList(j, pointer, "live");
  state.live.assign(live.begin(), live.end());
  const auto installed = unsignedList(j, pointer, "installed");
  state.installed.assign(installed.begin(), installed.end());
  state.byteLength = unsignedField(j, pointer, "byteLength");
  return state;
}

OpResult parseOpResult(const json& j, const std::string& pointer, const Op& op) {
  if (j.is_object() && j.contains("body")) throw ProtocolError(at(pointer, "body"), "protocol 2 sends a call's body op by op");
  std::optional<OpResult> r = parseResult(j, pointer, op);
  if (!r) throw ProtocolError(pointer, "expected the op's result, got null");
  return std::move(*r);
}

json responseJson(std::uint64_t id, const Vector& vector, const VectorRun& run) {
  if (!run.endState) throw std::logic_error("responseJson needs a run made with keepEndState");
  const TargetState& final = *run.endState;
  return {{"id", id},
          {"results", resultsJson(vector.ops, observedByOp(run))},
          {"final",
           {{"level", final.level}, {"live", final.live}, {"installed", final.installed}, {"byteLength", final.byteLength}}}};
}

json eventJson(const Event& e) {
  return std::visit(
      [](const auto& ev) -> json {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_same_v<T, AllocEvent>) return {{"alloc", ev.ptr}, {"size", ev.size}};
        else if constexpr (std::is_same_v<T, DeallocEvent>) return {{"dealloc", ev.ptr}};
        else if constexpr (std::is_same_v<T, InstallEvent>) return {{"install", ev.index}};
        else if constexpr (std::is_same_v<T, UninstallEvent>) return {{"uninstall", ev.index}};
        else if constexpr (std::is_same_v<T, PushEvent>) return {{"push", ev.scope}};
        else if constexpr (std::is_same_v<T, PopEvent>) return {{"pop", ev.scope}};
        else if constexpr (std::is_same_v<T, GrowEvent>) return {{"grow", ev.pages}, {"ok", ev.ok}};
        else if constexpr (std::is_same_v<T, ResizeAttemptEvent>) return {{"resizeAttempt", toJson(Value(ev.newSize))}, {"ok", ev.ok}};
        else return {{"staleView", ev.viewGeneration}, {"memory", ev.memoryGeneration}};
      },
      e);
}

Event parseEvent(const json& j, const std::string& pointer) {
  if (!j.is_object() || j.empty()) throw ProtocolError(pointer, "expected an event object");
  static const std::map<std::string, std::vector<std::string>, std::less<>> kFields{
      {"alloc", {"alloc", "size"}}, {"dealloc", {"dealloc"}}, {"install", {"install"}}, {"uninstall", {"uninstall"}},
      {"push", {"push"}},          {"pop", {"pop"}},         {"grow", {"grow", "ok"}}, {"resizeAttempt", {"resizeAttempt", "ok"}},
      {"staleView", {"staleView", "memory"}}};
  std::string kind;
  for (const auto& [key, _] : j.items())
    if (kFields.count(key)) {
      kind = key;
      break;
    }
  const auto fields = kFields.find(kind);
  if (fields == kFields.end()) throw ProtocolError(pointer, "not an event: " + j.dump());
  for (const auto& [key, _] : j.items())
    if (std::find(fields->second.begin(), fields->second.end(), key) == fields->second.end())
      throw ProtocolError(at(pointer, key), "unknown field of a " + kind + " event");
  if (kind == "alloc") return AllocEvent{u32Field(j, pointer, "alloc"), unsignedField(j, pointer, "size")};
  if (kind == "dealloc") return DeallocEvent{u32Field(j, pointer, "dealloc")};
  if (kind == "install") return InstallEvent{u32Field(j, pointer, "install")};
  if (kind == "uninstall") return UninstallEvent{u32Field(j, pointer, "uninstall")};
  if (kind == "push") return PushEvent{unsignedField(j, pointer, "push")};
  if (kind == "pop") return PopEvent{unsignedField(j, pointer, "pop")};
  if (kind == "grow") return GrowEvent{u32Field(j, pointer, "grow"), boolField(j, pointer, "ok")};
  if (kind == "resizeAttempt") return ResizeAttemptEvent{numberField(j, pointer, "resizeAttempt"), boolField(j, pointer, "ok")};
  return StaleViewEvent{unsignedField(j, pointer, "staleView"), unsignedField(j, pointer, "memory")};
}

// Version 2's runner lines are written here, not built as trees: the
// fuzzer writes one per op.
namespace {
void appendJson(std::string& out, const json& j) { out += j.dump(-1, ' ', false, json::error_handler_t::replace); }
bool hasRepeat(const Expr& e) {
  if (std::holds_alternative<Repeat>(e.form)) return true;
  if (const auto* items = std::get_if<std::vector<Expr>>(&e.form))
    return std::any_of(items->begin(), items->end(), hasRepeat);
  return false;
}
}  // namespace

std::string startLine(const Vector& vector, const std::optional<MemoryConfig>& fixedMemory) {
  json setup = setupJson(vector);
  if (fixedMemory)
    setup["memory"] = {{"initialPages", fixedMemory->initialPages}, {"maximumPages", fixedMemory->maximumPages}};
  std::string line = "{\"start\":";
  appendJson(line, setup);
  return line + "}";
}

json argumentJson(const Value& v, ParamType type) {
  if (type == ParamType::Literal || type == ParamType::String || type == ParamType::StringList || type == ParamType::Bool ||
      type == ParamType::Count) {
    // As they are: a C string "NaN" stays a string.
    if (const auto* s = v.get<std::string>()) return *s;
    if (const auto* list = v.get<std::vector<Value>>()) {
      json out = json::array();
      for (const auto& item : *list) out.push_back(argumentJson(item, type));
      return out;
    }
  }
  return toJson(v);
}

std::string opLine(const Op& op, const Args& args, bool repeatStrings) {
  const OpSpec& spec = opSpec(op.kind);
  std::string line = "{\"op\":\"";
  line += spec.name;
  line += "\",\"at\":";
  appendJson(line, op.pointer);
  line += ",\"args\":{";
  bool first = true;
  for (const auto& [name, value] : args) {
    const ParamSpec* param = findParam(spec, name);
    if (!param) continue;
    if (!first) line += ',';
    first = false;
    appendJson(line, std::string(name));
    line += ':';
    const auto expr = op.args.find(name);
    if (repeatStrings && expr != op.args.end() && hasRepeat(expr->second)) appendJson(line, toJson(expr->second));
    else appendJson(line, argumentJson(value, param->type));
  }
  return line + "}}";
}

std::string returnLine(const Value& value) {
  std::string line = "{\"return\":";
  appendJson(line, toJson(value));
  return line + "}";
}
std::string throwLine() { return "{\"throw\":true}"; }
std::string stateLine() { return "{\"state\":true}"; }
std::string endLine() { return "{\"end\":true}"; }

Value parseArgument(const json& j, ParamType type, const std::string& pointer) {
  switch (type) {
    case ParamType::Literal:
    case ParamType::String:
    case ParamType::StringList:
    case ParamType::Bool:
    case ParamType::Count:
      if (j.is_string()) return Value(j.get<std::string>());
      if (j.is_array()) {
        std::vector<Value> items;
        for (std::size_t i = 0; i < j.size(); ++i) items.push_back(parseArgument(j[i], type, at(pointer, i)));
        return Value(std::move(items));
      }
      if (j.is_object() && j.size() == 2 && j.contains("repeat") && j.contains("count") && j["repeat"].is_string() &&
          j["count"].is_number_unsigned())
        return Value(Repeat{j["repeat"].get<std::string>(), j["count"].get<std::uint64_t>()}.expanded());
      break;
    default: break;
  }
  return parseValue(j, pointer);
}

Value parseValue(const json& j, const std::string& pointer) {
  if (j.is_null()) return Value(Null{});
  if (j.is_boolean()) return Value(j.get<bool>());
  if (j.is_number()) return Value(j.get<double>());
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (s == "undefined") return Value(Undefined{});
    if (auto d = numberFromJson(j)) return Value(*d);
    if (auto b = bigIntFromJson(j)) return Value(*b);
    return Value(s);
  }
  if (j.is_array()) {
    std::vector<Value> list;
    for (std::size_t i = 0; i < j.size(); ++i) list.push_back(parseValue(j[i], at(pointer, i)));
    return Value(std::move(list));
  }
  if (j.size() == 1 && (j.contains("scope") || j.contains("view"))) {
    const bool scope = j.contains("scope");
    return Value(Handle{scope ? Handle::Kind::Scope : Handle::Kind::View, unsignedField(j, pointer, scope ? "scope" : "view")});
  }
  throw ProtocolError(pointer, "not a value of section 10: " + j.dump());
}

}  // namespace memconform::conformance::protocol
