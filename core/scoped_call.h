// scopedAllocCall (SEMANTICS.md section 7, CALL-1..3). The body's exceptions
// are real C++ exceptions (a vector's `throw`), so that exception safety is
// exercised, not simulated; the call's own failure is an Error value.
#pragma once

#include <optional>
#include <type_traits>

#include "core/dialects.h"
#include "core/mutants.h"
#include "core/scope_stack.h"

namespace memconform {

// CALL-1: pushes a scope, runs `fn`, and on the way out — normal or by an
// exception — pops the scope that it pushed (not whatever is on top), then
// returns fn's result or rethrows fn's exception unchanged. CALL-2 follows:
// each nested call pops its own scope as an exception unwinds through it.
// If `fn` itself popped that scope, the pop fails with InvalidState, which,
// like an exception thrown in a JS `finally`, replaces fn's outcome: the
// call returns that Error, whether fn returned or threw.
template <class Fn>
auto scopedAllocCall(ScopeStack& scopes, Fn&& fn) -> Result<std::invoke_result_t<Fn&>> {
  using R = std::invoke_result_t<Fn&>;
  const ScopeHandle pushed = scopes.push();
  // CALL-1's mutant, and upstream's dialects, pop what is on top, as
  // upstream's `finally` does.
  const bool popsTop = planted(Mutant::CallPopsTop) || speaks(Variant::CallPopsTop);
  auto popOwn = [&] { return popsTop ? scopes.pop() : scopes.pop(pushed); };
  // fn runs inside the try, the final pop after it: an exception out of
  // the pop itself (a trap in a wasm module's free, conformance/targets/
  // wasm_target.h) must not run the pop a second time.
  std::conditional_t<std::is_void_v<R>, bool, std::optional<R>> result{};
  try {
    if constexpr (std::is_void_v<R>) fn();
    else result.emplace(fn());
  } catch (...) {
    // The `finally` of an exception from fn (the pops return their errors,
    // they do not throw, so this is fn's own exception).
    if (!planted(Mutant::ThrowSkipsPop))
      if (auto popped = popOwn(); !popped) return std::move(popped).error();
    throw;
  }
  if (auto popped = popOwn(); !popped) return std::move(popped).error();
  if constexpr (std::is_void_v<R>) return {};
  else return std::move(*result);
}

}  // namespace memconform
