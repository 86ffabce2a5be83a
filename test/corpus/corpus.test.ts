// Zero unexplained errors on real code: `ebpf-ls check` over the 377 real-world programs of
// ../shared/corpus (17 projects, each with its own include directories), against the running kernel and
// the three shared kernels. Every error must be listed in expected-errors.tsv with a reason; the census
// (counts per project, errors and warnings grouped by code with examples) is printed on every run and
// written to .cache/corpus/census.txt (and census.json).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Btf } from '../../server/src/btf/btf';
import { Kind } from '../../server/src/btf/wire';
import { enumValues } from '../../server/src/features/kernel-support';
import { membersOf } from '../../server/src/features/types';
import { loadBtfFile } from '../../server/src/host/load-btf';
import { Loader, matchSectionFor } from '../../server/src/sections/loaders';
import {
  CorpusProject, PROJECTS, batchesOf, bpftoolPath, corpusDir, corpusSkip, makeVmlinuxDir, manifestRepos, programsOf, repoRoot, sharedBtfs,
} from './projects';

const RUNNING_KERNEL_BTF = '/sys/kernel/btf/vmlinux';
const cliPath = join(repoRoot, 'dist/ebpf-ls.js');
const expectedPath = join(__dirname, 'expected-errors.tsv');
const censusDir = join(repoRoot, '.cache/corpus');
const bpftool = bpftoolPath();

const skip = corpusSkip
  ?? (existsSync(cliPath) ? undefined : 'dist/ebpf-ls.js is not built: run `npm run build`')
  ?? (existsSync(RUNNING_KERNEL_BTF) ? undefined : `${RUNNING_KERNEL_BTF} is absent: no running kernel BTF to generate vmlinux.h from`)
  ?? (bpftool ? undefined : 'bpftool is not installed (scripts/setup installs it): it generates the vmlinux.h the programs include');

type Severity = 'error' | 'warning' | 'info' | 'hint';
interface Finding { file: string; line: number; column: number; severity: Severity; code: string; message: string }
/** A finding with its file relative to corpus/ (what expected-errors.tsv globs match). */
interface CorpusFinding extends Finding { path: string; project: string }

interface ProjectRun {
  project: CorpusProject;
  programs: number;
  findings: CorpusFinding[];
  /** Lines the CLI wrote to stderr, and runs that did not end in JSON with exit 0 or 1. */
  stderr: string[];
  failures: string[];
  ms: number;
}

// ---------------------------------------------------------------------------------------------------
// expected-errors.tsv: path-glob <TAB> code <TAB> message-regex <TAB> reason

interface Expectation { line: number; glob: string; code: string; message: string; reason: string; pathRe: RegExp; messageRe: RegExp }

/** `**` any path (slashes too), `*` any run within one path segment, `?` one character; the rest literal. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') { i++; re += '(?:.*/)?'; } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function readExpectations(): { rows: Expectation[]; problems: string[] } {
  const rows: Expectation[] = [];
  const problems: string[] = [];
  const lines = readFileSync(expectedPath, 'utf8').split('\n');
  lines.forEach((text, i) => {
    const line = i + 1;
    if (text.trim() === '' || text.startsWith('#')) return;
    const cols = text.split('\t');
    if (line === 1) {
      if (cols.join('\t') !== 'path-glob\tcode\tmessage-regex\treason') problems.push(`line 1: the header must be path-glob<TAB>code<TAB>message-regex<TAB>reason`);
      return;
    }
    if (cols.length !== 4) return void problems.push(`line ${line}: ${cols.length} columns, want 4 (tab-separated)`);
    const [glob, code, message, reason] = cols;
    if (!glob || !code || !reason.trim()) return void problems.push(`line ${line}: path-glob, code and reason must not be empty`);
    let messageRe: RegExp;
    try {
      messageRe = new RegExp(message);
    } catch (e) {
      return void problems.push(`line ${line}: bad message-regex: ${(e as Error).message}`);
    }
    rows.push({ line, glob, code, message, reason, pathRe: globToRegExp(glob), messageRe });
  });
  return { rows, problems };
}

