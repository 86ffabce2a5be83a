// Runs the bundled server/CLI with its compiled code cached between runs, as v8-compile-cache does: V8
// otherwise parses and compiles the whole 1 MB bundle on every start. Node 22.1+ (VS Code's) has
// module.enableCompileCache(); Node 20 (the system's) gets V8's cached data through vm.Script. A cache
// that is missing, stale, corrupt or unwritable only costs the time it would have saved.
// Only the modules every start needs are loaded at the top: node:crypto and node:worker_threads each cost a
// CLI command a few ms, so the file name is a CRC-32 and the thread id is asked for only when writing.
import { isAscii } from 'node:buffer';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import * as zlib from 'node:zlib';

/** `$XDG_CACHE_HOME/ebpf-ls`, else `~/.cache/ebpf-ls`. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ebpf-ls');
}

/**
 * Where `bundle`'s cached code lives: one file per installed bundle (its path's CRC-32) and `variant` (the V8
 * flags a run sets before compiling: V8 rejects code cached under other flags, or by another V8 version).
 */
export function codeCacheFile(dir: string, bundle: string, variant: string, crc32: Crc32): string {
  const id = crc32(Buffer.from(bundle)).toString(16).padStart(8, '0');
  return join(dir, `${basename(bundle)}-${id}-${variant}${CACHE_SUFFIX}`);
}

const CACHE_SUFFIX = '.v8cache';

/** Runs the CommonJS file `bundle` as `require` would, compiled from (and for) the cache in `dir`. */
export function requireWithCodeCache(bundle: string, variant: string, dir = codeCacheDir()): void {
  const enable = (Module as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  const crc32 = (zlib as { crc32?: Crc32 }).crc32;
  if (enable) {
    enable(dir);
    require(bundle);
  } else if (!crc32) {
    require(bundle); // before Node 20.15: no cheap checksum, so no cache (see readCache)
  } else {
    runScript(bundle, codeCacheFile(dir, bundle, variant, crc32), crc32);
  }
}

type Crc32 = (data: Uint8Array) => number;

/** The bundle has no import(): scripts compiled here could not run one (scripts/build.mjs). */
function runScript(bundle: string, cacheFile: string, crc32: Crc32): void {
  // The wrapper CommonJS puts around a module, on the first line so that line numbers stay the bundle's.
  const source = `(function (exports, require, module, __filename, __dirname) { ${readBundleSource(bundle)}\n})`;
  const stamp = bundleStamp(bundle);
  const cached = readCache(cacheFile, stamp, crc32);
  const script = new Script(source, { filename: bundle, cachedData: cached });
  if (!cached || script.cachedDataRejected) saveOnce(script, cacheFile, stamp, crc32);
  const module = { exports: {}, filename: bundle, id: bundle, loaded: false };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
}

/**
 * The bundle's text. esbuild writes ASCII (non-ASCII characters escaped), which decodes as Latin-1 by a plain
 * copy; decoding it as UTF-8 cost 10-20 ms of every start here. Anything else is read as UTF-8.
 */
function readBundleSource(bundle: string): string {
  const bytes = readFileSync(bundle);
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/**
 * What a cache was compiled from: the bundle's size and mtime (V8 compares only the source's length, so a
 * rebuilt bundle needs telling apart), then its path, by which a later run finds a cache whose bundle is gone.
 */
function bundleStamp(bundle: string): Buffer {
  const st = statSync(bundle);
  const path = Buffer.from(bundle);
  const stamp = Buffer.alloc(STAMP_FIXED + path.length);
  stamp.writeDoubleLE(st.size, 0);
  stamp.writeDoubleLE(st.mtimeMs, 8);
  stamp.writeUInt32LE(path.length, 16);
  path.copy(stamp, STAMP_FIXED);
  return stamp;
}

/** Size, mtime and the path's length; the path follows. */
const STAMP_FIXED = 20;

/**
 * A cache file is a CRC-32 of the rest, the bundle's stamp, then V8's data. V8 does not check its data's
 * bytes: a corrupt cache would crash the process, so anything that fails the CRC is ignored (and rewritten).
 */
function readCache(file: string, stamp: Buffer, crc32: Crc32): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const body = bytes.subarray(4);
  const valid = body.length > stamp.length && crc32(body) === bytes.readUInt32LE(0) && body.subarray(0, stamp.length).equals(stamp);
  return valid ? body.subarray(stamp.length) : undefined;
}

/**
 * Writes the cache once the run has compiled what it uses: at exit (a CLI command), or a few seconds in
 * (a language server, which is killed rather than exits); then removes the caches of bundles since rebuilt
 * or removed, which no run can use.
 */
function saveOnce(script: Script, cacheFile: string, stamp: Buffer, crc32: Crc32): void {
  let saved = false;
  const save = () => {
    if (saved) return;
    saved = true;
    try {
      mkdirSync(dirname(cacheFile), { recursive: true });
      const body = Buffer.concat([stamp, script.createCachedData()]);
      const head = Buffer.alloc(4);
      head.writeUInt32LE(crc32(body), 0);
      const { threadId } = require('node:worker_threads') as typeof import('node:worker_threads');
      const tmp = `${cacheFile}.${process.pid}-${threadId}.tmp`;
      writeFileSync(tmp, Buffer.concat([head, body]));
      renameSync(tmp, cacheFile);
      removeStaleCaches(dirname(cacheFile), cacheFile);
    } catch {
      // A read-only or full home: run without a cache.
    }
  };
  process.once('exit', save);
  setTimeout(save, 3000).unref();
}

/**
 * Removes the cache files in `dir` whose bundle is no longer there as it was compiled (rebuilt, moved or
 * deleted), which every build would otherwise leave behind. The caches of other installed bundles stay, and
 * files that are not caches are never touched.
 */
export function removeStaleCaches(dir: string, keep: string): void {
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (!name.endsWith(CACHE_SUFFIX) || file === keep || isCurrent(file)) continue;
    try {
      unlinkSync(file);
    } catch {
      // Removed by another run meanwhile, or not ours to remove.
    }
  }
}

/** Whether a cache file's stamp is its bundle's as the bundle is now; not for an older format or a torn file. */
function isCurrent(file: string): boolean {
  const head = Buffer.alloc(4 + STAMP_FIXED + MAX_PATH);
  let n: number;
  try {
    const fd = openSync(file, 'r');
    try {
      n = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return true; // unreadable: left alone
  }
  if (n < 4 + STAMP_FIXED) return false;
  const end = 4 + STAMP_FIXED + head.readUInt32LE(4 + 16);
  if (end > n) return false;
  const written = head.subarray(4, end);
  try {
    return written.equals(bundleStamp(written.subarray(STAMP_FIXED).toString()));
  } catch {
    return false; // the bundle is gone
  }
}

/** The longest bundle path a stamp is read back with. */
const MAX_PATH = 4096;
