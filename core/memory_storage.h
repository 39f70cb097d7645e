// Where a LinearMemory's bytes live (MEM-1..3): the reference's own
// reserved address space (address_space.h), or a wasm module's memory in
// wabt's interpreter (conformance/targets/wasm_target.cpp), so that the
// glue's peeks, pokes and views reach the module's bytes. LinearMemory keeps
// the page count, the growth faults and the views; a storage holds bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

namespace memconform {

class MemoryStorage {
 public:
  virtual ~MemoryStorage() = default;
  // The first byte. It may move when the storage grows.
  virtual std::uint8_t* base() const = 0;
  // The storage is now `to` bytes long (a grow): its new bytes are zero.
  // False, and nothing changes, if it cannot be.
  virtual bool grow(std::size_t to) = 0;
  // What the memory wrote and unpoisoned (for a storage that is reused).
  virtual void written(std::size_t from, std::size_t n) = 0;
  virtual void unpoisoned(std::size_t from, std::size_t n) = 0;
  // [begin, end) covers every byte that may be nonzero (empty: begin >= end).
  virtual std::pair<std::size_t, std::size_t> writtenRange() const = 0;
  // Whether bytes past the memory's end are there and stop a write under
  // ASan (the reference's own reserved space, whose pages past the end are
  // closed or poisoned: SAFE-2). Otherwise (a wasm module's memory) the
  // storage ends with the memory, and the glue's own writes keep to it.
  virtual bool guardedPastTheEnd() const { return false; }
};

}  // namespace memconform
