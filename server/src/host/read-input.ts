// Reading a file the user named, with the reason it failed in words (not an errno code).
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { fail, ok, Result } from '../result';

export function readInput(path: string, what: string): Result<Uint8Array> {
  try {
    return ok(readWhole(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    return fail(`${path}: cannot read ${what}: ${why}`);
  }
}

/** A huge page on x86-64 and arm64 with 4 KB pages. */
const HUGE_PAGE = 2 * 1024 * 1024;
/** What glibc adds to a request it maps on its own: a page-rounded header. */
const MALLOC_MAPPING_OVERHEAD = 4096 + 16;

/**
 * The file's bytes. A large one (a kernel's BTF is 5-6 MB) goes into a buffer sized so that glibc maps
 * whole huge pages, which the kernel places on a huge page boundary: with the huge pages the server's
 * environment asks glibc for (host/server-process.ts), reading the running kernel's BTF faults ~250 times
 * instead of ~650. Elsewhere it is a plain buffer with up to 2 MB of address space never touched.
 */
function readWhole(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < HUGE_PAGE) return readFileSync(fd);
    const capacity = Math.ceil((size + MALLOC_MAPPING_OVERHEAD + 1) / HUGE_PAGE) * HUGE_PAGE - MALLOC_MAPPING_OVERHEAD;
    const bytes = Buffer.allocUnsafeSlow(capacity);
    let filled = 0;
    for (let n = 1; n > 0 && filled < capacity; filled += n) n = readSync(fd, bytes, filled, capacity - filled, null);
    // Grown since fstat (or a file whose size stat does not tell): read it the ordinary way.
    return filled < capacity ? bytes.subarray(0, filled) : readFileSync(path);
  } finally {
    closeSync(fd);
  }
}
