// The reference implementation (core/) as a Target, optionally with one
// planted bug (core/mutants.h) or speaking a dialect (core/dialects.h):
// `reference`, `mutant:NAME`, `reference?dialect=NAME` and
// `reference?variants=NAME,NAME`.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "conformance/runner/args.h"
#include "conformance/runner/target.h"
#include "core/dialects.h"
#include "core/instance.h"
#include "core/mutants.h"

namespace memconform::conformance {

class ReferenceTarget : public Target {
 public:
  explicit ReferenceTarget(Mutant mutant = Mutant::None);
  // The reference speaking `dialect`; `spec` is its name as a target.
  ReferenceTarget(Dialect dialect, std::string spec);

  // Where the reference allocator puts blocks (AllocatorConfig): a test of a
  // well-behaved caller moves them, which must change nothing it sees.
  void placeBlocks(AllocatorConfig config) { allocator_ = config; }

  std::string name() const override;
  const std::set<std::string>& capabilities() const override;
  void start(const Vector& vector) override;
  void finish() override;
  Result<Value> execute(const Op& op, const Args& args) override;
  std::optional<Value> addressAfter() override;
  Result<Value> call(const Op& op, const std::function<Value()>& body) override;
  void takeEvents(std::vector<Event>& into) override;
  std::uint64_t byteLength() override;
  std::optional<std::uint64_t> contentsVersion() override;
  TargetState state() override;

 protected:
  // The instance a run starts with: the reference's own memory and
  // allocator here; a wasm: target's over its module (wasm_target.h).
  virtual std::unique_ptr<Instance> makeInstance(const InstanceConfig& config);

 private:
  Result<Value> run(OpKind kind, const Args& args);
  Value makeView(View view);
  View& view(const Args& args);

  // The mutant planted and the dialect spoken while the target runs.
  struct Speaking {
    PlantMutant mutant;
    SpeakDialect dialect;
    explicit Speaking(const ReferenceTarget& t) : mutant(t.mutant_), dialect(t.dialect_) {}
  };

  Mutant mutant_;
  Dialect dialect_;
  std::string spec_;  // the name of a target speaking a dialect
  AllocatorConfig allocator_;
  std::unique_ptr<Instance> instance_;
  InstanceConfig config_;  // the last run's, kept for its buffers
  std::vector<View> views_;
  // The last op's list, if it was a peek of one: a view of its arguments,
  // copied only if addressAfter() is asked for it.
  const Value* peekedList_ = nullptr;
  // An op's addresses and strings, read from its arguments into buffers kept
  // from op to op (args.h): no allocation per peek, poke or argv once grown.
  args::Addresses addresses_;
  std::vector<std::string_view> strings_;
};

}  // namespace memconform::conformance
