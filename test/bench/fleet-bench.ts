// Fleet-scale figures for issue 15: `relocs --btf-dir` of the ~210-relocation bench object against N
// kernels, N = 10, 100, 1000, stored raw and as BTFHub's .btf.tar.xz: total time, per-kernel time (read,
// decompress, parse, resolve), peak RSS. Beyond the real kernels (../shared/btf and the Debian packages
// of .cache/kernels), kernels are made by perturbing real BTF deterministically: fields renamed, fields
// moved, types removed (renamed out of reach). Generated once into .cache/bench/fleet. The 1000 raw
// kernels are all different; compressing 1000 kernels at BTFHub's preset (xz -6) costs half an hour of
// CPU, so the .btf.tar.xz set holds XZ_DISTINCT different kernels, each under several names (hard
// links: every file is still read and decompressed on its own). Also: our xz decoder against `xz -d`.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unpackBtf } from '../../server/src/container/unpack';
import { xzDecompress } from '../../server/src/container/xz';
import { Kind, extraWords, infoKind, infoKflag, infoVlen } from '../../server/src/btf/wire';
import { report } from './measure';

const SIZES = [10, 100, 1000];
const XZ_DISTINCT = 100;
const TARGET_STRUCTS = ['task_struct', 'mm_struct', 'file', 'inode', 'sock'];

/** A deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Layout { words: DataView; typeStart: number; strStart: number; strLen: number; structs: Map<string, number> }

/** Where each named struct's record starts (byte offset), for the structs the bench object reads. */
function layout(b: Buffer): Layout {
  const hdr = b.readUInt32LE(4);
  const typeStart = hdr + b.readUInt32LE(8);
  const typeLen = b.readUInt32LE(12);
  const strStart = hdr + b.readUInt32LE(16);
  const strLen = b.readUInt32LE(20);
  const name = (off: number) => b.toString('latin1', strStart + off, b.indexOf(0, strStart + off));
  const structs = new Map<string, number>();
  const wanted = new Set([...TARGET_STRUCTS, 'cfs_rq', 'inet_sock', 'files_struct', 'signal_struct', 'cred', 'dentry', 'super_block', 'vm_area_struct']);
  for (let at = typeStart; at < typeStart + typeLen;) {
    const info = b.readUInt32LE(at + 4);
    const kind = infoKind(info);
    if (kind === Kind.Struct && !structs.has(name(b.readUInt32LE(at))) && wanted.has(name(b.readUInt32LE(at)))) structs.set(name(b.readUInt32LE(at)), at);
    at += 12 + 4 * extraWords(kind, infoVlen(info));
  }
  return { words: new DataView(b.buffer, b.byteOffset, b.length), typeStart, strStart, strLen, structs };
}

/** A copy of `base` with a few deterministic changes: renamed and moved members, removed types. */
function perturb(base: Buffer, seed: number): Buffer {
  const r = rng(seed);
  const extra: string[] = [];
  const b = Buffer.from(base);
  const l = layout(b);
  const newString = (s: string) => {
    const off = l.strLen + extra.reduce((n, x) => n + x.length + 1, 0);
    extra.push(s);
    return off;
  };
  const changes = 1 + Math.floor(r() * 3);
  for (let c = 0; c < changes; c++) {
    const names = [...l.structs.keys()];
    const at = l.structs.get(names[Math.floor(r() * names.length)])!;
    const info = b.readUInt32LE(at + 4);
    const vlen = infoVlen(info);
    const m = at + 12 + 12 * Math.floor(r() * vlen);
    const what = r();
    if (what < 0.4) b.writeUInt32LE(newString(`renamed_${seed}_${c}`), m); // a renamed field
    else if (what < 0.8 && !infoKflag(info)) b.writeUInt32LE(b.readUInt32LE(m + 8) + 64 * (1 + Math.floor(r() * 4)), m + 8); // a moved field
    else b.writeUInt32LE(newString(`gone_${seed}_${c}`), at); // a removed type
  }
  const strings = Buffer.from(extra.map((s) => s + '\0').join(''), 'latin1');
  const out = Buffer.concat([b, strings]);
  out.writeUInt32LE(l.strLen + strings.length, 20);
  return out;
}

