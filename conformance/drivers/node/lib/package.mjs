// Where the heap helpers are in an installed @sqlite.org/sqlite-wasm
// package, or in a fork that ships the same build (@evolu/sqlite-wasm,
// @libsql/libsql-wasm-experimental, @sqliteai/sqlite-wasm): found by the
// package's files, not by its version, so that a release nobody listed loads
// too. Each layout names the module script whose Emscripten runtime and
// helpers are loaded (the driver hands it the wasm binary itself: no
// layout's own way of fetching it runs) and the binary.
//
// The layouts of the published releases (releases.mjs lists them):
//   dist/node.mjs + dist/sqlite3.wasm             3.53.0 on (one bundled file)
//   sqlite-wasm/jswasm/sqlite3-node.mjs           3.42.0 to 3.50.x, the forks
//     (top-level node.mjs from 3.50.0 on: it imports this one)
//   sqlite-wasm/jswasm/sqlite3.mjs                3.41.2, and 3.51.x, whose
//     node.mjs imports a sqlite3-node.mjs the package does not ship: the
//     browser build, which 3.51 also starts under Node
//   sqlite-wasm/jswasm/sqlite3-bundler-friendly.mjs  3.41.2-build10 to -build12
//     (no other build in the package)
// The browser builds look for a `location` to start, and every build before
// 3.44 for `self` (the Node builds of 3.42 and 3.43 too: they fail without
// it); both are given. The wasm binary comes through instantiateWasm, or
// 3.51's own replacement of it (lib/instance.mjs).
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const LAYOUTS = [
  { script: 'dist/node.mjs', wasm: 'dist/sqlite3.wasm' },
  { script: 'sqlite-wasm/jswasm/sqlite3-node.mjs', wasm: 'sqlite-wasm/jswasm/sqlite3.wasm' },
  { script: 'sqlite-wasm/jswasm/sqlite3.mjs', wasm: 'sqlite-wasm/jswasm/sqlite3.wasm', browser: true },
  { script: 'sqlite-wasm/jswasm/sqlite3-bundler-friendly.mjs', wasm: 'sqlite-wasm/jswasm/sqlite3.wasm', browser: true },
];

// The package installed at `dir` (its package.json's folder): its name and
// version, and what loads it: `init` (the module factory, sqlite3InitModule),
// the module script's text and URL, the wasm binary's bytes, and which
// layout it has. Throws, naming the files looked for, if none is there.
export async function openPackage(dir) {
  const root = pathToFileURL(dir.endsWith('/') ? dir : `${dir}/`);
  const manifestUrl = new URL('package.json', root);
  if (!existsSync(manifestUrl)) throw new Error(`${dir}: no package.json (--package takes an installed package's folder)`);
  const manifest = JSON.parse(readFileSync(manifestUrl, 'utf8'));
  const name = manifest.name;
  // As the registry names it: without semver build metadata (3.41.2's own
  // package.json says 3.41.2+build.1).
  const version = String(manifest.version).replace(/\+.*$/, '');
  const layout = LAYOUTS.find((l) => existsSync(new URL(l.script, root)) && existsSync(new URL(l.wasm, root)));
  if (!layout)
    throw new Error(`${dir} (${name} ${version}): none of the known layouts: ${LAYOUTS.map((l) => `${l.script} + ${l.wasm}`).join('; ')}`);
  const scriptUrl = new URL(layout.script, root);
  globalThis.self ??= globalThis;
  if (layout.browser) globalThis.location ??= scriptUrl;
  const { default: init } = await import(scriptUrl.href);
  if (typeof init !== 'function') throw new Error(`${layout.script} of ${name} ${version} exports no module factory`);
  return {
    name,
    version,
    layout: layout.script,
    init,
    source: readFileSync(scriptUrl, 'utf8'),
    binary: readFileSync(new URL(layout.wasm, root)),
  };
}
