// Unix ar archives, as Debian packages are (`debian-binary`, `control.tar.*`, `data.tar.*`): members
// are views into the archive, sizes checked against its length.
import { fail, ok, Result } from '../result';

export interface ArMember {
  name: string;
  data: Uint8Array;
}

const AR_MAGIC = '!<arch>\n';

export function isAr(b: Uint8Array): boolean {
  return b.length >= 8 && String.fromCharCode(...b.subarray(0, 8)) === AR_MAGIC;
}

export function readAr(b: Uint8Array, source: string): Result<ArMember[]> {
  const members: ArMember[] = [];
  let at = 8;
  while (at + 60 <= b.length) {
    const header = String.fromCharCode(...b.subarray(at, at + 60));
    if (header.slice(58, 60) !== '`\n') return fail(`${source}: corrupt ar archive: bad member header at offset ${at}`);
    const size = Number(header.slice(48, 58).trim());
    if (!Number.isInteger(size) || size < 0) return fail(`${source}: corrupt ar archive: bad member size at offset ${at}`);
    if (at + 60 + size > b.length) return fail(`${source}: ar member at offset ${at} (${size} bytes) runs past the end of the archive: file truncated?`);
    members.push({ name: header.slice(0, 16).trim().replace(/\/$/, ''), data: b.subarray(at + 60, at + 60 + size) });
    at += 60 + size + (size & 1);
  }
  return ok(members);
}
