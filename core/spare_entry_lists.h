// Emptied scope entry lists kept for reuse: a popped scope's list goes to
// the next push, so that pushing allocates nothing once the lists have
// grown. The scope stack keeps them (SCOPE-6's entries) and so does the
// invariant checker's model of it (invariants.h).
#pragma once

#include <cstddef>
#include <vector>

#include "core/events.h"

namespace memconform {

class SpareEntryLists {
 public:
  // A kept list (empty, with its buffer), or a new one.
  std::vector<ScopeEntry> take();
  // Back to the same lists at every run's start (run_buffers.h): `count`
  // empty lists of exactly `room` entries each, their buffers kept where a
  // run did not grow them. So the first pushes of every run find a list,
  // whatever the runs before did, and a push_back into one grows it or not
  // by this run's ops alone.
  void refill(std::size_t count, std::size_t room);
  // Keeps `entries`, emptied, unless it has no buffer to give (a scope that
  // recorded nothing: kept, it would take a place, and the push that took
  // it would allocate all the same) or kMax lists are kept already.
  void keep(std::vector<ScopeEntry>& entries);

 private:
  static constexpr std::size_t kMax = 16;
  std::vector<std::vector<ScopeEntry>> lists_;
};

}  // namespace memconform
