// A growable output buffer for the decompressors: one flat array, so a match copies from the bytes
// already written without a circular dictionary, and callers get the output as one view.
export class OutBuffer {
  buf: Uint8Array;
  len = 0;

  constructor(capacity: number, readonly limit = Number.MAX_SAFE_INTEGER) {
    this.buf = new Uint8Array(Math.max(64, capacity));
  }

  /** Makes room for `n` more bytes; false when that would pass the limit. */
  ensure(n: number): boolean {
    const need = this.len + n;
    if (need > this.limit) return false;
    if (need <= this.buf.length) return true;
    const grown = new Uint8Array(Math.min(this.limit, Math.max(need, this.buf.length * 2)));
    grown.set(this.buf.subarray(0, this.len));
    this.buf = grown;
    return true;
  }

  push(bytes: Uint8Array): boolean {
    if (!this.ensure(bytes.length)) return false;
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    return true;
  }

  /** The bytes written so far (a view: later writes may reallocate, so copy to keep). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}
