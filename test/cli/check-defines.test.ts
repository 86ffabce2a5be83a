// `ebpf-ls check -D/-U` and compile_commands.json, through the built CLI: the same path the server takes
// (host/language-setup's projectHeaders), so a branch under `#ifdef FEATURE_X` is checked or not as the
// build defines it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cliSkip, runCli } from '../support/cli';

const SOURCE = `char LICENSE[] SEC("license") = "GPL";
SEC("tp_btf/sched_switch")
int BPF_PROG(handle, bool preempt, struct task_struct *prev)
{
#ifdef FEATURE_X
\treturn prev->no_such_field;
#endif
\treturn 0;
}
`;

const dir = mkdtempSync(join(tmpdir(), 'ebpf-ls-check-defines-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The codes `check` reports for `file` with `args`. */
function codes(file: string, args: string[]): string[] {
  const r = runCli(['check', file, ...args, '--format', 'json']);
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  return (JSON.parse(r.stdout) as { code: string }[]).map((f) => f.code);
}

test('-DFEATURE_X checks the branch, -UFEATURE_X leaves it out, a compile_commands.json entry decides when no flag is given', { skip: cliSkip }, () => {
  const file = join(dir, 'feature.bpf.c');
  writeFileSync(file, SOURCE);
  assert.deepEqual(codes(file, ['-DFEATURE_X']), ['core-field-missing']);
  assert.deepEqual(codes(file, ['-U', 'FEATURE_X']), []);
  writeFileSync(join(dir, 'compile_commands.json'), JSON.stringify([{ directory: dir, file: 'feature.bpf.c', arguments: ['clang', '-UFEATURE_X', '-c', 'feature.bpf.c'] }]));
  assert.deepEqual(codes(file, []), []);
  // The command line's -D comes after the entry's flags and wins.
  assert.deepEqual(codes(file, ['-DFEATURE_X']), ['core-field-missing']);
});
