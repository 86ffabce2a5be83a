// Runs the bundled server/CLI with its compiled code cached between runs, as v8-compile-cache does: V8
// otherwise parses and compiles the whole 1 MB bundle on every start. Node 22.1+ (VS Code's) has
// module.enableCompileCache(); Node 20 (the system's) gets V8's cached data through vm.Script. A cache
// that is missing, stale, corrupt or unwritable only costs the time it would have saved.
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { threadId } from 'node:worker_threads';
import * as zlib from 'node:zlib';

/** `$XDG_CACHE_HOME/ebpf-ls`, else `~/.cache/ebpf-ls`. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ebpf-ls');
}

/**
 * Where `bundle`'s cached code lives: one file per installed bundle and `variant` (the V8 flags a run sets
 * before compiling: V8 rejects code cached under other flags, or by another V8 version).
 */
export function codeCacheFile(dir: string, bundle: string, variant: string): string {
  return join(dir, `${basename(bundle)}-${createHash('sha256').update(bundle).digest('hex').slice(0, 16)}-${variant}.v8cache`);
}

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
    runScript(bundle, codeCacheFile(dir, bundle, variant), crc32);
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

/** The bundle's size and mtime: V8 compares only the source's length, so a rebuilt bundle needs telling apart. */
function bundleStamp(bundle: string): Buffer {
  const st = statSync(bundle);
  const stamp = Buffer.alloc(16);
  stamp.writeDoubleLE(st.size, 0);
  stamp.writeDoubleLE(st.mtimeMs, 8);
  return stamp;
}

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
  const valid = bytes.length > 20 && crc32(body) === bytes.readUInt32LE(0) && body.subarray(0, 16).equals(stamp);
  return valid ? body.subarray(16) : undefined;
}

/**
 * Writes the cache once the run has compiled what it uses: at exit (a CLI command), or a few seconds in
 * (a language server, which is killed rather than exits).
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
      const tmp = `${cacheFile}.${process.pid}-${threadId}.tmp`;
      writeFileSync(tmp, Buffer.concat([head, body]));
      renameSync(tmp, cacheFile);
    } catch {
      // A read-only or full home: run without a cache.
    }
  };
  process.once('exit', save);
  setTimeout(save, 3000).unref();
}
