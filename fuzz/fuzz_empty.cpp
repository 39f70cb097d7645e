// The baseline for exec/s: an empty libFuzzer target built with the same
// flags (ASan + UBSan + coverage), measured in the same run as the others.
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }
