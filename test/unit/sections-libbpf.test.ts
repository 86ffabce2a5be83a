// SEC() validation agrees with the real libbpf on these machines (Debian's libbpf 1.1, through its
// libbpf_prog_type_by_name) on every name it knows, and names it does not know are newer entries.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readLibbpfVersion } from '../../server/src/host/libbpf-version';
import { SECTION_DEFS } from '../../server/src/sections/libbpf-sections';
import { matchSection, suggestSections } from '../../server/src/sections/match';
import { haveTool, repoRoot } from '../support/kernels';

const libbpf = readLibbpfVersion([]);
const skip = !haveTool('gcc') ? 'gcc is not installed' : !libbpf ? 'libbpf headers are not installed (libbpf-dev)' : undefined;

/** Names to ask about: every table entry in each form it accepts, with a target where it takes one. */
function sampleNames(): string[] {
  const names = new Set<string>();
  for (const d of SECTION_DEFS) {
    const p = d.sec.replace(/[+/]$/, '');
    if (d.sec.endsWith('+')) {
      names.add(p);
      names.add(`${p}/target_fn`);
    } else if (d.sec.endsWith('/')) names.add(`${d.sec}target_fn`);
    else names.add(p);
  }
  return [...names];
}

const version = (v: string) => v.split('.').map(Number);
const newer = (since: string, than: string) => since === 'unreleased' || version(since)[0] > version(than)[0] || (version(since)[0] === version(than)[0] && version(since)[1] > version(than)[1]);

test(`SEC() matching agrees with libbpf ${libbpf ?? ''} on every name it knows`, { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebpf-libbpf-'));
  try {
    const bin = join(dir, 'prog-type-by-name');
    execFileSync('gcc', ['-o', bin, join(repoRoot, 'test/fixtures/libbpf/prog-type-by-name.c'), '-lbpf']);
    const names = sampleNames();
    const out = execFileSync(bin, names, { encoding: 'utf8' }).trim().split('\n');
    assert.equal(out.length, names.length);
    let known = 0;
    for (const line of out) {
      const [name, verdict, progType, attachType] = line.split('\t');
      const ours = matchSection(name);
      assert.ok(ours, `${name} is in our table`);
      if (verdict === 'unknown') {
        // libbpf here does not know it: our table must date it after this libbpf, so the user is warned.
        assert.ok(newer(ours.def.since, libbpf!), `${name}: libbpf ${libbpf} rejects it but our table says since ${ours.def.since}`);
        continue;
      }
      known++;
      assert.equal(ours.def.progType.replace(/^BPF_PROG_TYPE_/, '').toLowerCase(), progType, `${name}: program type`);
      assert.equal((ours.def.attachType ?? 'BPF_CGROUP_INET_INGRESS').replace(/^BPF_/, '').toLowerCase(), attachType, `${name}: attach type`);
    }
    assert.ok(known >= 100, `libbpf knew ${known} of the names`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('unknown names get the closest valid ones', () => {
  assert.equal(matchSection('tracepoints/syscalls/sys_enter_openat'), undefined);
  assert.equal(suggestSections('tracepoints/syscalls/sys_enter_openat')[0], 'tracepoint/syscalls/sys_enter_openat');
  assert.equal(suggestSections('xdp_prog')[0], 'xdp');
  assert.equal(matchSection('?fentry/do_unlinkat')!.noAutoload, true);
  assert.equal(matchSection('kprobe.multi/vfs_*')!.target, 'vfs_*');
  assert.equal(SECTION_DEFS.filter((d) => d.since !== 'unreleased').length, 105);
  assert.equal(SECTION_DEFS.filter((d) => d.since === 'unreleased').length, 11);
});