const explains = (x: Expectation, f: CorpusFinding) => x.pathRe.test(f.path) && (x.code === '*' || x.code === f.code) && x.messageRe.test(f.message);

// ---------------------------------------------------------------------------------------------------
// Proofs: each reason starts with a claim the test checks, then says why in words.
//   absent-member STRUCT.FIELD     no configured kernel's struct STRUCT has FIELD
//   absent-enumerator ENUM.NAME    no configured kernel's enum ENUM has NAME
//   loader-rejects LOADER NAME     the loader's own section table gives SEC("NAME") no program type

async function loadProofKernels(files: string[]): Promise<{ file: string; btf: Btf }[]> {
  const out = [];
  for (const file of files) {
    const r = await loadBtfFile(file);
    if (!r.ok) throw new Error(r.error);
    out.push({ file, btf: r.value });
  }
  return out;
}

function proofFails(x: Expectation, kernels: { file: string; btf: Btf }[]): string | undefined {
  const [claim, a, b] = x.reason.split(':')[0].trim().split(/\s+/);
  const where = `expected-errors.tsv line ${x.line}`;
  if (claim === 'absent-member' || claim === 'absent-enumerator') {
    const [owner, name] = a.split('.');
    const present = kernels.filter(({ btf }) => {
      const id = claim === 'absent-member' ? btf.findFirst(owner, Kind.Struct) : btf.findFirst(owner, Kind.Enum) ?? btf.findFirst(owner, Kind.Enum64);
      if (id === undefined) return false;
      if (claim === 'absent-enumerator') return enumValues(btf, owner).has(name);
      return membersOf({ kind: 'btf', id }, { btf, structs: new Map() }).some((m) => m.name === name);
    });
    return present.length ? `${where}: ${a} exists in ${present.map((k) => k.file).join(', ')}` : undefined;
  }
  if (claim === 'loader-rejects') return matchSectionFor(a as Loader, b) ? `${where}: ${a} accepts SEC("${b}")` : undefined;
  return `${where}: the reason must start with a claim the test can check (absent-member, absent-enumerator, loader-rejects)`;
}

// ---------------------------------------------------------------------------------------------------
// Running the CLI

function runProject(project: CorpusProject, vmlinuxDir: string, btfArgs: string[]): ProjectRun {
  const started = Date.now();
  const run: ProjectRun = { project, programs: 0, findings: [], stderr: [], failures: [], ms: 0 };
  for (const batch of batchesOf(project, vmlinuxDir)) {
    run.programs += batch.programs.length;
    const args = [cliPath, 'check', ...batch.programs.map((p) => p.file), ...btfArgs, ...batch.includes.flatMap((d) => ['--include', d]), '--loader', project.loader, '--format', 'json'];
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 30, cwd: repoRoot, timeout: 600_000 });
    run.stderr.push(...(r.stderr ?? '').split('\n').filter((l) => l.trim() !== ''));
    const what = `${batch.programs.length} program(s) from ${batch.programs[0].corpusPath}`;
    if (r.error) { run.failures.push(`${what}: ${r.error.message}`); continue; }
    if (r.status !== 0 && r.status !== 1) { run.failures.push(`${what}: exit ${r.status ?? r.signal}`); continue; }
    let findings: Finding[];
    try {
      findings = JSON.parse(r.stdout);
    } catch (e) {
      run.failures.push(`${what}: stdout is not JSON (${(e as Error).message})`);
      continue;
    }
    const hasError = findings.some((f) => f.severity === 'error');
    if (hasError !== (r.status === 1)) run.failures.push(`${what}: exit ${r.status} but ${hasError ? 'errors' : 'no errors'} reported`);
    for (const f of findings) run.findings.push({ ...f, path: relative(corpusDir, f.file), project: project.folder });
  }
  run.ms = Date.now() - started;
  return run;
}

// ---------------------------------------------------------------------------------------------------
// The census

const count = (fs: CorpusFinding[], ...sev: Severity[]) => fs.filter((f) => sev.includes(f.severity)).length;

function byCode(fs: CorpusFinding[]): [string, CorpusFinding[]][] {
  const m = new Map<string, CorpusFinding[]>();
  for (const f of fs) m.set(f.code, [...(m.get(f.code) ?? []), f]);
  return [...m].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
}

