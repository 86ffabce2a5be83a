// The GPL-only helper table against the running kernel: a probe loads `call <helper>` under a non-GPL
// license and reads the verifier's verdict; and the `gpl-only` diagnostic against a real rejection.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { EnumType } from '../../server/src/btf/types';
import { Kind } from '../../server/src/btf/wire';
import { GPL_ONLY_HELPERS } from '../../server/src/helpers/gpl-only';
import { loadBtfFile } from '../../server/src/host/load-btf';
import { cliSkip, runCli } from '../support/cli';
import { RUNNING_KERNEL_BTF, haveTool, repoRoot, runningSkip } from '../support/kernels';

const skip = runningSkip ?? (process.getuid?.() === 0 ? undefined : 'probing the verifier needs root here') ?? (haveTool('gcc') ? undefined : 'gcc is not installed');

describe('GPL-only helpers', { skip }, () => {
  const work = mkdtempSync(join(tmpdir(), 'ebpf-gpl-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  test('the table agrees with the running kernel on every helper it can probe', async () => {
    const probe = join(work, 'probe-gpl');
    execFileSync('gcc', ['-O1', '-o', probe, join(repoRoot, 'test/fixtures/helpers/probe-gpl.c'), '-lbpf']);
    const btf = await loadBtfFile(RUNNING_KERNEL_BTF);
    assert.ok(btf.ok);
    const funcIds = btf.value.type(btf.value.findFirst('bpf_func_id', Kind.Enum)!) as EnumType;
    const helpers = funcIds.values.filter((e) => e.name.startsWith('BPF_FUNC_') && e.name !== 'BPF_FUNC_unspec');
    const max = Math.max(...helpers.map((e) => Number(e.value)));
    const verdicts = execFileSync(probe, [String(max + 1)], { encoding: 'utf8' }).trim().split('\n').map((l) => l.split(' '));
    const byId = new Map(verdicts.map(([id, v]) => [Number(id), v]));
    let probed = 0;
    const disagree: string[] = [];
    for (const { name, value } of helpers) {
      const v = byId.get(Number(value));
      if (v !== 'gpl' && v !== 'free') continue;
      probed++;
      const helper = name.slice('BPF_FUNC_'.length);
      if (GPL_ONLY_HELPERS.has(helper) !== (v === 'gpl')) disagree.push(`${helper}: kernel says ${v}`);
    }
    assert.deepEqual(disagree, []);
    assert.ok(probed >= 150, `${probed} helpers probed`);
  });

  test('check reports GPL-only helpers under a non-GPL license, and the kernel refuses the program the same way', { skip: cliSkip ?? (haveTool('clang-19') ? undefined : 'clang-19 is not installed') }, () => {
    const src = join(work, 'proprietary.bpf.c');
    copyFileSync(join(repoRoot, 'test/fixtures/programs/proprietary.bpf.c'), src);
    const r = runCli(['check', src, '--format', 'json']);
    const findings: { line: number; code: string; message: string }[] = JSON.parse(r.stdout);
    const gpl = findings.filter((f) => f.code === 'gpl-only');
    assert.deepEqual(gpl.map((f) => f.line), [11], 'bpf_probe_read_kernel only; bpf_get_current_pid_tgid is free');
    assert.match(gpl[0].message, /helper bpf_probe_read_kernel\(\) needs a GPL-compatible license: the kernel refuses it in a program licensed "Proprietary"/);
    assert.equal(runCli(['build', src]).status, 0);
    const v = spawnSync(process.execPath, [join(repoRoot, 'dist/ebpf-ls.js'), 'verify', src.replace(/\.c$/, '.o'), '--format', 'json'], { encoding: 'utf8' });
    const [verdict] = JSON.parse(v.stdout) as { accepted: boolean; error: { message: string; line: number } }[];
    assert.equal(verdict.accepted, false);
    assert.match(verdict.error.message, /cannot call GPL-restricted function from non-GPL compatible program/);
  });
});
