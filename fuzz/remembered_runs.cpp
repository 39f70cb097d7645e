#include "fuzz/remembered_runs.h"

#include <unordered_map>
#include <utility>
#include <vector>

#include "conformance/runner/writer.h"

namespace memconform::fuzz {

using conformance::Op;
using conformance::Vector;
using conformance::VectorRun;

namespace {

// Every op of `ops`, call bodies included, in the order they are written.
void flatten(const std::vector<Op>& ops, std::vector<const Op*>& out) {
  for (const Op& op : ops) {
    out.push_back(&op);
    flatten(op.body, out);
  }
}

// `run`'s ops, which point into `from`, made to point at the same ops of
// `to` (a copy of `from`).
void pointInto(VectorRun& run, const Vector& from, const Vector& to) {
  std::vector<const Op*> a, b;
  flatten(from.ops, a);
  flatten(to.ops, b);
  std::unordered_map<const Op*, const Op*> same;
  for (std::size_t i = 0; i < a.size(); ++i) same.emplace(a[i], b[i]);
  for (auto& opRun : run.ops) opRun.op = same.at(opRun.op);
}

}  // namespace

std::string RememberedRuns::formOf(const Vector& vector) {
  return conformance::toJson(vector).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

const VectorRun* RememberedRuns::find(const std::string& form) {
  const auto it = runs_.find(form);
  if (it == runs_.end()) return nullptr;
  ++hits_;
  return &it->second->run;
}

void RememberedRuns::remember(const std::string& form, const Vector& vector, const VectorRun& run) {
  if (entries_ == 0 || run.status == VectorRun::Status::Error || runs_.count(form)) return;
  if (order_.size() >= entries_) {
    runs_.erase(order_.front());
    order_.pop_front();
  }
  auto entry = std::make_unique<Entry>(Entry{vector, run});
  pointInto(entry->run, vector, entry->vector);
  order_.push_back(form);
  runs_.emplace(form, std::move(entry));
}

}  // namespace memconform::fuzz