/** Up to n examples, from as many different projects (then files) as possible. */
function examples(fs: CorpusFinding[], n: number): CorpusFinding[] {
  const picked: CorpusFinding[] = [];
  const seen = new Set<string>();
  for (const key of [(f: CorpusFinding) => f.project, (f: CorpusFinding) => f.path, (f: CorpusFinding) => `${f.path}:${f.line}:${f.message}`]) {
    for (const f of fs) {
      if (picked.length >= n) return picked;
      if (picked.includes(f) || seen.has(key(f))) continue;
      seen.add(key(f));
      picked.push(f);
    }
  }
  return picked;
}

function census(runs: ProjectRun[], unexplained: CorpusFinding[], stale: Expectation[], totalMs: number): string {
  const out: string[] = [];
  const all = runs.flatMap((r) => r.findings);
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  const w = Math.max(...runs.map((r) => r.project.folder.length), 'total'.length);
  out.push(`corpus census: ${runs.reduce((n, r) => n + r.programs, 0)} programs in ${runs.length} projects, ${all.length} diagnostics, ${(totalMs / 1000).toFixed(1)} s`);
  out.push('');
  out.push(`${'project'.padEnd(w)}  loader       ${pad('programs', 8)} ${pad('errors', 6)} ${pad('warnings', 8)} ${pad('info/hint', 9)} ${pad('diags', 6)}  ${pad('progs w/ error', 14)}  ${pad('time', 6)}`);
  for (const r of runs) {
    const withError = new Set(r.findings.filter((f) => f.severity === 'error').map((f) => f.path)).size;
    out.push(`${r.project.folder.padEnd(w)}  ${r.project.loader.padEnd(11)}  ${pad(r.programs, 8)} ${pad(count(r.findings, 'error'), 6)} ${pad(count(r.findings, 'warning'), 8)} ${pad(count(r.findings, 'info', 'hint'), 9)} ${pad(r.findings.length, 6)}  ${pad(`${withError}/${r.programs}`, 14)}  ${pad((r.ms / 1000).toFixed(1) + 's', 6)}`);
  }
  const withError = new Set(all.filter((f) => f.severity === 'error').map((f) => f.path)).size;
  const programs = runs.reduce((n, r) => n + r.programs, 0);
  out.push(`${'total'.padEnd(w)}  ${''.padEnd(11)}  ${pad(programs, 8)} ${pad(count(all, 'error'), 6)} ${pad(count(all, 'warning'), 8)} ${pad(count(all, 'info', 'hint'), 9)} ${pad(all.length, 6)}  ${pad(`${withError}/${programs}`, 14)}  ${pad((totalMs / 1000).toFixed(1) + 's', 6)}`);

  const section = (title: string, fs: CorpusFinding[], n: number) => {
    out.push('', `${title}: ${fs.length}`);
    for (const [code, group] of byCode(fs)) {
      const projects = new Set(group.map((f) => f.project)).size;
      const files = new Set(group.map((f) => f.path)).size;
      out.push(`  ${code}: ${group.length} (${files} file(s), ${projects} project(s))`);
      for (const f of examples(group, n)) out.push(`      ${f.path}:${f.line}:${f.column}  ${f.message}`);
    }
  };
  section('errors by code', all.filter((f) => f.severity === 'error'), 3);
  const errorCount = count(all, 'error');
  if (unexplained.length === errorCount) out.push('', `unexplained errors (not in expected-errors.tsv): ${unexplained.length}, all of them`);
  else section('unexplained errors (not in expected-errors.tsv) by code', unexplained, 3);
  section('warnings by code', all.filter((f) => f.severity === 'warning'), 2);
  section('info and hints by code', all.filter((f) => f.severity === 'info' || f.severity === 'hint'), 1);
  if (stale.length) {
    out.push('', `expected-errors.tsv rows that explain no error any more: ${stale.length}`);
    for (const x of stale) out.push(`  line ${x.line}: ${x.glob}\t${x.code}\t${x.message}`);
  }
  const absent = runs.flatMap((r) => [...r.project.includes, ...Object.values(r.project.programIncludes ?? {}).flat()].filter((d) => !existsSync(join(corpusDir, d))));
  if (absent.length) out.push('', `include directories the README lists but the corpus lacks (passed anyway): ${absent.join(', ')}`);
  const stderr = runs.filter((r) => r.stderr.length);
  if (stderr.length) {
    out.push('', 'CLI stderr:');
    for (const r of stderr) {
      out.push(`  ${r.project.folder}: ${r.stderr.length} line(s)`);
      for (const l of r.stderr.slice(0, 5)) out.push(`      ${l}`);
    }
  }
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------------

describe('real-world corpus: ebpf-ls check reports no unexplained error', { skip }, () => {
  let vmlinuxDir = '';
  const runs: ProjectRun[] = [];
  let unexplained: CorpusFinding[] = [];
  let expectations: ReturnType<typeof readExpectations> = { rows: [], problems: [] };

  before(() => {
    const started = Date.now();
    vmlinuxDir = makeVmlinuxDir(bpftool!, RUNNING_KERNEL_BTF);
    const btfArgs = [RUNNING_KERNEL_BTF, ...sharedBtfs()].flatMap((f) => ['--btf', f]);
    for (const p of PROJECTS) runs.push(runProject(p, vmlinuxDir, btfArgs));
    expectations = readExpectations();
    const errors = runs.flatMap((r) => r.findings).filter((f) => f.severity === 'error');
    unexplained = errors.filter((f) => !expectations.rows.some((x) => explains(x, f)));
    const stale = expectations.rows.filter((x) => !errors.some((f) => explains(x, f)));
    const text = census(runs, unexplained, stale, Date.now() - started);
    mkdirSync(censusDir, { recursive: true });
    writeFileSync(join(censusDir, 'census.txt'), text);
    writeFileSync(join(censusDir, 'census.json'), JSON.stringify(runs.map((r) => ({
      project: r.project.folder, loader: r.project.loader, programs: r.programs, ms: r.ms, stderr: r.stderr, failures: r.failures, findings: r.findings,
    })), null, 1) + '\n');
    process.stdout.write(`\n${text}(also in ${relative(repoRoot, join(censusDir, 'census.txt'))})\n\n`);
  });
  after(() => {
    if (vmlinuxDir) rmSync(vmlinuxDir, { recursive: true, force: true });
  });

  test('the project table covers every repository in MANIFEST.tsv, and every program', () => {
    assert.deepEqual(PROJECTS.map((p) => p.repo).sort(), manifestRepos());
    for (const p of PROJECTS) {
      const progs = programsOf(p);
      assert.ok(progs.length > 0, `${p.repo}: no kind=program rows`);
      for (const prog of progs) assert.ok(existsSync(prog.file), `${prog.corpusPath} is listed but absent`);
    }
  });

  test('every project was checked: the CLI ended with JSON and exit 0 or 1 for every batch', () => {
    assert.equal(runs.length, PROJECTS.length);
    assert.deepEqual(runs.flatMap((r) => r.failures.map((f) => `${r.project.folder}: ${f}`)), []);
    assert.equal(runs.reduce((n, r) => n + r.programs, 0), PROJECTS.reduce((n, p) => n + programsOf(p).length, 0));
  });

  test('expected-errors.tsv is well formed (path-glob, code, message-regex, reason)', () => {
    assert.deepEqual(expectations.problems, []);
  });

  test('every reason in expected-errors.tsv is proven against the configured kernels and loaders', async () => {
    const kernels = await loadProofKernels([RUNNING_KERNEL_BTF, ...sharedBtfs()]);
    const failures = expectations.rows.map((x) => proofFails(x, kernels)).filter((f): f is string => f !== undefined);
    assert.deepEqual(failures, []);
  });

  test('every error is explained in expected-errors.tsv', () => {
    const lines = unexplained.map((f) => `${f.path}:${f.line}:${f.column} [${f.code}] ${f.message}`);
    assert.equal(lines.length, 0, `${lines.length} unexplained error(s) (the census above groups them by code):\n${lines.slice(0, 10).join('\n')}${lines.length > 10 ? '\n...' : ''}`);
  });
});
