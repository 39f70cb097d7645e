#include "fuzz/spare_ops.h"

#include "conformance/runner/target.h"

namespace memconform::fuzz {

using conformance::Op;

void SpareOps::keep(std::vector<Op>& ops, std::size_t first) {
  for (std::size_t i = first; i < ops.size(); ++i) {
    Op& op = ops[i];
    keep(op.body, 0);
    // Emptied now: what the op's values allocated (lists of addresses or
    // strings) is freed before the execution that made it ends. Only the
    // name and argument buffers stay; a body's buffer goes (calls are few).
    op.pointer.clear();
    op.args.clear();
    op.as.clear();
    std::vector<Op>().swap(op.body);
    // The rest as a new op has it (whatever a caller set: an expectation
    // is freed here too), so that add() takes it as it is.
    op.kind = {};
    op.expect.reset();
    op.rule.clear();
    op.anyOutcome = false;
    ops_.push_back(std::move(op));
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

void SpareOps::keep(conformance::Vector& vector) {
  keep(vector.ops, 0);
  std::vector<Op> ops = std::move(vector.ops);
  // The rule and tag lists stay too, with what they hold: the decoder sets
  // the same ones for every input, into their buffer and node.
  auto rules = std::move(vector.rules);
  auto tags = std::move(vector.tags);
  vector = conformance::Vector{};
  vector.ops = std::move(ops);
  vector.rules = std::move(rules);
  vector.tags = std::move(tags);
}

Op& SpareOps::add(std::vector<Op>& out) {
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

}  // namespace memconform::fuzz
