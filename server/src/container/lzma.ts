// An LZMA2 decoder (the codec inside xz), after xz-embedded's xz_dec_lzma2.c: the range decoder, the
// literal, match and repeated-match coders, and LZMA2's chunking (uncompressed chunks, state, property
// and dictionary resets). It decodes into one flat OutBuffer, so the dictionary is simply the output.
// Corrupt input is an error string, never an exception or an out-of-bounds read.
import { OutBuffer } from './out-buffer';

const STATES = 12;
const POS_STATES_MAX = 16;
const IS_MATCH = 0;
const IS_REP = IS_MATCH + STATES * POS_STATES_MAX;
const IS_REP_G0 = IS_REP + STATES;
const IS_REP_G1 = IS_REP_G0 + STATES;
const IS_REP_G2 = IS_REP_G1 + STATES;
const IS_REP0_LONG = IS_REP_G2 + STATES;
const DIST_SLOT = IS_REP0_LONG + STATES * POS_STATES_MAX;
const DIST_SPECIAL = DIST_SLOT + 4 * 64;
const ALIGN = DIST_SPECIAL + 114;
const LEN_CODER_SIZE = 2 + 2 * POS_STATES_MAX * 8 + 256;
const MATCH_LEN = ALIGN + 16;
const REP_LEN = MATCH_LEN + LEN_CODER_SIZE;
const LITERAL = REP_LEN + LEN_CODER_SIZE;
const END_MARKER = 0xffffffff;

export class LzmaDecoder {
  private probs = new Uint16Array(LITERAL + 0x300 * 16);
  private lc = 0;
  private lp = 0;
  private pb = 0;
  private state = 0;
  private rep0 = 0;
  private rep1 = 0;
  private rep2 = 0;
  private rep3 = 0;
  // The range decoder over the current chunk: range and code live in a Uint32Array, as object fields
  // above 2^30 would be boxed numbers, allocated on every bit.
  private rc = new Int32Array(2);
  private input: Uint8Array = new Uint8Array(0);
  private inPos = 0;

  /** lc/lp/pb from LZMA's properties byte; LZMA2 allows lc + lp <= 4. */
  setProps(props: number): string | undefined {
    if (props > 224) return `invalid LZMA properties byte ${props}`;
    this.pb = Math.floor(props / 45);
    this.lp = Math.floor((props % 45) / 9);
    this.lc = props % 9;
    if (this.lc + this.lp > 4) return `invalid LZMA properties: lc ${this.lc} + lp ${this.lp} > 4`;
    return undefined;
  }

  resetState(): void {
    this.probs.fill(1024, 0, LITERAL + (0x300 << (this.lc + this.lp)));
    this.state = 0;
    this.rep0 = this.rep1 = this.rep2 = this.rep3 = 0;
  }

  private directBits(count: number): number {
    const rc = this.rc;
    let range = rc[0];
    let code = rc[1];
    let r = 0;
    for (let i = 0; i < count; i++) {
      if (range >>> 24 === 0) {
        range <<= 8;
        code = (code << 8) | this.input[this.inPos++];
      }
      range >>>= 1;
      if ((code ^ 0x80000000) >= (range ^ 0x80000000)) {
        code = (code - range) | 0;
        r = (r << 1) | 1;
      } else r <<= 1;
    }
    rc[0] = range;
    rc[1] = code;
    return r;
  }

  private length(base: number, posState: number): number {
    if (this.bit(base) === 0) return 2 + this.tree(base + 2 + posState * 8, 3);
    if (this.bit(base + 1) === 0) return 10 + this.tree(base + 2 + POS_STATES_MAX * 8 + posState * 8, 3);
    return 18 + this.tree(base + 2 + 2 * POS_STATES_MAX * 8, 8);
  }

