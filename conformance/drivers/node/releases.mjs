#!/usr/bin/env node
// Every published release of @sqlite.org/sqlite-wasm from 3.40 on and of the
// forks that ship the same helpers, installed into a cache, for
// `memconform matrix --releases` (and for `driver.mjs --package DIR`):
//   node releases.mjs [--cache DIR] [--package NAME]... [--only VERSION]... [--offline]
// Prints one JSON array on stdout: {package, version, published, dir} for
// each release, each package's in version order (@sqlite.org/sqlite-wasm
// first): x.y.z before x.y.z-prebuildN before x.y.z-buildN, as they came out.
// Not by the registry's publication dates: a mirror's are when it took the
// version in (3.41.2 "published" after 3.46.0-build2). Progress and what could not be fetched go
// to stderr; a release that cannot be fetched is left out, and the exit
// status is 1 if any was (2 on bad usage, or if no release is left).
//
// Which versions: every @sqlite.org/sqlite-wasm version from 3.40 on (its
// 0.0.x ones are placeholders without a build), every version of
// @evolu/sqlite-wasm and @libsql/libsql-wasm-experimental, and of
// @sqliteai/sqlite-wasm the newest build of each SQLite version it ships (its
// versions are SQLITE-sync.X-vector.Y: 90-odd builds of two SQLite versions
// that differ in their own extensions, not in the helpers tested here).
// Each is fetched from the npm registry with `npm pack` and unpacked into
// CACHE/NAME/VERSION (no install scripts run; the packages have no
// dependencies). --offline uses what the cache holds, and the publication
// dates recorded there.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const PACKAGES = {
  '@sqlite.org/sqlite-wasm': (versions) => versions.filter((v) => sqliteVersionAtLeast(v, [3, 40])),
  '@evolu/sqlite-wasm': (versions) => versions,
  '@libsql/libsql-wasm-experimental': (versions) => versions,
  '@sqliteai/sqlite-wasm': (versions) => newestPerSqliteVersion(versions),
};

let options;
try {
  ({ values: options } = parseArgs({
    options: {
      cache: { type: 'string', default: join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'memconform', 'packages') },
      package: { type: 'string', multiple: true },
      only: { type: 'string', multiple: true },
      offline: { type: 'boolean' },
    },
  }));
  for (const p of options.package ?? []) if (!PACKAGES[p]) throw new Error(`unknown package "${p}"; known: ${Object.keys(PACKAGES).join(', ')}`);
} catch (e) {
  process.stderr.write(`releases.mjs: ${e.message}\n`);
  process.exit(2);
}

const releases = [];
let missing = 0;
for (const name of options.package ?? Object.keys(PACKAGES)) {
  const published = options.offline ? recordedDates(name) : publicationDates(name);
  if (!published) {
    ++missing;
    continue;
  }
  let versions = PACKAGES[name](Object.keys(published).sort(compareVersions));
  if (options.only) versions = versions.filter((v) => options.only.includes(v));
  for (const [i, version] of versions.entries()) {
    const dir = join(options.cache, name, version);
    if (!existsSync(join(dir, 'package.json'))) {
      if (options.offline) {
        process.stderr.write(`releases.mjs: ${name} ${version} is not in ${options.cache} (--offline)\n`);
        ++missing;
        continue;
      }
      process.stderr.write(`[${i + 1}/${versions.length}] fetching ${name}@${version}\n`);
      if (!fetchInto(name, version, dir)) {
        ++missing;
        continue;
      }
    }
    releases.push({ package: name, version, published: published[version], dir });
  }
}
process.stdout.write(`${JSON.stringify(releases, null, 1)}\n`);
process.exit(releases.length === 0 ? 2 : missing ? 1 : 0);

// version -> ISO publication date, from the registry (recorded in the cache
// for --offline); undefined, said on stderr, if the registry cannot be asked.
function publicationDates(name) {
  try {
    const time = JSON.parse(execFileSync('npm', ['view', name, 'time', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
    delete time.created;
    delete time.modified;
    mkdirSync(join(options.cache, name), { recursive: true });
    writeFileSync(join(options.cache, name, 'published.json'), JSON.stringify(time, null, 1));
    return time;
  } catch (e) {
    process.stderr.write(`releases.mjs: cannot list the versions of ${name} (npm view): ${String(e.stderr ?? e.message).trim()}\n`);
    return undefined;
  }
}

function recordedDates(name) {
  const file = join(options.cache, name, 'published.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  process.stderr.write(`releases.mjs: ${file} is missing (--offline: run once without it)\n`);
  return undefined;
}

// name@version unpacked into dir (its package.json there); false, said on
// stderr, if it cannot be fetched or unpacked. Unpacked beside dir first (on
// the same file system, for the rename): an interrupted fetch leaves no half
// package in the cache.
function fetchInto(name, version, dir) {
  mkdirSync(join(dir, '..'), { recursive: true });
  const work = mkdtempSync(join(dir, '..', '.fetching-'));
  try {
    const [packed] = JSON.parse(execFileSync('npm', ['pack', `${name}@${version}`, '--json', '--pack-destination', work],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
    const unpacked = join(work, 'package');
    execFileSync('tar', ['xzf', join(work, packed.filename), '-C', work], { stdio: ['ignore', 'ignore', 'pipe'] });
    if (!existsSync(join(unpacked, 'package.json'))) throw new Error('the tarball has no package/package.json');
    rmSync(dir, { recursive: true, force: true });
    renameSync(unpacked, dir);
    return true;
  } catch (e) {
    process.stderr.write(`releases.mjs: cannot fetch ${name}@${version}: ${String(e.stderr ?? e.message).trim()}\n`);
    return false;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// The SQLite version a version string starts with ("3.50.4-sync.0.9.99" ->
// [3, 50, 4]), or undefined.
function sqliteVersion(v) {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(v);
  return m && Number(m[1]) === 3 ? m.slice(1).map(Number) : undefined;
}

// Version order: the numbers, then no suffix, -prebuildN, -buildN, any
// other suffix (by its text, numbers in it numerically).
function compareVersions(a, b) {
  const key = (v) => {
    const m = /^(\d+)\.(\d+)\.(\d+)(?:-(prebuild|build)(\d+)$)?/.exec(v) ?? [v, 0, 0, 0];
    const rest = v.slice(m[0].length);
    const kind = m[4] === undefined ? (rest ? 3 : 0) : m[4] === 'prebuild' ? 1 : 2;
    return [Number(m[1]), Number(m[2]), Number(m[3]), kind, Number(m[5] ?? 0), rest];
  };
  const [x, y] = [key(a), key(b)];
  for (let i = 0; i < 5; ++i) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  return x[5].localeCompare(y[5], 'en', { numeric: true });  // -sync.0.9.99 before -sync.0.9.118
}

function sqliteVersionAtLeast(v, [major, minor]) {
  const s = sqliteVersion(v);
  return s !== undefined && (s[0] > major || (s[0] === major && s[1] >= minor));
}

// Of each SQLite version's builds (in version order), the newest.
function newestPerSqliteVersion(versions) {
  const newest = new Map();
  for (const v of versions) newest.set(sqliteVersion(v)?.join('.') ?? v, v);
  return [...newest.values()];
}
