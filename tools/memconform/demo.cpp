#include "tools/memconform/demo.h"

#include <cstdio>
#include <iomanip>
#include <string>

#include "core/errors.h"
#include "core/instance.h"
#include "core/invariants.h"
#include "core/js_numbers.h"
#include "core/resident_memory.h"

namespace memconform::cli {
namespace {

void growTable(std::ostream& out) {
  out << "GROW: emscripten_resize_heap(request) from a 16 MiB heap (GROW-1..5)\n";
  out << "  " << std::left << std::setw(14) << "request" << std::setw(8) << "result" << "attempts (newSize ok?)\n";
  const double MiB = 1048576;
  for (double request : {0.0, 16 * MiB, 16 * MiB + 1, 20 * MiB, 200 * MiB, 2147483648.0, 2147483649.0, -1.0,
                         4294967296.0 + 65536}) {
    Instance inst;
    const ResizeOutcome r = inst.resize(request);
    std::string attempts;
    for (const auto& a : r.attempts) attempts += jsNumberToString(a.newSize) + (a.ok ? " ok  " : " no  ");
    out << "  " << std::setw(14) << jsNumberToString(request) << std::setw(8) << (r.result ? "true" : "false")
        << (attempts.empty() ? "(none)" : attempts) << " -> " << r.finalByteLength << " bytes\n";
  }
}

void scopeSession(std::ostream& out) {
  out << "\nSCOPE: a session on the reference, with its events and invariants\n";
  Instance inst;
  InvariantChecker checker(inst.byteLength());
  auto step = [&](const std::string& what, Attribution a, auto&& body) {
    const auto mark = inst.events().size();
    std::string result;
    bool failed = false;
    try {
      result = body();  // value() throws a failed op's Error
    } catch (const GlueError& e) {
      result = std::string("error ") + std::string(errorKindName(e.kind()));
      failed = true;
    }
    out << "  " << std::left << std::setw(40) << what << std::setw(22) << result;
    for (const auto& e : inst.events().since(mark)) out << describe(e) << " ";
    out << "\n";
    for (const auto& v : checker.observe({what, a, failed, inst.events().since(mark), inst.byteLength(), {}, {}, {}}))
      out << "    VIOLATION " << v.rule << ": " << v.message << "\n";
  };
  ScopeHandle s1 = 0;
  step("scopedAlloc(8) with no scope", Attribution::TopScope, [&] { return std::to_string(inst.scopedAlloc(8).value()); });
  step("scopedAllocPush()", Attribution::Caller, [&] { return "scope " + std::to_string(s1 = inst.scopedAllocPush()); });
  step("scopedAlloc(8)", Attribution::TopScope, [&] { return std::to_string(inst.scopedAlloc(8).value()); });
  step("scopedInstallFunction(f, \"v(i)\")", Attribution::TopScope,
       [&] { return "slot " + std::to_string(inst.scopes().scopedInstallFunction({"f", "v(i)"}).value()); });
  step("scopedAllocPush()", Attribution::Caller, [&] { return "scope " + std::to_string(inst.scopedAllocPush()); });
  step("scopedAllocCString(\"hi\")", Attribution::TopScope,
       [&] { return std::to_string(inst.scopes().scopedAllocCString("hi").value()->ptr); });
  step("scopedAllocPop(scope " + std::to_string(s1) + ") (not on top)", Attribution::Caller, [&] {
    inst.scopedAllocPop(s1).value();
    return std::string("ok");
  });
  step("scopedAllocPop(scope " + std::to_string(s1) + ") again", Attribution::Caller, [&] {
    inst.scopedAllocPop(s1).value();
    return std::string("ok");
  });
  step("scopedAllocPop()", Attribution::Caller, [&] {
    inst.scopedAllocPop().value();
    return std::string("ok");
  });
  for (const auto& v : checker.finish()) out << "    VIOLATION " << v.rule << ": " << v.message << "\n";
  out << "  level " << inst.level() << ", " << inst.allocator().liveCount() << " live allocations, "
      << checker.violations().size() << " invariant violations\n";
}

void growToMaximum(std::ostream& out) {
  const std::uint64_t before = residentBytes();
  LinearMemory memory({256, kDefaultMaximumPages});
  memory.grow(kDefaultMaximumPages - 256);
  const std::uint8_t one = 1;
  memory.callerWrite(static_cast<Address>(memory.byteLength() - 1), &one, 1);
  const std::uint64_t after = residentBytes();
  out << "\nMEM: grew a memory to " << memory.byteLength() << " bytes (2 GiB); resident memory grew by "
      << std::fixed << std::setprecision(1) << (after > before ? after - before : 0) / 1048576.0
      << " MiB (address space is reserved, pages commit on first touch)\n";
}

}  // namespace

int runDemo(std::ostream& out) {
  growTable(out);
  scopeSession(out);
  growToMaximum(out);
  return 0;
}

}  // namespace memconform::cli