/** The real kernels' raw BTF: the shared ones and the extracted Debian packages. */
async function baseKernels(root: string): Promise<{ label: string; bytes: Buffer }[]> {
  const out: { label: string; bytes: Buffer }[] = [];
  const shared = join(root, '../shared/btf');
  if (existsSync(shared)) for (const f of readdirSync(shared).filter((x) => x.endsWith('.btf.xz')).sort()) {
    const u = await unpackBtf(readFileSync(join(shared, f)), f);
    if (u.ok) out.push({ label: f.replace(/\.btf\.xz$/, ''), bytes: Buffer.from(u.value.btf) });
  }
  const debs = join(root, '.cache/kernels');
  if (existsSync(debs)) for (const f of readdirSync(debs).filter((x) => x.endsWith('.deb')).sort()) {
    const u = await unpackBtf(readFileSync(join(debs, f)), f);
    if (u.ok) out.push({ label: f.replace(/^linux-image-(.*)-unsigned_.*$/, '$1'), bytes: Buffer.from(u.value.btf) });
  }
  return out;
}

/** xz at BTFHub's preset, two at a time. */
async function compressAll(jobs: { src: string; dst: string; name: string }[]): Promise<void> {
  let next = 0;
  const one = (): Promise<void> => {
    const j = jobs[next++];
    if (!j) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const p = spawn('sh', ['-c', 'cd "$1" && tar -cf - "$2" | xz -6 -T1 -c > "$3.tmp" && mv "$3.tmp" "$3"', 'sh', j.src, j.name, j.dst], { stdio: 'ignore' });
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`xz of ${j.name} failed`))));
    }).then(one);
  };
  await Promise.all([one(), one()]);
}

/** Makes (once) 1000 kernels, raw and as .btf.tar.xz, in BTFHub's layout. */
async function makeKernels(root: string, dir: string): Promise<boolean> {
  const stamp = join(dir, 'complete-1000');
  if (existsSync(stamp)) return true;
  const bases = await baseKernels(root);
  if (!bases.length) return false;
  const t0 = Date.now();
  const rawDir = join(dir, 'raw/bench/1/x86_64');
  const xzDir = join(dir, 'xz/bench/1/x86_64');
  mkdirSync(rawDir, { recursive: true });
  mkdirSync(xzDir, { recursive: true });
  const jobs: { src: string; dst: string; name: string }[] = [];
  for (let i = 0; i < 1000; i++) {
    const base = bases[i % bases.length];
    const name = `${base.label}-s${String(i).padStart(4, '0')}`;
    const bytes = i < bases.length ? base.bytes : perturb(base.bytes, i);
    writeFileSync(join(rawDir, `${name}.btf`), bytes);
    if (i < XZ_DISTINCT && !existsSync(join(xzDir, `${name}.btf.tar.xz`))) jobs.push({ src: rawDir, dst: join(xzDir, `${name}.btf.tar.xz`), name: `${name}.btf` });
  }
  process.stdout.write(`  generating ${jobs.length} .btf.tar.xz kernels with xz -6 (once; cached in ${dir})...\n`);
  await compressAll(jobs);
  const distinct = readdirSync(xzDir).filter((f) => /-s0\d\d\d\.btf\.tar\.xz$/.test(f)).sort().slice(0, XZ_DISTINCT);
  for (let i = XZ_DISTINCT; i < 1000; i++) {
    const copy = join(xzDir, distinct[i % XZ_DISTINCT].replace(/-s\d{4}\.btf\.tar\.xz$/, `-c${String(i).padStart(4, '0')}.btf.tar.xz`));
    rmSync(copy, { force: true });
    linkSync(join(xzDir, distinct[i % XZ_DISTINCT]), copy);
  }
  writeFileSync(stamp, `${Date.now() - t0} ms\n`);
  return true;
}

/** The first n kernels of a generated folder, as a folder of symbolic links. */
function subset(dir: string, kind: 'raw' | 'xz', n: number): string {
  const src = join(dir, kind, 'bench/1/x86_64');
  const dst = join(dir, `${kind}-${n}`, 'bench/1/x86_64');
  rmSync(join(dir, `${kind}-${n}`), { recursive: true, force: true });
  mkdirSync(dst, { recursive: true });
  // The different kernels first (-sNNNN), then the extra names of the .btf.tar.xz set (-cNNNN).
  const order = (f: string) => (/-c\d{4}\./.test(f) ? 1 : 0);
  for (const f of readdirSync(src).sort((a, b) => order(a) - order(b) || a.localeCompare(b)).slice(0, n)) symlinkSync(join(src, f), join(dst, f));
  return join(dir, `${kind}-${n}`);
}

