// The log model against logs this machine's kernel (6.18) printed for test/fixtures/verifier/*.bpf.c at
// log levels 1 and 2, a Linux 7.3 report written from kernel/bpf/diagnostics.c, and cut logs. The
// markers in the sources (ERROR_*, CHAIN_*, HOT_*) name the lines each answer must point at.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { causalChain } from '../../server/src/verifier/causal';
import { EXPLANATIONS, explain } from '../../server/src/verifier/explanations';
import { decodeInsn } from '../../server/src/verifier/insn';
import { parseVerifierLog, VerifierLogParser } from '../../server/src/verifier/parse';
import { compactValue, lineHints, rejectedPath } from '../../server/src/verifier/path';
import { parseState, stateAfter } from '../../server/src/verifier/state';
import { hottestLine, lineStats } from '../../server/src/verifier/stats';
import { summarizeLog } from '../../server/src/verifier/summary';
import { CORE_POISON_CALL } from '../../server/src/relocs/poison';
import { repoRoot } from '../support/kernels';

const dir = join(repoRoot, 'test/fixtures/verifier');
const source = readFileSync(join(dir, 'rejections.bpf.c'), 'utf8').split('\n');
/** The 1-based line of the source carrying a marker. */
const at = (marker: string, lines = source) => {
  const i = lines.findIndex((l) => l.includes(marker));
  assert.ok(i >= 0, `marker ${marker}`);
  return i + 1;
};
const read = (name: string) => readFileSync(join(dir, name), 'utf8');

interface Case {
  log: string;
  message: RegExp;
  error: string;
  /** Lines of the causal chain after the error, nearest first. */
  chain: string[];
  explanation: string;
  hottest?: string;
}

