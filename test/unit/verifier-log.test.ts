import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeLog } from '../../server/src/verifier/log';
import { parseClangDiagnostics } from '../../server/src/clang/messages';

test('a rejected program: error message, source line from the annotations, explanation, count', () => {
  const log = [
    'func#0 @0',
    '0: R1=ctx() R10=fp0',
    '; int k = 0; @ prog.bpf.c:9',
    '0: (b7) r1 = 0                        ; R1_w=0',
    '; return *v; @ prog.bpf.c:11',
    '7: (79) r0 = *(u64 *)(r0 +0)',
    "R0 invalid mem access 'map_value_or_null'",
    'processed 7 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0',
    '',
  ].join('\n');
  const v = analyzeLog(log);
  assert.equal(v.processedInsns, 7);
  assert.equal(v.message, "R0 invalid mem access 'map_value_or_null'");
  assert.deepEqual([v.file, v.line], ['prog.bpf.c', 11]);
  assert.match(v.explanation!, /NULL/);
});

test('CO-RE poison is explained as a relocation that found no target', () => {
  const v = analyzeLog('; x = BPF_CORE_READ(t, state); @ a.bpf.c:5\n3: (85) call unknown#195896080\ninvalid func unknown#195896080\nprocessed 4 insns (limit 1000000)\n');
  assert.equal(v.line, 5);
  assert.match(v.explanation!, /CO-RE relocation found no match/);
});

test('an accepted program has a count and no error', () => {
  const v = analyzeLog('processed 12 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0\n');
  assert.deepEqual([v.processedInsns, v.message], [12, undefined]);
});

test("clang's messages become diagnostics", () => {
  const d = parseClangDiagnostics("x.bpf.c:3:10: error: use of undeclared identifier 'y'\nx.bpf.c:2:5: warning: unused variable 'z' [-Wunused-variable]\n    2 | int z;\n");
  assert.deepEqual(d, [
    { file: 'x.bpf.c', line: 3, column: 10, severity: 'error', message: "use of undeclared identifier 'y'", flag: undefined },
    { file: 'x.bpf.c', line: 2, column: 5, severity: 'warning', message: "unused variable 'z'", flag: '-Wunused-variable' },
  ]);
});
