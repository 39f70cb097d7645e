#include "fuzz/spare_ops.h"

#include <utility>

#include "conformance/runner/target.h"

namespace memconform::fuzz {

using conformance::Op;

void SpareOps::emptyOp(Op& op) {
  keep(op.body, 0);
  // Emptied now: what the op's values allocated (strings, and what its
  // lists hold) is freed before the execution that made it ends. Only the
  // name and argument buffers stay, and the buffers of its lists and body,
  // kept for list() and body().
  op.pointer.clear();
  for (auto& [name, arg] : op.args)
    if (auto* items = std::get_if<std::vector<conformance::Expr>>(&arg.form)) keepBuffer(*items, lists_);
  op.args.clear();
  op.as.clear();
  keepBuffer(op.body, bodies_);
  // The rest as a new op has it (whatever a caller set: an expectation
  // is freed here too), so that add() takes it as it is.
  op.kind = {};
  op.expect.reset();
  op.rule.clear();
  op.anyOutcome = false;
}

void SpareOps::keep(std::vector<Op>& ops, std::size_t first) {
  for (std::size_t i = first; i < ops.size(); ++i) {
    emptyOp(ops[i]);
    ops_.push_back(std::move(ops[i]));
  }
  ops.erase(ops.begin() + static_cast<std::ptrdiff_t>(first), ops.end());
}

void SpareOps::make(std::size_t count) {
  ops_.reserve(ops_.size() + count);
  for (std::size_t i = 0; i < count; ++i) makeRoom(ops_.emplace_back());
}

void SpareOps::makeRoom(Op& op) const {
  op.as.reserve(namesPerOp_);
  op.args.reserve(conformance::Args::kMax);
}

void SpareOps::empty(conformance::Vector& vector) {
  for (Op& op : vector.ops) emptyOp(op);
  std::vector<Op> ops = std::move(vector.ops);
  // The rule and tag lists stay too, with what they hold: the decoder sets
  // the same ones for every input, into their buffer and node.
  auto rules = std::move(vector.rules);
  auto tags = std::move(vector.tags);
  // And the buffer of the setup's fault list, emptied.
  auto failAttempts = std::move(vector.setup.faults.failAttempts);
  failAttempts.clear();
  vector = conformance::Vector{};
  vector.ops = std::move(ops);
  vector.rules = std::move(rules);
  vector.tags = std::move(tags);
  vector.setup.faults.failAttempts = std::move(failAttempts);
}

void SpareOps::reuseInPlace(std::vector<Op>& ops) {
  inPlace_ = &ops;
  taken_ = 0;
}

void SpareOps::finishInPlace() {
  if (inPlace_ != nullptr) keep(*inPlace_, taken_);
  inPlace_ = nullptr;
}

Op& SpareOps::add(std::vector<Op>& out) {
  if (hasOpInPlace(out)) return out[taken_++];
  taken(out);
  if (ops_.empty()) {
    Op& op = out.emplace_back();
    makeRoom(op);
    return op;
  }
  // A kept op (a new one but for its buffers' room) moved in whole: not a
  // new op with the kept buffers moved into it, whose value-initialization
  // zeroes all of it first (a memset, which ASan checks).
  Op& op = out.emplace_back(std::move(ops_.back()));
  ops_.pop_back();
  return op;
}

void SpareOps::append(std::vector<Op>& out, std::vector<Op>& ops) {
  for (Op& op : ops) {
    if (hasOpInPlace(out)) {
      // The emptied op in its place is kept, with its buffers.
      ops_.push_back(std::move(out[taken_]));
      out[taken_++] = std::move(op);
    } else {
      taken(out);
      out.push_back(std::move(op));
    }
  }
  ops.clear();  // moved from: no buffers left
}

template <class T>
void SpareOps::keepBuffer(std::vector<T>& items, std::vector<std::vector<T>>& kept) {
  if (items.capacity() == 0) return;
  items.clear();
  kept.push_back(std::move(items));
  items = {};
}

template <class T>
std::vector<T> SpareOps::takeBuffer(std::vector<std::vector<T>>& kept) {
  if (kept.empty()) return {};
  std::vector<T> items = std::move(kept.back());
  kept.pop_back();
  return items;
}

std::vector<conformance::Expr> SpareOps::list(std::size_t size) {
  auto items = takeBuffer(lists_);
  items.resize(size);
  return items;
}

std::vector<Op> SpareOps::body() { return takeBuffer(bodies_); }

}  // namespace memconform::fuzz
