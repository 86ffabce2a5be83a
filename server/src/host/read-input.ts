// Reading a file the user named, with the reason it failed in words (not an errno code).
import { readFileSync } from 'node:fs';
import { fail, ok, Result } from '../result';

export function readInput(path: string, what: string): Result<Uint8Array> {
  try {
    return ok(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    return fail(`${path}: cannot read ${what}: ${why}`);
  }
}
