#include "core/events.h"

#include "core/js_numbers.h"

namespace memconform {
namespace {
template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;
}  // namespace

std::string describe(const ScopeEntry& e) {
  return (e.kind == EntryKind::Function ? "function slot " : "allocation ") + std::to_string(e.value);
}

std::string describe(const Event& e) {
  return std::visit(
      Overloaded{
          [](const AllocEvent& a) { return "alloc(" + std::to_string(a.ptr) + ", size " + std::to_string(a.size) + ")"; },
          [](const DeallocEvent& d) { return "dealloc(" + std::to_string(d.ptr) + ")"; },
          [](const InstallEvent& i) { return "install(" + std::to_string(i.index) + ")"; },
          [](const UninstallEvent& u) { return "uninstall(" + std::to_string(u.index) + ")"; },
          [](const PushEvent& p) { return "push(scope " + std::to_string(p.scope) + ")"; },
          [](const PopEvent& p) { return "pop(scope " + std::to_string(p.scope) + ")"; },
          [](const GrowEvent& g) {
            return "grow(" + std::to_string(g.pages) + " pages, " + (g.ok ? "ok" : "failed") + ")";
          },
          [](const ResizeAttemptEvent& r) {
            return "resizeAttempt(" + jsNumberToString(r.newSize) + ", " + (r.ok ? "ok" : "failed") + ")";
          },
          [](const StaleViewEvent& s) {
            return "staleView(view of generation " + std::to_string(s.viewGeneration) + ", memory at " +
                   std::to_string(s.memoryGeneration) + ")";
          },
      },
      e);
}

std::vector<Event> EventLog::since(std::size_t mark) const {
  if (mark >= events_.size()) return {};
  return {events_.begin() + static_cast<std::ptrdiff_t>(mark), events_.end()};
}

}  // namespace memconform
