// The branch/call/jump filters xz applies before compressing executable code, reversed: x86 (the Linux
// bzImage payloads are `xz --x86`) and ARM64. After xz-embedded's xz_dec_bcj.c; each works in place on a
// whole block's output, with positions counted from the block's start.

const X86_ALLOWED = [true, true, true, false, true, false, false, false];
const X86_BIT_NUM = [0, 1, 2, 2, 3, 3, 3, 3];
const msByte = (b: number) => b === 0x00 || b === 0xff;

export function unBcjX86(buf: Uint8Array, start = 0): void {
  const size = buf.length - 4;
  let prevPos = -1;
  let prevMask = 0;
  for (let i = 0; i < size; i++) {
    if ((buf[i] & 0xfe) !== 0xe8) continue;
    const gap = i - prevPos;
    if (gap > 3) prevMask = 0;
    else {
      prevMask = (prevMask << (gap - 1)) & 7;
      if (prevMask !== 0) {
        const b = buf[i + 4 - X86_BIT_NUM[prevMask]];
        if (!X86_ALLOWED[prevMask] || msByte(b)) {
          prevPos = i;
          prevMask = (prevMask << 1) | 1;
          continue;
        }
      }
    }
    prevPos = i;
    if (!msByte(buf[i + 4])) {
      prevMask = (prevMask << 1) | 1;
      continue;
    }
    let src = (buf[i + 1] | (buf[i + 2] << 8) | (buf[i + 3] << 16) | (buf[i + 4] << 24)) >>> 0;
    let dest: number;
    for (;;) {
      dest = (src - (start + i + 5)) >>> 0;
      if (prevMask === 0) break;
      const j = X86_BIT_NUM[prevMask] * 8;
      if (!msByte((dest >>> (24 - j)) & 0xff)) break;
      src = (dest ^ (2 ** (32 - j) - 1)) >>> 0;
    }
    dest &= 0x01ffffff;
    dest = (dest | (0 - (dest & 0x01000000))) >>> 0;
    buf[i + 1] = dest & 0xff;
    buf[i + 2] = (dest >>> 8) & 0xff;
    buf[i + 3] = (dest >>> 16) & 0xff;
    buf[i + 4] = dest >>> 24;
    i += 4;
  }
}

export function unBcjArm64(buf: Uint8Array, start = 0): void {
  const size = buf.length & ~3;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let i = 0; i < size; i += 4) {
    let insn = dv.getUint32(i, true);
    const pc = start + i;
    if (insn >>> 26 === 0x25) {
      const addr = (insn - (pc >>> 2)) >>> 0;
      dv.setUint32(i, (0x94000000 | (addr & 0x03ffffff)) >>> 0, true);
    } else if (((insn & 0x9f000000) >>> 0) === 0x90000000) {
      let addr = ((insn >>> 29) & 3) | ((insn >>> 3) & 0x001ffffc);
      if ((addr + 0x020000) & 0x1c0000) continue;
      addr = (addr - (pc >>> 12)) >>> 0;
      insn &= 0x9000001f;
      insn |= (addr & 3) << 29;
      insn |= (addr & 0x03fffc) << 3;
      insn |= (0 - (addr & 0x020000)) & 0xe00000;
      dv.setUint32(i, insn >>> 0, true);
    }
  }
}
