/* Emscripten's own allocator as a wasm module of its own: nothing but the
 * C library's malloc, free and memalign, exported. Built twice at build
 * time (conformance/CMakeLists.txt), with -sMALLOC=dlmalloc (Doug Lea's
 * malloc, which sqlite3.wasm also links) and -sMALLOC=emmalloc (Emscripten's
 * small allocator), with an imported memory that grows through
 * env.emscripten_resize_heap (-sALLOW_MEMORY_GROWTH=1), as sqlite3.wasm's
 * does: the wasm: target serves it with the reference GROW policy. The
 * module has no code of its own; the exports are the linker's
 * (-sEXPORTED_FUNCTIONS). */
#include <stdlib.h>
