// A partial adapter on the driver kit (tests/example_driver_test.sh): the
// example glue with only alloc, dealloc, byteLength and memory.grow mapped,
// and no scopedAllocCall, as a driver for glue that shares only part of
// the API would be. Every vector with another op is skipped, naming it.
import { serve } from '../../conformance/drivers/node/kit/index.mjs';
import { createGlue, GlueError } from '../../conformance/drivers/node/examples/plain-glue/glue.mjs';

serve({
  hello: { implementation: 'partial plain-glue (alloc, dealloc, byteLength, grow)', capabilities: ['raw-grow', 'memory-config'] },
  start(setup, kit) {
    const g = createGlue({ memory: kit.memory(setup) });
    const { malloc, free } = g;
    g.malloc = (size, align) => {
      const ptr = malloc(size, align);
      if (ptr) kit.event({ alloc: ptr, size });
      return ptr;
    };
    g.free = (ptr) => { kit.event({ dealloc: ptr }); free(ptr); };
    return g;
  },
  ops: {
    alloc: (g, a) => g.alloc(a.size),
    dealloc: (g, a) => { g.dealloc(a.ptr); },
    byteLength: (g) => g.byteLength(),
    grow: (g, a) => g.memory.grow(a.pages),
  },
  errorKind: (e) => (e instanceof GlueError ? e.kind : e instanceof RangeError ? 'RangeError' : e instanceof TypeError ? 'TypeError' : 'InvalidArgument'),
  byteLength: (g) => g.byteLength(),
  state: (g) => ({ level: 0, live: g.live(), installed: [], byteLength: g.byteLength() }),
});
