#!/usr/bin/env node
// A driver on the kit whose start() awaits what needs Node's event loop
// (WebAssembly.instantiate of bytes: compiled by background tasks) and whose
// byteLength op makes a function hot enough for V8 to optimize it on a
// background thread (kit_event_loop_test.mjs).
import { serve } from '../../conformance/drivers/node/kit/index.mjs';

const EMPTY_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
const hot = (x) => (x * 31 + 7) % 1000003;

serve({
  hello: { implementation: 'kit event-loop probe', capabilities: [] },
  async start() {
    await WebAssembly.instantiate(EMPTY_MODULE);
    return { length: 65536 };
  },
  ops: {
    byteLength(m) {
      let x = 1;
      for (let i = 0; i < 2e6; i++) x = hot(x);
      return m.length + (x & 0);
    },
  },
  errorKind: () => 'InvalidArgument',
  byteLength: (m) => m.length,
  state: (m) => ({ level: 0, live: [], installed: [], byteLength: m.length }),
});
