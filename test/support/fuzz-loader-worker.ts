// Runs mutated BTF and ELF blobs through the whole loader and every decoder, printing each input's
// number before it starts, so a parent that times out knows which input hung. Exit 1 on a throw.
import { readFileSync } from 'node:fs';
import { declaration } from '../../server/src/btf/c-decl';
import { parseBtf } from '../../server/src/btf/parse';
import { rawTypeLine } from '../../server/src/btf/raw-dump';
import { Kind } from '../../server/src/btf/wire';
import { unpackBtf } from '../../server/src/container/unpack';
import { layoutOf } from '../../server/src/layout/model';
import { formatPahole } from '../../server/src/layout/pahole';
import { parseElf } from '../../server/src/elf/elf';
import { objectRelocations, readBpfObject, resolveObjectRelocations } from '../../server/src/relocs/object';

/** mulberry32: a seeded PRNG, so every failure reproduces from its seed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BOUNDARY = [0, 1, 2, 3, 0x7f, 0x80, 0xff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0x01000000, 0x13000000, 0x84000000];

export function mutate(input: Uint8Array, rnd: () => number): { bytes: Uint8Array; how: string } {
  const b = Uint8Array.from(input);
  const dv = new DataView(b.buffer);
  const pick = (n: number) => Math.floor(rnd() * n);
  const ops: string[] = [];
  const rounds = 1 + pick(4);
  let out: Uint8Array = b;
  for (let r = 0; r < rounds; r++) {
    const op = pick(5);
    if (op === 0) {
      const at = pick(out.length);
      out[at] ^= 1 << pick(8);
      ops.push(`flip@${at}`);
    } else if (op === 1 && out.length >= 4) {
      const at = pick(out.length - 3) & ~3;
      const v = BOUNDARY[pick(BOUNDARY.length)];
      new DataView(out.buffer, out.byteOffset).setUint32(at, v, rnd() < 0.5);
      ops.push(`word@${at}=${v}`);
    } else if (op === 2) {
      const len = pick(out.length + 1);
      out = out.subarray(0, len);
      ops.push(`cut@${len}`);
    } else if (op === 3 && out.length > 8) {
      const from = pick(out.length - 4);
      const to = pick(out.length - 4);
      const n = 1 + pick(Math.min(64, out.length - Math.max(from, to)));
      out.copyWithin(to, from, from + n);
      ops.push(`splice ${from}->${to}x${n}`);
    } else {
      const at = pick(out.length);
      out[at] = BOUNDARY[pick(BOUNDARY.length)] & 0xff;
      ops.push(`byte@${at}`);
    }
  }
  void dv;
  return { bytes: out, how: ops.join(',') };
}

/** Everything a feature might ask of a loaded BTF. */
function exercise(btf: import('../../server/src/btf/btf').Btf): void {
  for (let id = 0; id < btf.typeCount; id++) {
    btf.type(id);
    btf.sizeOf(id);
    btf.alignOf(id);
    btf.resolve(id);
    if (id > 0) rawTypeLine(btf, id);
    declaration(btf, id, 'x');
    const k = btf.kind(id);
    if (k === Kind.Struct || k === Kind.Union) formatPahole(btf, layoutOf(btf, id)!);
  }
  btf.findByName('point');
  btf.namesOfKind(Kind.Struct);
}

/** A BPF object's relocations resolved against its own BTF: every relo_core path over mutated input. */
function exerciseObject(bytes: Uint8Array): boolean {
  const obj = readBpfObject(bytes, 'fuzz');
  if (!obj.ok) return false;
  resolveObjectRelocations(obj.value, objectRelocations(obj.value), [{ label: 'self', btf: obj.value.btf }]);
  return true;
}

/** The input with only its .BTF.ext mutated, so that most mutations reach the relocation records. */
function mutateBtfExt(input: Uint8Array, rnd: () => number): { bytes: Uint8Array; how: string } | undefined {
  const elf = parseElf(input, 'fuzz');
  const ext = elf.ok ? elf.value.section('.BTF.ext') : undefined;
  if (!ext) return undefined;
  const m = mutate(input.subarray(ext.offset, ext.offset + ext.size), rnd);
  const out = Uint8Array.from(input);
  out.set(m.bytes, ext.offset);
  return { bytes: out, how: `.BTF.ext:${m.how}` };
}

async function main(): Promise<void> {
  const [file, seedArg, countArg] = process.argv.slice(2);
  const input = readFileSync(file);
  const seed = Number(seedArg);
  const count = Number(countArg);
  const rnd = prng(seed);
  let loaded = 0;
  for (let i = 0; i < count; i++) {
    const { bytes, how } = mutate(input, rnd);
    process.stdout.write(`${i} ${how}\n`);
    const ext = mutateBtfExt(input, rnd);
    if (ext) {
      process.stdout.write(`${i} ${ext.how}\n`);
      if (exerciseObject(ext.bytes)) loaded++;
      exerciseObject(bytes);
    }
    const u = await unpackBtf(bytes, `fuzz#${i}`);
    if (!u.ok) continue;
    const r = parseBtf(u.value.btf, { source: `fuzz#${i}` });
    if (!r.ok) continue;
    loaded++;
    exercise(r.value);
  }
  process.stdout.write(`done ${count} inputs, ${loaded} loaded\n`);
}

main().catch((e) => {
  process.stderr.write(`THROW: ${(e as Error).stack}\n`);
  process.exit(1);
});