function runFleet(root: string, object: string, folder: string, rssHook: string): { seconds: number; cpu: number; rssMb: number; perKernel: string; groups: string } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--require', rssHook, join(root, 'dist/ebpf-ls.js'), 'relocs', object, '--btf-dir', folder], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = (Date.now() - t0) / 1000;
  if (r.status !== 0 && r.status !== 1) throw new Error(`relocs failed (${r.status}): ${r.stderr}`);
  const rss = /maxrss (\d+) cpu ([\d.]+)/.exec(r.stderr);
  const per = /per kernel ([\d.]+) ms \((.*)\)/.exec(r.stderr);
  const groups = /against [\d,]+ kernels: (\d+ groups?)/.exec(r.stdout);
  return { seconds, cpu: rss ? Number(rss[2]) : NaN, rssMb: rss ? Number(rss[1]) / 1024 : NaN, perKernel: per ? `${per[1]} ms (${per[2]})` : '?', groups: groups?.[1] ?? '?' };
}

function xzVersusTool(dir: string): void {
  const file = join(dir, 'xz/bench/1/x86_64', readdirSync(join(dir, 'xz/bench/1/x86_64')).sort()[0]);
  const bytes = readFileSync(file);
  let ours = Infinity;
  let size = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const r = xzDecompress(bytes);
    ours = Math.min(ours, performance.now() - t0);
    if (r.ok) size = r.value.length;
  }
  let theirs = Infinity;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    execFileSync('xz', ['-dc', file], { maxBuffer: 1 << 28 });
    theirs = Math.min(theirs, performance.now() - t0);
  }
  process.stdout.write(`  xz decoder: container/xz.ts (pure TypeScript LZMA2) on one ${(size / 1e6).toFixed(1)} MB kernel: ${ours.toFixed(0)} ms (${(size / 1e3 / ours).toFixed(0)} MB/s); xz -d (liblzma, with process start): ${theirs.toFixed(0)} ms (${(size / 1e3 / theirs).toFixed(0)} MB/s)\n`);
}

export async function fleetBench(root: string): Promise<void> {
  const object = join(root, '.cache/bench/relocs/many.bpf.o');
  if (!existsSync(object)) return void process.stdout.write('Fleet relocations: skipped: the bench object was not built (Object relocations above says why)\n');
  if (!existsSync(join(root, 'dist/ebpf-ls.js'))) return void process.stdout.write('Fleet relocations: skipped: dist/ebpf-ls.js is not built (npm run build)\n');
  const dir = join(root, '.cache/bench/fleet');
  if (!(await makeKernels(root, dir))) return void process.stdout.write('Fleet relocations: skipped: no real kernel BTF to perturb (../shared/btf or .cache/kernels)\n');
  const rssHook = join(dir, 'maxrss.js');
  writeFileSync(rssHook, "const { isMainThread } = require('worker_threads'); if (isMainThread) process.on('exit', () => { const u = process.resourceUsage(); process.stderr.write(`maxrss ${u.maxRSS} cpu ${(u.userCPUTime + u.systemCPUTime) / 1e6}\\n`); });\n");
  process.stdout.write(`Fleet relocations: relocs --btf-dir of ${object.replace(root + '/', '')} (workers: one per core)\n`);
  for (const kind of ['raw', 'xz'] as const) {
    const rss: number[] = [];
    for (const n of SIZES) {
      const r = runFleet(root, object, subset(dir, kind, n), rssHook);
      rss.push(r.rssMb);
      const target = n === 1000 ? (kind === 'xz' ? 90 : 30) : undefined;
      report(`${kind === 'xz' ? '.btf.tar.xz' : 'raw .btf'} x ${n}: total (${r.groups})`, r.seconds, 's', target);
      process.stdout.write(`      per kernel ${r.perKernel}; CPU ${r.cpu.toFixed(1)} s in all (${(r.cpu * 1000 / n).toFixed(0)} ms per kernel: on an idle 2-core machine about ${(r.cpu / 2).toFixed(1)} s)\n`);
      report(`${kind === 'xz' ? '.btf.tar.xz' : 'raw .btf'} x ${n}: peak RSS`, r.rssMb, 'MB', n === 1000 ? Math.round(rss[0] * 1.5) : undefined);
    }
  }
  xzVersusTool(dir);
}