  private distance(len: number): number {
    const slot = this.tree(DIST_SLOT + (len < 6 ? len - 2 : 3) * 64, 6);
    if (slot < 4) return slot;
    const bits = (slot >>> 1) - 1;
    const base = ((2 | (slot & 1)) << bits) >>> 0;
    if (slot < 14) return base + this.tree(DIST_SPECIAL + base - slot - 1, bits, true);
    return base + this.directBits(bits - 4) * 16 + this.tree(ALIGN - 1, 4, true);
  }

  /**
   * A match or repeated match after the is-match bit: its length, with rep0 set to its distance; -1 for
   * the end marker. Every bit of it goes through `tree`, which keeps the range decoder in locals.
   */
  private match(posState: number): number {
    const s = this.state;
    if (this.bit(IS_REP + s) === 0) {
      const len = this.length(MATCH_LEN, posState);
      this.state = s < 7 ? 7 : 10;
      const dist = this.distance(len);
      if (dist === END_MARKER) return -1;
      this.rep3 = this.rep2;
      this.rep2 = this.rep1;
      this.rep1 = this.rep0;
      this.rep0 = dist;
      return len;
    }
    if (this.bit(IS_REP_G0 + s) === 0) {
      if (this.bit(IS_REP0_LONG + (s << 4) + posState) === 0) {
        this.state = s < 7 ? 9 : 11;
        return 1;
      }
    } else {
      let dist: number;
      if (this.bit(IS_REP_G1 + s) === 0) dist = this.rep1;
      else {
        if (this.bit(IS_REP_G2 + s) === 0) dist = this.rep2;
        else {
          dist = this.rep3;
          this.rep3 = this.rep2;
        }
        this.rep2 = this.rep1;
      }
      this.rep1 = this.rep0;
      this.rep0 = dist;
    }
    this.state = s < 7 ? 8 : 11;
    return this.length(REP_LEN, posState);
  }

  /** One bit with the probability at `p`. */
  private bit(p: number): number {
    const probs = this.probs;
    const rc = this.rc;
    let range = rc[0];
    let code = rc[1];
    if (range >>> 24 === 0) {
      range <<= 8;
      code = (code << 8) | this.input[this.inPos++];
    }
    const prob = probs[p];
    const bound = Math.imul(range >>> 11, prob);
    if ((code ^ 0x80000000) < (bound ^ 0x80000000)) {
      rc[0] = bound;
      rc[1] = code;
      probs[p] = prob + ((2048 - prob) >> 5);
      return 0;
    }
    rc[0] = (range - bound) | 0;
    rc[1] = (code - bound) | 0;
    probs[p] = prob - (prob >> 5);
    return 1;
  }

  /**
   * `bits` bits through the probability tree at `base` (a single bit at `p` is the tree at `p - 1`),
   * most significant first, or least significant first when `reverse`; the range decoder lives in
   * locals for the whole tree.
   */
  private tree(base: number, bits: number, reverse = false): number {
    const probs = this.probs;
    const input = this.input;
    const rc = this.rc;
    let range = rc[0];
    let code = rc[1];
    let inPos = this.inPos;
    let m = 1;
    let sym = 0;
    for (let i = 0; i < bits; i++) {
      if (range >>> 24 === 0) {
        range <<= 8;
        code = (code << 8) | input[inPos++];
      }
      const p = base + m;
      const prob = probs[p];
      const bound = Math.imul(range >>> 11, prob);
      if ((code ^ 0x80000000) < (bound ^ 0x80000000)) {
        range = bound;
        probs[p] = prob + ((2048 - prob) >> 5);
        m <<= 1;
      } else {
        range = (range - bound) | 0;
        code = (code - bound) | 0;
        probs[p] = prob - (prob >> 5);
        m = (m << 1) | 1;
        sym |= 1 << i;
      }
    }
    rc[0] = range;
    rc[1] = code;
    this.inPos = inPos;
    return reverse ? sym : m - (1 << bits);
  }

