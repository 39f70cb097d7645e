#include "conformance/runner/writer.h"

#include "conformance/runner/capabilities.h"
#include "conformance/runner/loader.h"

namespace memconform::conformance {

using nlohmann::json;

json toJson(const Expr& e) {
  if (const auto* v = std::get_if<Value>(&e.form)) {
    if (v->isUndefined()) return "undefined";
    return toJson(*v);
  }
  if (const auto* r = std::get_if<NameRef>(&e.form)) {
    std::string s = r->name;
    if (r->offset > 0) s += "+" + std::to_string(r->offset);
    if (r->offset < 0) s += std::to_string(r->offset);
    if (r->shift > 0) s += ">>" + std::to_string(r->shift);
    return s;
  }
  if (const auto* r = std::get_if<Repeat>(&e.form)) return {{"repeat", r->text}, {"count", r->count}};
  json list = json::array();
  for (const auto& item : std::get<std::vector<Expr>>(e.form)) list.push_back(toJson(item));
  return list;
}

namespace {

json eventJson(const EventPattern& p) {
  json e;
  switch (p.kind) {
    case EventPattern::Kind::Alloc:
      e["alloc"] = toJson(p.subject);
      if (p.size) e["size"] = static_cast<std::uint64_t>(*p.size);
      break;
    case EventPattern::Kind::Dealloc: e["dealloc"] = toJson(p.subject); break;
    case EventPattern::Kind::Install: e["install"] = toJson(p.subject); break;
    case EventPattern::Kind::Uninstall: e["uninstall"] = toJson(p.subject); break;
    case EventPattern::Kind::Grow: e["grow"] = toJson(p.subject); e["ok"] = *p.ok; break;
    case EventPattern::Kind::ResizeAttempt: e["resizeAttempt"] = toJson(p.subject); e["ok"] = *p.ok; break;
  }
  return e;
}

json outcomeJson(const Outcome& o) {
  json j = json::object();
  if (o.error) j["error"] = std::string(errorKindName(*o.error));
  if (o.value) j["value"] = toJson(*o.value);
  if (o.events) {
    j["events"] = json::array();
    for (const auto& e : *o.events) j["events"].push_back(eventJson(e));
  }
  if (o.multipleOf) j["multipleOf"] = *o.multipleOf;
  if (o.nonZero) j["nonZero"] = true;
  if (o.addressAfter) j["addressAfter"] = toJson(*o.addressAfter);
  if (!o.violations.empty()) j["violations"] = o.violations;
  if (j.empty()) j["ok"] = true;
  return j;
}

}  // namespace

json toJson(const Op& op) {
  json j{{"op", std::string(opSpec(op.kind).name)}};
  for (const auto& [name, arg] : op.args) j[name] = toJson(arg);
  if (op.kind == OpKind::Call) {
    j["body"] = json::array();
    for (const auto& b : op.body) j["body"].push_back(toJson(b));
  }
  if (op.as.size() == 1) j["as"] = op.as.front();
  else if (!op.as.empty()) j["as"] = op.as;
  if (op.expect) {
    j["expect"] = outcomeJson(op.expect->outcome);
    if (!op.expect->acceptable.empty()) {
      json alternatives = json::array();
      for (const auto& [flag, o] : op.expect->acceptable) {
        json a = outcomeJson(o);
        a["flag"] = flag;
        alternatives.push_back(a);
      }
      j["expect"] = {{"acceptable", alternatives}};
    }
  }
  if (!op.rule.empty()) j["rule"] = op.rule;
  return j;
}

json setupJson(const Vector& v) {
  const Setup defaults;
  json setup = json::object();
  // Only a vector that depends on its memory states it: a stated memory
  // requires memory-config, even the default one.
  if (setupNeeds(v.setup, v.requires_.count("memory-config") != 0) & kMemoryConfig)
    setup["memory"] = {{"initialPages", v.setup.memory.initialPages}, {"maximumPages", v.setup.memory.maximumPages}};
  if (!(v.setup.growth == defaults.growth))
    setup["growth"] = {{"geometricStep", v.setup.growth.geometricStep}, {"overgrowthCap", v.setup.growth.overgrowthCap},
                       {"alignment", v.setup.growth.alignment}, {"maxHeapSize", v.setup.growth.maxHeapSize}};
  if (!v.setup.faults.empty()) {
    json f = json::object();
    if (!v.setup.faults.failAttempts.empty()) f["failAttempts"] = v.setup.faults.failAttempts;
    if (v.setup.faults.failAbovePages) f["failAbovePages"] = *v.setup.faults.failAbovePages;
    setup["growFaults"] = f;
  }
  return setup;
}

json toJson(const Vector& v) {
  json j{{"id", v.id}, {"rules", v.rules}, {"source", v.source}};
  if (!v.tags.empty()) j["tags"] = v.tags;
  if (!v.requires_.empty()) j["requires"] = v.requires_;
  j["setup"] = setupJson(v);
  j["ops"] = json::array();
  for (const auto& op : v.ops) j["ops"].push_back(toJson(op));
  if (v.final) {
    json f = json::object();
    if (v.final->level) f["level"] = *v.final->level;
    if (v.final->live) f["live"] = *v.final->live;
    if (v.final->installed) f["installed"] = *v.final->installed;
    if (v.final->byteLength) f["byteLength"] = *v.final->byteLength;
    if (!v.final->violations.empty()) f["violations"] = v.final->violations;
    j["final"] = f;
  }
  return j;
}

json vectorFileJson(const std::string& area, const std::string& description, const std::vector<Vector>& vectors) {
  json j{{"schema", std::string(kSchemaName)}, {"area", area}, {"description", description}, {"vectors", json::array()}};
  for (const auto& v : vectors) j["vectors"].push_back(toJson(v));
  return j;
}

}  // namespace memconform::conformance
