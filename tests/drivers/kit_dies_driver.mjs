// A driver on the kit that dies in the middle of a batch of ops written
// ahead (tests/driver_dies_test.cpp): it answers the k-th byteLength with
// 10 k, and at the third it exits (`--die exit`: process.exit) or throws
// out of the kit (`--die throw`: its errorKind throws, as a broken adapter
// would). The kit keeps answers for one write (kit/index.mjs Lines), so
// what it kept must still reach the runner as the process ends.
import { parseArgs } from 'node:util';
import { serve } from '../../conformance/drivers/node/kit/index.mjs';

const { values: options } = parseArgs({ options: { die: { type: 'string', default: 'exit' } } });
class Broken extends Error {}
let calls = 0;
serve({
  hello: { implementation: `dies at the third byteLength (${options.die})`, capabilities: ['memory-config'] },
  start: () => ({}),
  ops: {
    byteLength: () => {
      if (++calls < 3) return 10 * calls;
      if (options.die === 'exit') process.exit(70);
      throw new Broken('the third byteLength');
    },
  },
  errorKind: (e) => {
    if (e instanceof Broken) throw e;  // out of the kit: an exception's exit
    return 'TypeError';
  },
  byteLength: () => 65536,
  state: () => ({ level: 0, live: [], installed: [], byteLength: 65536 }),
});