  /**
   * The symbol loop of one chunk: the position reached, or an error. The range decoder lives in locals
   * here, and literals (most symbols) are decoded inline; matches go through the methods above, with the
   * decoder's state handed over in `rc`. Nothing follows the loop, so V8's on-stack replacement never
   * meets code without type feedback.
   */
  private loop(buf: Uint8Array, pos: number, end: number, inEnd: number, dictStart: number): number | string {
    const pbMask = (1 << this.pb) - 1;
    const lpMask = (1 << this.lp) - 1;
    const lc = this.lc;
    const probs = this.probs;
    const input = this.input;
    const rc = this.rc;
    let range = rc[0];
    let code = rc[1];
    let inPos = this.inPos;
    let state = this.state;
    while (pos < end) {
      const posState = (pos - dictStart) & pbMask;
      let p = IS_MATCH + (state << 4) + posState;
      if (range >>> 24 === 0) {
        range <<= 8;
        code = (code << 8) | input[inPos++];
      }
      let prob = probs[p];
      let bound = Math.imul(range >>> 11, prob);
      if ((code ^ 0x80000000) < (bound ^ 0x80000000)) {
        range = bound;
        probs[p] = prob + ((2048 - prob) >> 5);
        // A literal: 8 bits through a tree chosen by the previous byte and the position.
        const prev = pos > dictStart ? buf[pos - 1] : 0;
        const base = LITERAL + 0x300 * ((((pos - dictStart) & lpMask) << lc) + (prev >>> (8 - lc)));
        let sym = 1;
        if (state < 7) {
          while (sym < 0x100) {
            if (range >>> 24 === 0) {
              range <<= 8;
              code = (code << 8) | input[inPos++];
            }
            p = base + sym;
            prob = probs[p];
            bound = Math.imul(range >>> 11, prob);
            if ((code ^ 0x80000000) < (bound ^ 0x80000000)) {
              range = bound;
              probs[p] = prob + ((2048 - prob) >> 5);
              sym <<= 1;
            } else {
              range = (range - bound) | 0;
              code = (code - bound) | 0;
              probs[p] = prob - (prob >> 5);
              sym = (sym << 1) | 1;
            }
          }
        } else {
          // A literal right after a match: coded against the byte at the last match distance.
          let match = buf[pos - this.rep0 - 1];
          let offs = 0x100;
          while (sym < 0x100) {
            match <<= 1;
            const matchBit = match & offs;
            p = base + offs + matchBit + sym;
            if (range >>> 24 === 0) {
              range <<= 8;
              code = (code << 8) | input[inPos++];
            }
            prob = probs[p];
            bound = Math.imul(range >>> 11, prob);
            if ((code ^ 0x80000000) < (bound ^ 0x80000000)) {
              range = bound;
              probs[p] = prob + ((2048 - prob) >> 5);
              sym <<= 1;
              offs &= ~matchBit;
            } else {
              range = (range - bound) | 0;
              code = (code - bound) | 0;
              probs[p] = prob - (prob >> 5);
              sym = (sym << 1) | 1;
              offs = matchBit;
            }
          }
        }
        buf[pos++] = sym & 0xff;
        state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
        continue;
      }
      range = (range - bound) | 0;
      code = (code - bound) | 0;
      probs[p] = prob - (prob >> 5);
      rc[0] = range;
      rc[1] = code;
      this.inPos = inPos;
      this.state = state;
      const len = this.match(posState);
      state = this.state;
      range = rc[0];
      code = rc[1];
      inPos = this.inPos;
      if (len < 0) return 'corrupt LZMA chunk: an end marker inside LZMA2';
      const from = pos - this.rep0 - 1;
      if (from < dictStart) return `corrupt LZMA chunk: a match reaches ${this.rep0 + 1} bytes back, before the dictionary`;
      if (pos + len > end) return 'corrupt LZMA chunk: a match runs past the end of the chunk';
      if (len > 32 && from + len <= pos) buf.copyWithin(pos, from, from + len);
      else for (let i = 0; i < len; i++) buf[pos + i] = buf[from + i];
      pos += len;
      if (inPos > inEnd) return "corrupt LZMA chunk: the compressed data runs past the chunk's end";
    }
    rc[0] = range;
    rc[1] = code;
    this.inPos = inPos;
    this.state = state;
    return pos;
  }

