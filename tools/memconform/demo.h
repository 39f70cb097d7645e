// `memconform demo`: a short tour of the reference for the main job: the GROW
// table from a 16 MiB heap, a scope-stack session with its events and
// invariant check, and the memory cost of growing to the 2 GiB maximum.
#pragma once

#include <ostream>

namespace memconform::cli {
int runDemo(std::ostream& out);
}
