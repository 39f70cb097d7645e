// UBSan's cache of the dynamic types it has checked (-fsanitize=vptr), made
// empty again as each input starts.
//
// Every virtual call and polymorphic delete in instrumented code first looks
// its (vptr, static type) pair up in a 128-slot table that the runtime keeps
// for the whole process, and calls the slow check on a miss. Coverage counts
// that branch. Whether a pair is still in its slot depends on the inputs run
// before (another pair may have taken the slot) and on where ASLR put the
// vtables, so the same input covered a miss in one process and a hit in
// another: coverage_determinism failed about one run in fifty on
// LinearMemory's calls into its storage. Emptied first, the table holds what
// this input checked and nothing older.
#pragma once

namespace memconform::fuzz {

// A no-op where UBSan's vptr check is not linked in.
void forgetCheckedTypes();

}  // namespace memconform::fuzz
