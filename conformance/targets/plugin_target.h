// `plugin:PATH.so`: a native implementation behind the C ABI of
// conformance/include/memconform/target.h, loaded with dlopen. Ops whose slot
// is NULL make the vector skipped; the plugin's errors, events and state
// reach the executor exactly as the reference's do.
#pragma once

#include <exception>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "conformance/runner/target.h"
#include "memconform/target.h"

namespace memconform::conformance {

class PluginTarget : public Target {
 public:
  // Loads the library; throws std::runtime_error naming the path and why.
  explicit PluginTarget(const std::string& path);
  ~PluginTarget() override;

  std::string name() const override;
  std::string implementation() const override { return table_->name ? table_->name : name(); }
  const std::set<std::string>& capabilities() const override { return capabilities_; }
  bool supports(OpKind kind) const override;
  void start(const Vector& vector) override;
  void finish() override;
  Result<Value> execute(const Op& op, const Args& args) override;
  // The plugin gets a read-only copy of a peek's list (const double *): the
  // caller's list is the one passed (caller-list, declared for every plugin).
  std::optional<Value> addressAfter() override {
    return peekedList_ ? std::optional<Value>(*peekedList_) : std::nullopt;
  }
  Result<Value> call(const Op& op, const std::function<Value()>& body) override;
  void takeEvents(std::vector<Event>& into) override;
  std::uint64_t byteLength() override;
  std::optional<std::uint64_t> contentsVersion() override { return std::nullopt; }
  TargetState state() override;

  // The host side of the ABI: where the plugin's events and messages go.
  void onEvent(const memconform_event& e);
  void onMessage(const char* text) { message_ = text ? text : ""; }

 private:
  Result<Value> run(const Op& op, const Args& args);
  // A status as an outcome (VectorError for one target.h does not define),
  // and as the op's Error if it failed: run() returns it as a value, with no
  // exception on the failing path (a fuzz run fails many ops).
  Result<void> outcome(memconform_status status);
  std::optional<Error> failed(memconform_status status);
  template <class Fn>
  Fn slot(Fn fn, const Op& op) const;

  std::string path_;
  void* library_ = nullptr;
  const memconform_target* table_ = nullptr;
  std::set<std::string> capabilities_;
  memconform_host host_{};
  memconform_instance* instance_ = nullptr;
  std::vector<Event> events_;
  std::string message_;
  // The last op's list, if it was a peek of one: a view of its arguments,
  // copied only if addressAfter() is asked for it.
  const Value* peekedList_ = nullptr;
};

}  // namespace memconform::conformance