const CASES: Record<string, Case> = {
  null: { log: 'null', message: /^R0 invalid mem access 'map_value_or_null'$/, error: 'ERROR_NULL', chain: ['CHAIN_NULL_LOOKUP'], explanation: 'null-deref' },
  scalar: { log: 'scalar', message: /^R1 invalid mem access 'scalar'$/, error: 'ERROR_SCALAR', chain: ['CHAIN_SCALAR_SOURCE'], explanation: 'scalar-deref' },
  packet: { log: 'packet', message: /^R1 offset is outside of the packet$/, error: 'ERROR_PACKET', chain: ['CHAIN_PACKET_CHECK', 'CHAIN_PACKET_DATA'], explanation: 'packet-bounds' },
  mapval: {
    log: 'mapval', message: /^R0 max value is outside of the allowed memory range$/, error: 'ERROR_MAPVAL',
    chain: ['ERROR_MAPVAL', 'ERROR_MAPVAL', 'CHAIN_MAPVAL_BOUND', 'CHAIN_MAPVAL_INDEX', 'CHAIN_MAPVAL_NULL_CHECK', 'CHAIN_MAPVAL_LOOKUP'], explanation: 'map-value-bounds',
  },
  uninit: { log: 'uninit', message: /^R7 !read_ok$/, error: 'ERROR_UNINIT', chain: [], explanation: 'uninit-register' },
  helper: { log: 'helper', message: /^program of this type cannot use helper bpf_xdp_adjust_head#44$/, error: 'ERROR_HELPER', chain: [], explanation: 'helper-not-allowed' },
};

describe('real logs of this kernel, levels 1 and 2', () => {
  for (const [name, c] of Object.entries(CASES)) {
    for (const level of [1, 2] as const) {
      test(`${name}, level ${level}: error line, causal chain, hottest line, explanation`, () => {
        const log = parseVerifierLog(read(`${c.log}.level${level}.log`));
        assert.equal(log.level, level);
        assert.equal(log.truncated, false);
        const s = summarizeLog(log);
        assert.equal(s.accepted, false);
        assert.match(s.error!.message, c.message);
        assert.equal(s.error!.file, 'rejections.bpf.c');
        assert.equal(s.error!.line, at(c.error));
        assert.equal(explain(s.error!.lines)?.id, c.explanation);
        assert.deepEqual(s.causalChain.map((l) => l.line), [at(c.error), ...c.chain.map((m) => at(m))]);
        assert.equal(s.causalChain[0].role, 'error');
        assert.ok(s.hottest && s.hottest.visits >= 1);
        assert.equal(s.processedInsns, log.steps.count);
      });
    }
  }

  test('NULL dereference: the chain names the lookup and says nothing checks it', () => {
    const chain = causalChain(parseVerifierLog(read('null.level1.log')));
    assert.match(chain[1].text, /^6: call bpf_map_lookup_elem#1: R0 is the result of bpf_map_lookup_elem\(\), which may be NULL; nothing on this path compares it with 0/);
    assert.match(chain[1].text, /R0=map_value_or_null\(id=1/);
  });

  test('map value out of bounds: the informative line is the one with value_size and off', () => {
    const s = summarizeLog(parseVerifierLog(read('mapval.level2.log')));
    assert.deepEqual(s.error!.lines, ['invalid access to map value, value_size=64 off=120 size=8', 'R0 max value is outside of the allowed memory range']);
    assert.equal(s.error!.informative, 'invalid access to map value, value_size=64 off=120 size=8');
    // Where the index came from and where its bound was set are both in the chain.
    assert.ok(s.causalChain.some((l) => l.role === 'origin' && l.line === at('CHAIN_MAPVAL_INDEX')));
    assert.ok(s.causalChain.some((l) => l.role === 'check' && l.line === at('CHAIN_MAPVAL_BOUND')));
  });

  test('uninitialised register: the chain says nothing wrote it', () => {
    const [link] = causalChain(parseVerifierLog(read('uninit.level1.log')));
    assert.match(link.text, /nothing on this path writes R7/);
  });

  test('GPL-only helper from a non-GPL program', () => {
    const gpl = readFileSync(join(dir, 'gpl.bpf.c'), 'utf8').split('\n');
    for (const level of [1, 2]) {
      const s = summarizeLog(parseVerifierLog(read(`gpl.level${level}.log`)));
      assert.equal(s.error!.message, 'cannot call GPL-restricted function from non-GPL compatible program');
      assert.equal(s.error!.line, at('ERROR_GPL', gpl));
      assert.match(s.error!.explanation!, /GPL-compatible license/);
      assert.deepEqual(s.causalChain.map((l) => l.insn), [6]);
    }
  });

  test('an accepted program: statistics, no error, no chain', () => {
    for (const level of [1, 2]) {
      const s = summarizeLog(parseVerifierLog(read(`fine.level${level}.log`)));
      assert.deepEqual([s.accepted, s.error, s.causalChain, s.processedInsns], [true, null, [], 2]);
    }
  });

  test('level 2: liveness, subprograms, backtracking, states before branches', () => {
    const log = parseVerifierLog(read('mapval.level2.log'));
    assert.deepEqual(log.subprograms, [{ index: 0, start: 0, name: null, stackDepth: null }]);
    assert.equal(log.liveRegs.get(12), '01........');
    assert.equal(log.backtrackingLines, 8);
    assert.equal(log.fullStates.get(0), 'R1=ctx() R10=fp0');
    const st = stateAfter(log, log.steps.count - 2)!;
    assert.equal(st.get('R1'), 'scalar(smin=smin32=0,smax=umax=smax32=umax32=120,var_off=(0x0; 0x78))');
    assert.equal(st.get('R7'), 'ctx()');
    assert.equal(st.get('fp-8'), '0000????');
  });

  test('a BPF-to-BPF call: frames, subprograms, and a causal chain that crosses into the callee', () => {
    const sub = readFileSync(join(dir, 'subprog.bpf.c'), 'utf8').split('\n');
    for (const level of [1, 2]) {
      const log = parseVerifierLog(read(`subprog.level${level}.log`));
      assert.deepEqual(Array.from(log.steps.frame), [0, 0, 0, 1, 1, 1, 1, 1, 1, 0]);
      assert.deepEqual(Array.from(log.steps.prev), [-1, 0, 1, 2, 3, 4, 5, 6, 7, 8], 'one path, through the callee and back');
      if (level === 2) assert.deepEqual(log.subprograms.map((p) => [p.index, p.start]), [[0, 0], [1, 8], [2, 15]]);
      const s = summarizeLog(log);
      assert.equal(s.error!.line, at('ERROR_SUB', sub));
      assert.deepEqual(s.causalChain.map((l) => l.line), [at('ERROR_SUB', sub), at('CHAIN_SUB_LOOKUP', sub)]);
      assert.ok(!log.notes.some((n) => /^R\d/.test(n)));
      assert.ok(log.notes.includes('returning from callee:'));
    }
  });

  test('the rejected path and what the verifier knew at each of its lines (inline hints)', () => {
    for (const level of [1, 2]) {
      const log = parseVerifierLog(read(`mapval.level${level}.log`));
      const path = rejectedPath(log);
      assert.deepEqual(path.map((s) => log.steps.insn[s]), [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13]);
      const hints = new Map(lineHints(log, path).map((h) => [h.line, h.hints]));
      assert.deepEqual(hints.get(at('CHAIN_MAPVAL_LOOKUP')), ['R1: map_ptr', 'R0: map_value_or_null']);
      assert.deepEqual(hints.get(at('CHAIN_MAPVAL_INDEX')), ['R1: scalar(0..0xffffffff)', 'R7: ctx']);
      assert.deepEqual(hints.get(at('CHAIN_MAPVAL_BOUND')), ['R1: scalar(0..15)']);
    }
    assert.deepEqual(['pkt(off=14,r=14)', 'pkt_end()', 'fp-4', '0000????', 'Pscalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))'].map(compactValue), ['pkt(off=14,r=14)', 'pkt_end', 'fp-4', '0000????', 'scalar(0..0xffffffff)']);
  });

  test('stack slots and frames in a printed state', () => {
    const st = parseState('R1_w=scalar(smin=0,var_off=(0x0; 0xff)) R10=fp0 fp-8_w=0000???? frame1: R1=ctx() fp-16=map_value(map=m,ks=4,vs=8)');
    assert.deepEqual([...st], [['R1', 'scalar(smin=0,var_off=(0x0; 0xff))'], ['R10', 'fp0'], ['fp-8', '0000????'], ['frame1.R1', 'ctx()'], ['frame1.fp-16', 'map_value(map=m,ks=4,vs=8)']]);
  });
});

describe('Linux 7.3 structured report', () => {
  test('the report: category, reason, location, the kernel causal path, suggestion; the error is the classic line', () => {
    const log = parseVerifierLog(read('null.linux-7.3.log'));
    assert.equal(log.format, 'structured');
    const r = log.report!;
    assert.deepEqual([r.category, r.title], ['Register Type Safety', 'Invalid dereference']);
    assert.equal(r.reason, 'R0 may be NULL here (a nullable map value pointer). The program could dereference NULL on this path, so the verifier cannot prove this access is safe.');
    assert.equal(r.suggestion, 'Add a NULL check before the access and dereference the pointer only on the non-NULL path.');
    assert.deepEqual([r.at!.func, r.at!.file, r.at!.line, r.at!.column, r.at!.insn, r.at!.label], ['ebpf_vscode_null', 'rejections.bpf.c', 26, 12, 7, 'error']);
    assert.equal(r.causalPath.length, 1);
    assert.equal(r.causalPath[0].message, 'R0 changed from uninitialized value to nullable map value from ebpf_vscode_val at offset 0');
    const s = summarizeLog(log);
    assert.equal(s.error!.message, "R0 invalid mem access 'map_value_or_null'");
    assert.equal(s.error!.line, at('ERROR_NULL'));
    assert.equal(s.error!.category, 'Register Type Safety: Invalid dereference');
    assert.equal(s.error!.reason, r.reason);
    assert.equal(s.error!.suggestion, r.suggestion);
    assert.match(s.error!.explanation!, /may be NULL/);
    assert.deepEqual(s.causalChain.map((l) => [l.role, l.line, l.insn]), [['error', at('ERROR_NULL'), 7], ['kernel', at('CHAIN_NULL_LOOKUP'), 6]]);
    assert.equal(s.processedInsns, 7);
  });

  test('without line info: `insn N`, no retained events; the suggestion is never taken for the error', () => {
    const s = summarizeLog(parseVerifierLog(read('unreadable.linux-7.3.log')));
    assert.equal(s.error!.message, 'R0 !read_ok');
    assert.equal(s.error!.insn, 0);
    assert.equal(s.error!.reason, 'R0 has never been initialized on this path, so the verifier cannot use it as an input.');
    assert.equal(s.error!.suggestion, 'Initialize R0 on every path before this instruction.');
    assert.deepEqual(parseVerifierLog(read('unreadable.linux-7.3.log')).report!.causalNotes, ['no retained diagnostic events on this path']);
  });

  test('a report with no classic line before it: the title is the message', () => {
    const text = read('unreadable.linux-7.3.log').replace('R0 !read_ok\n', '');
    assert.equal(summarizeLog(parseVerifierLog(text)).error!.message, 'Register Type Safety: Unreadable register');
  });
});

describe('cut logs', () => {
  test('the end is missing (a fixed-size buffer filled up): truncated, no error, the hottest line so far', () => {
    const log = parseVerifierLog(read('loop.level2.cut-tail.log'));
    const s = summarizeLog(log);
    assert.deepEqual([s.truncated, log.truncation, s.accepted, s.error, s.processedInsns], [true, 'tail', false, null, null]);
    assert.equal(s.hottest!.line, at('HOT_LOOP'));
  });

  test('the start is missing (the kernel keeps the end of a rotating log): truncated, the error still found', () => {
    const log = parseVerifierLog(read('large.level2.cut-head.log'));
    const s = summarizeLog(log);
    assert.deepEqual([s.truncated, log.truncation, s.accepted], [true, 'head', false]);
    assert.equal(s.error!.message, 'BPF program is too large. Processed 1000001 insn');
    assert.ok([at('HOT_LARGE'), at('ERROR_LARGE')].includes(s.error!.line!));
    assert.equal(explain(s.error!.lines)?.id, 'too-large');
  });
});

describe('parsing', () => {
  test('streaming: any split of the text gives the same model', () => {
    const text = read('mapval.level2.log');
    const whole = summarizeLog(parseVerifierLog(text));
    for (const size of [1, 7, 64, 1000]) {
      const p = new VerifierLogParser();
      for (let i = 0; i < text.length; i += size) p.write(text.slice(i, i + size));
      assert.deepEqual(summarizeLog(p.end()), whole, `chunks of ${size}`);
    }
    assert.deepEqual(summarizeLog(parseVerifierLog(text.replace(/\n/g, '\r\n'))), whole, 'CRLF');
  });

  test('harmless preamble lines are notes, not errors', () => {
    const log = parseVerifierLog("arg#0 reference type('UNKNOWN ') size cannot be determined: -22\n0: R1=ctx() R10=fp0\n0: (b7) r0 = 0                        ; R0=0\n1: (95) exit\nprocessed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n");
    assert.equal(log.error, null);
    assert.deepEqual(log.notes, ["arg#0 reference type('UNKNOWN ') size cannot be determined: -22"]);
    assert.equal(summarizeLog(log).accepted, true);
  });

  test('libbpf-wrapped pasted logs and the CO-RE poison', () => {
    const text = [
      "libbpf: prog 'p': BPF program load failed: Invalid argument", "libbpf: prog 'p': -- BEGIN PROG LOAD LOG --",
      "arg#0 reference type('UNKNOWN ') size cannot be determined: -22", '0: R1=ctx() R10=fp0',
      '; struct task_struct *t = (void *)bpf_get_current_task(); @ poison.bpf.c:14', '0: (85) call bpf_get_current_task#35          ; R0=scalar()',
      '1: <invalid CO-RE relocation>', 'failed to resolve CO-RE relocation <byte_off> [5] struct task_struct.nope (0:0 @ offset 0)',
      'processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0', '-- END PROG LOAD LOG --',
      "libbpf: prog 'p': failed to load: -22",
    ].join('\n');
    const s = summarizeLog(parseVerifierLog(text));
    assert.match(s.error!.message, /^failed to resolve CO-RE relocation/);
    assert.equal(s.error!.insn, 1);
    assert.equal(s.error!.line, 14);
    assert.match(s.error!.explanation!, /CO-RE relocation found no match/);
  });

  test('errors found before any instruction was walked name their instruction', () => {
    const s = summarizeLog(parseVerifierLog('back-edge from insn 10 to 3\nprocessed 0 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n'));
    assert.deepEqual([s.error!.message, s.error!.insn], ['back-edge from insn 10 to 3', 10]);
    assert.match(s.error!.explanation!, /loop/);
  });

  test('a level-2 walk: a branch taken up later continues from the branch, not from the last line', () => {
    const text = [
      'func#0 @0', '0: R1=ctx() R10=fp0', '; v = lookup(); @ b.bpf.c:3', '0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()',
      '; if (v) @ b.bpf.c:4', '1: (15) if r0 == 0x0 goto pc+2        ; R0=scalar(umin=1)', '; return 1; @ b.bpf.c:5', '2: (b7) r0 = 1                        ; R0=1',
      '3: (95) exit', '', 'from 1 to 4: R0=0 R10=fp0', '; return *(u64 *)v; @ b.bpf.c:6', '4: (79) r0 = *(u64 *)(r0 +0)', "R0 invalid mem access 'scalar'",
      'processed 5 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0',
    ].join('\n');
    const log = parseVerifierLog(text);
    assert.equal(log.level, 2);
    assert.deepEqual(log.branches.map((b) => [b.from, b.to, b.safe]), [[1, 4, false]]);
    const last = log.steps.count - 1;
    assert.equal(log.steps.insn[log.steps.prev[last]], 1, 'the path of insn 4 comes from the branch at insn 1');
    assert.deepEqual(causalChain(log).map((l) => l.line), [6, 4, 3]);
    assert.deepEqual(lineStats(log).map((l) => [l.line, l.visits, l.states]), [[3, 1, 1], [4, 1, 0], [5, 2, 0], [6, 1, 1]]);
    assert.equal(hottestLine(lineStats(log))!.line, 5);
  });
});

describe('untrusted input', () => {
  test('mutated and hostile logs never throw, hang or allocate without bound', () => {
    const seeds = ['mapval.level2.log', 'subprog.level2.log', 'null.linux-7.3.log', 'loop.level2.cut-tail.log'].map(read);
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const junk = ['from 99 to 3: safe', 'from 1 to 2:', '4294967295: (bf) r1 = r2', '99999999999999999999: (85) call pc+99999999', '; @ :', '; x @ f:NaN', 'Verification failed: ', 'At:', '  >>> 7 |', '         | ^--', 'R0=', 'frame9:', 'processed x insns', 'stack depth ++', 'func#99999999 @-1', '\0\u2028<script>"\'</script>', 'Live regs before insn:', '  1  2  3: xx (', 'mark_precise:'];
    for (let i = 0; i < 300; i++) {
      const lines = seeds[i % seeds.length].split('\n');
      for (let k = 0; k < 12; k++) {
        const at = rand(lines.length);
        const op = rand(4);
        if (op === 0) lines.splice(at, 1);
        else if (op === 1) lines.splice(at, 0, junk[rand(junk.length)]);
        else if (op === 2) lines[at] = lines[at].slice(0, rand(lines[at].length + 1));
        else lines.splice(at, 0, lines[rand(lines.length)]);
      }
      const log = parseVerifierLog(lines.join('\n'));
      const s = summarizeLog(log);
      lineHints(log, rejectedPath(log));
      if (log.steps.count) stateAfter(log, log.steps.count - 1);
      assert.ok(s.causalChain.length <= 25);
    }
  });
});

describe('instructions and explanations', () => {
  test('the disassembly the kernel prints decodes into what each instruction reads and writes', () => {
    const cases: [string, object][] = [
      ['r1 = r7', { kind: 'mov', dst: 1, srcs: [7] }],
      ['w1 = w2', { kind: 'mov', dst: 1, srcs: [2] }],
      ['r1 = (s8)r2', { kind: 'mov', dst: 1, srcs: [2] }],
      ['r0 = 0', { kind: 'const', dst: 0, srcs: [] }],
      ['r1 = 0xffff8881046b2800', { kind: 'const', dst: 1, srcs: [] }],
      ['r2 += -4', { kind: 'alu', dst: 2, srcs: [2] }],
      ['r0 += r1', { kind: 'alu', dst: 0, srcs: [0, 1] }],
      ['r1 = be16 r1', { kind: 'alu', dst: 1, srcs: [1] }],
      ['r0 = *(u64 *)(r0 +8)', { kind: 'load', dst: 0, srcs: [0], mem: { base: 0, off: 8, size: 8 } }],
      ['*(u32 *)(r10 -4) = r1', { kind: 'store', srcs: [10, 1], mem: { base: 10, off: -4, size: 4 } }],
      ['*(u64 *)(r10 -8) = 0', { kind: 'store', srcs: [10], mem: { base: 10, off: -8, size: 8 } }],
      ['lock *(u64 *)(r0 +0) += r1', { kind: 'atomic', srcs: [0, 1], mem: { base: 0, off: 0, size: 8 } }],
      ['if r3 > r2 goto pc+1', { kind: 'cond', srcs: [3, 2] }],
      ['if w0 == 0x0 goto pc-8', { kind: 'cond', srcs: [0] }],
      ['goto pc+5', { kind: 'goto', srcs: [] }],
      ['exit', { kind: 'exit', srcs: [0] }],
      ['<invalid CO-RE relocation>', { kind: 'poison', srcs: [] }],
    ];
    for (const [text, want] of cases) assert.deepEqual(decodeInsn(text), want, text);
    assert.deepEqual(decodeInsn('call bpf_map_lookup_elem#1'), { kind: 'call', dst: 0, srcs: [1, 2, 3, 4, 5], callee: 'bpf_map_lookup_elem' });
    assert.deepEqual(decodeInsn('call pc+5', 10), { kind: 'subcall', dst: 0, srcs: [1, 2, 3, 4, 5], callee: 'pc+5', target: 16 });
  });

  test("every message the issue names is explained, in the kernel's wording", () => {
    const messages = [
      "R1 invalid mem access 'scalar'", "R0 invalid mem access 'map_value_or_null'", "R2 invalid mem access 'ptr_or_null_'", 'R3 !read_ok',
      'invalid indirect read from stack R2 off -8+0 size 8', 'invalid read from stack off -16+0 size 8', 'invalid access to packet, off=20 size=1, R1(id=0,off=20,r=14)',
      'invalid access to map value, value_size=64 off=120 size=8', 'R1 min value is negative, either use unsigned index or do a if (index >=0) check.',
      'R0 unbounded memory access, make sure to bounds check any such access', 'math between map_value pointer and register with unbounded min value is not allowed',
      'back-edge from insn 10 to 3', 'infinite loop detected at insn 7', 'The sequence of 8193 jumps is too complex.', 'BPF program is too large. Processed 1000001 insn',
      'combined stack size of 3 calls is 544. Too large', 'cannot call GPL-restricted function from non-GPL compatible program',
      'program of this type cannot use helper bpf_xdp_adjust_head#44', 'unknown func bpf_ringbuf_output#130', 'R1 type=scalar expected=fp',
      'Unreleased reference id=2 alloc_insn=5', 'invalid bpf_context access off=80 size=8', 'At program exit the register R0 has smin=0 smax=4 should have been in [0, 1]',
      'calling kernel function bpf_task_acquire is not allowed', CORE_POISON_CALL,
    ];
    for (const m of messages) {
      const e = explain([m]);
      assert.ok(e, `no explanation for ${m}`);
      assert.ok(e.meaning && e.cause && e.fix && e.formats.length, e.id);
    }
    assert.equal(new Set(EXPLANATIONS.map((e) => e.id)).size, EXPLANATIONS.length);
    assert.equal(explain(['R0 max value is outside of the allowed memory range', 'invalid access to map value, value_size=64 off=120 size=8'])!.id, 'map-value-bounds');
    assert.equal(explain([CORE_POISON_CALL])!.id, 'core-poison');
  });
});
