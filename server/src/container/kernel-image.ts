// Kernel images as boot loaders see them: where the compressed kernel sits inside an x86 bzImage (the
// setup header's payload_offset and payload_length) and an arm64 EFI zboot image, and whether bytes are
// a raw arm64 Image. Linux appends the decompressed size (32-bit little-endian) after most payloads.

const u32 = (b: Uint8Array, at: number) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));

export interface Payload {
  data: Uint8Array;
  /** The size Linux appended after the payload, when the compression format needs it. */
  sizeHint?: number;
}

/** An x86 boot image: the 0xAA55 boot signature and the `HdrS` setup header of protocol 2.08 or later. */
export function isBzImage(b: Uint8Array): boolean {
  return b.length > 0x260 && b[0x1fe] === 0x55 && b[0x1ff] === 0xaa && ascii(b, 0x202, 4) === 'HdrS';
}

/** The compressed kernel of a bzImage, or an error. */
export function bzImagePayload(b: Uint8Array): Payload | string {
  const version = b[0x206] | (b[0x207] << 8);
  if (version < 0x208) return `boot protocol ${version >> 8}.${(version & 0xff).toString().padStart(2, '0')} predates payload_offset (2.08): the kernel is too old`;
  const setupSects = b[0x1f1] || 4;
  const start = (setupSects + 1) * 512 + u32(b, 0x248);
  const length = u32(b, 0x24c);
  if (length < 8 || start + length > b.length) return `the setup header puts the payload (${length} bytes at ${start}) outside the ${b.length}-byte image: file truncated?`;
  const data = b.subarray(start, start + length);
  return { data, sizeHint: u32(data, length - 4) };
}

/** A raw arm64 Image: `ARM\x64` at 0x38 of its 64-byte header. */
export function isArm64Image(b: Uint8Array): boolean {
  return b.length > 64 && ascii(b, 0x38, 4) === 'ARM\x64';
}

/** An EFI zboot image (arm64, riscv, loongarch): a PE file whose DOS header says `zimg` and where the payload is. */
export function isZboot(b: Uint8Array): boolean {
  return b.length > 64 && b[0] === 0x4d && b[1] === 0x5a && ascii(b, 4, 4) === 'zimg';
}

export function zbootPayload(b: Uint8Array): Payload | string {
  const start = u32(b, 8);
  const length = u32(b, 12);
  const comp = ascii(b, 24, 8).replace(/\0.*$/s, '');
  if (start + length > b.length || length < 8) return `the zboot header puts the ${comp || 'compressed'} payload (${length} bytes at ${start}) outside the ${b.length}-byte image: file truncated?`;
  const data = b.subarray(start, start + length);
  return { data, sizeHint: u32(data, length - 4) };
}
