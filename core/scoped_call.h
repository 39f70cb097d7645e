// scopedAllocCall (SEMANTICS.md section 7, CALL-1..3), with real C++
// exceptions so that exception safety is exercised, not simulated.
#pragma once

#include <type_traits>

#include "core/mutants.h"
#include "core/scope_stack.h"

namespace memconform {

// CALL-1: pushes a scope, runs `fn`, and on the way out — normal or by an
// exception — pops the scope that it pushed (not whatever is on top), then
// returns fn's result or rethrows fn's exception unchanged. CALL-2 follows:
// each nested call pops its own scope as an exception unwinds through it.
// If `fn` itself popped that scope, the pop fails with InvalidState, which,
// like an exception thrown in a JS `finally`, replaces fn's outcome.
template <class Fn>
auto scopedAllocCall(ScopeStack& scopes, Fn&& fn) -> std::invoke_result_t<Fn&> {
  using Result = std::invoke_result_t<Fn&>;
  const ScopeHandle pushed = scopes.push();
  // CALL-1's mutant pops what is on top, as upstream's `finally` does.
  auto popOwn = [&] { planted(Mutant::CallPopsTop) ? scopes.pop() : scopes.pop(pushed); };
  bool returned = false;  // past fn: an exception now comes from the pop itself
  try {
    if constexpr (std::is_void_v<Result>) {
      fn();
      returned = true;
      popOwn();
    } else {
      Result result = fn();
      returned = true;
      popOwn();
      return result;
    }
  } catch (...) {
    if (!returned && !planted(Mutant::ThrowSkipsPop)) popOwn();  // the `finally` of an exception from fn
    throw;
  }
}

}  // namespace memconform
