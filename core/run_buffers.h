// Buffers that a part of the reference keeps from run to run
// (Instance::restart): every run must start with the same ones, their
// capacity included. Fuzz coverage counts the branches of the push_backs
// inlined into core's functions, so a buffer that an earlier run grew would
// give the same input other coverage (fuzz/coverage_determinism.cpp), and
// libFuzzer keeps inputs for features that come from history.
#pragma once

#include <cstddef>
#include <vector>

namespace memconform {

// Empties `v` and leaves it exactly `room` elements of room: the buffer is
// kept unless a run grew it past that. Not inlined, and not counted as
// coverage (fuzz/coverage_ignorelist.txt): whether the buffer is kept
// depends on the run before.
template <class T, class A>
[[gnu::noinline]] void emptyWithRoom(std::vector<T, A>& v, std::size_t room) {
  v.clear();
  if (v.capacity() == room) return;
  std::vector<T, A>(v.get_allocator()).swap(v);
  v.reserve(room);
}

// `to` as a copy of `from`, in the buffers `to` has (a list's, if it has
// room): a config or fault list kept from run to run. Not inlined, and not
// counted as coverage, as emptyWithRoom: whether the buffer has room
// depends on the runs before.
template <class T>
[[gnu::noinline]] void copyKeepingBuffers(T& to, const T& from) {
  to = from;
}

}  // namespace memconform
