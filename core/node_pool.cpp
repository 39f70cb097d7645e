#include "core/node_pool.h"

namespace memconform {

std::pmr::memory_resource* nodePool() {
  static auto* const pool = new std::pmr::unsynchronized_pool_resource();  // never freed (see node_pool.h)
  return pool;
}

}  // namespace memconform
