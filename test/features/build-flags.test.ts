// #if branches decided by the build's -D and -U: from ebpf.build.flags (the server's setting, the CLI's
// -D/-U) and from the file's entry in a compile_commands.json, parsed as the server and the CLI parse
// (host/language-setup's projectHeaders). A diagnostic inside `#ifdef FEATURE_X` appears or goes with the flag.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CParser } from '../../server/src/csource/parser';
import { LanguageService } from '../../server/src/features/language-service';
import { parseSource, projectHeaders } from '../../server/src/host/language-setup';
import { readParserWasm } from '../../server/src/host/source-files';
import { serviceFor } from '../support/service';

const program = (condition: string) => `char LICENSE[] SEC("license") = "GPL";
SEC("tp_btf/sched_switch")
int BPF_PROG(handle, bool preempt, struct task_struct *prev)
{
${condition}
\treturn prev->no_such_field;
#endif
\treturn 0;
}
`;

let service: LanguageService;
let parser: CParser;
let dir: string;

before(async () => {
  service = await serviceFor();
  parser = await CParser.create(readParserWasm());
  dir = mkdtempSync(join(tmpdir(), 'ebpf-ls-build-flags-'));
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** The codes of `source`'s diagnostics, written to `name` in the test folder and parsed with `flags` as ebpf.build.flags. */
function codesWith(name: string, source: string, flags: string[]): string[] {
  const path = join(dir, name);
  writeFileSync(path, source);
  const headers = projectHeaders(parser, () => [], () => flags, (m) => assert.fail(m), 'x64');
  const file = parseSource(parser, headers, TextDocument.create(`file://${path}`, 'c', 1, source), path);
  try {
    return service.diagnostics(file).map((d) => String(d.code));
  } finally {
    file.tree.delete();
  }
}

describe('ebpf.build.flags', () => {
  test('#ifdef FEATURE_X: checked with -DFEATURE_X and with no flag (unknown), not with -UFEATURE_X', () => {
    const source = program('#ifdef FEATURE_X');
    assert.deepEqual(codesWith('a.bpf.c', source, ['-DFEATURE_X']), ['core-field-missing']);
    assert.deepEqual(codesWith('a.bpf.c', source, []), ['core-field-missing']);
    assert.deepEqual(codesWith('a.bpf.c', source, ['-UFEATURE_X']), []);
    assert.deepEqual(codesWith('a.bpf.c', source, ['-U', 'FEATURE_X']), []);
  });

  test('#ifndef FEATURE_X is dead with -D FEATURE_X; the last flag of a name wins', () => {
    const source = program('#ifndef FEATURE_X');
    assert.deepEqual(codesWith('b.bpf.c', source, ['-D', 'FEATURE_X']), []);
    assert.deepEqual(codesWith('b.bpf.c', source, ['-DFEATURE_X', '-UFEATURE_X']), ['core-field-missing']);
  });

  test('#if FEATURE_LEVEL >= 2 compares the -D value', () => {
    const source = program('#if FEATURE_LEVEL >= 2');
    assert.deepEqual(codesWith('c.bpf.c', source, ['-DFEATURE_LEVEL=1']), []);
    assert.deepEqual(codesWith('c.bpf.c', source, ['-DFEATURE_LEVEL=3']), ['core-field-missing']);
  });

  test('a flag naming another architecture does not change the target: the edge decides it', () => {
    const source = program('#if defined(bpf_target_arm64)');
    assert.deepEqual(codesWith('d.bpf.c', source, ['-D__TARGET_ARCH_arm64', '-Dbpf_target_arm64']), []);
  });
});

describe('compile_commands.json', () => {
  test("the file's entry (a shell-quoted command) decides; ebpf.build.flags come after it and win", () => {
    const sub = mkdtempSync(join(dir, 'project-'));
    writeFileSync(join(sub, 'compile_commands.json'), JSON.stringify([
      { directory: sub, file: 'e.bpf.c', command: `clang -g -O2 -target bpf '-DFEATURE_X=1' -DNAME="\\"x y\\"" -c e.bpf.c -o e.bpf.o` },
    ]));
    const source = program('#ifndef FEATURE_X');
    const at = (name: string) => relative(dir, join(sub, name));
    assert.deepEqual(codesWith(at('e.bpf.c'), source, []), []);
    assert.deepEqual(codesWith(at('e.bpf.c'), source, ['-UFEATURE_X']), ['core-field-missing']);
    // Another file in the folder has no entry: nothing is known about FEATURE_X.
    assert.deepEqual(codesWith(at('other.bpf.c'), source, []), ['core-field-missing']);
  });
});