  /**
   * Decodes one LZMA chunk: `input[inStart, inEnd)` (the range coder starts afresh) into exactly
   * `size` bytes at out.len. `dictStart` is where the dictionary was last reset.
   */
  decodeChunk(input: Uint8Array, inStart: number, inEnd: number, out: OutBuffer, size: number, dictStart: number): string | undefined {
    if (inEnd - inStart < 5 || input[inStart] !== 0) return 'corrupt LZMA chunk: bad range coder start';
    this.input = input;
    this.rc[1] = (input[inStart + 1] << 24) | (input[inStart + 2] << 16) | (input[inStart + 3] << 8) | input[inStart + 4];
    this.rc[0] = -1;
    this.inPos = inStart + 5;
    const end = out.len + size;
    const pos = this.loop(out.buf, out.len, end, inEnd, dictStart);
    if (typeof pos === 'string') return pos;
    if (this.rc[0] >>> 24 === 0) {
      this.rc[1] = (this.rc[1] << 8) | input[this.inPos++];
    }
    if (this.inPos !== inEnd || this.rc[1] !== 0) return `corrupt LZMA chunk: the compressed data ${this.inPos > inEnd ? 'runs past' : 'ends before'} the chunk's end`;
    out.len = end;
    return undefined;
  }
}

/**
 * Decodes an LZMA2 stream starting at `input[at]` into `out`, until its end marker (a zero control
 * byte). Returns the offset just past the stream, or an error. `afterChunk` may stop early (true).
 */
export function decodeLzma2(input: Uint8Array, at: number, out: OutBuffer, afterChunk?: () => boolean): { end: number; stopped?: boolean } | string {
  const lzma = new LzmaDecoder();
  let dictStart = out.len;
  let needDictReset = true;
  let needProps = true;
  for (;;) {
    if (at >= input.length) return 'LZMA2 data is cut off: file truncated?';
    const control = input[at];
    if (control === 0) return { end: at + 1 };
    if (control === 1) dictStart = out.len;
    else if (needDictReset && control < 0xe0) return 'corrupt LZMA2 data: the first chunk does not reset the dictionary';
    needDictReset = false;
    if (control < 0x80) {
      if (control > 2) return `corrupt LZMA2 data: unknown control byte 0x${control.toString(16)}`;
      const size = ((input[at + 1] << 8) | input[at + 2]) + 1;
      if (at + 3 + size > input.length) return 'LZMA2 data is cut off: file truncated?';
      if (!out.push(input.subarray(at + 3, at + 3 + size))) return 'decompressed data is larger than the limit';
      at += 3 + size;
    } else {
      const size = ((control & 0x1f) << 16) + (input[at + 1] << 8) + input[at + 2] + 1;
      const packed = (input[at + 3] << 8) + input[at + 4] + 1;
      const reset = (control >>> 5) & 3;
      at += 5;
      if (reset === 3) dictStart = out.len;
      if (reset >= 2) {
        const err = lzma.setProps(input[at++]);
        if (err) return err;
        needProps = false;
      } else if (needProps) return 'corrupt LZMA2 data: a chunk without properties';
      if (reset >= 1) lzma.resetState();
      if (at + packed > input.length) return 'LZMA2 data is cut off: file truncated?';
      if (!out.ensure(size)) return 'decompressed data is larger than the limit';
      const err = lzma.decodeChunk(input, at, at + packed, out, size, dictStart);
      if (err) return err;
      at += packed;
    }
    if (afterChunk?.()) return { end: at, stopped: true };
  }
}
