// Packet data read with no bounds check: in XDP and tc programs a pointer into the packet (from
// ctx->data, and pointers computed from it) may be read only after a comparison with data_end proves the
// read in bounds; the verifier refuses every other access ("invalid access to packet"). Any comparison
// with data_end before the read counts: a missed check is better than a false error.
import type { Node } from 'web-tree-sitter';
import { functionBody } from '../../../csource/model';
import { assignmentsOf, declaratorName, dereferencesOf } from '../../pointer-provenance';
import { Rule, programFunctions } from '../rule';

/** Program types with direct packet access through ctx->data / ctx->data_end. */
const PACKET_PROGRAMS = new Set([
  'BPF_PROG_TYPE_XDP', 'BPF_PROG_TYPE_SCHED_CLS', 'BPF_PROG_TYPE_SCHED_ACT', 'BPF_PROG_TYPE_SK_SKB', 'BPF_PROG_TYPE_LWT_IN',
  'BPF_PROG_TYPE_LWT_OUT', 'BPF_PROG_TYPE_LWT_XMIT', 'BPF_PROG_TYPE_LWT_SEG6LOCAL', 'BPF_PROG_TYPE_CGROUP_SKB', 'BPF_PROG_TYPE_FLOW_DISSECTOR',
]);

export const packetBoundsRule: Rule = {
  name: 'packet bounds',
  codes: ['packet-bounds'],
  check(input, report) {
    for (const { fn: f, program } of programFunctions(input)) {
      const body = PACKET_PROGRAMS.has(program.match.def.progType) ? functionBody(input.file.tree, f) : undefined;
      if (!body) continue;
      for (const { name, deref } of uncheckedPacketReads(body)) {
        report({
          code: 'packet-bounds', start: deref.startIndex, end: deref.endIndex,
          message: `${name} points into the packet: compare it with data_end first (if ((void *)(${name} + 1) > data_end) return ...), or the verifier refuses the load ("invalid access to packet")`,
        });
      }
    }
  },
};

/** Locals holding packet pointers: assigned from `...->data`, or computed from another packet pointer. */
function packetPointers(body: Node): Set<string> {
  const names = new Set<string>();
  const locals = body.descendantsOfType('init_declarator').map((d) => d?.childForFieldName('declarator')).concat(
    body.descendantsOfType('assignment_expression').map((a) => a?.childForFieldName('left')));
  const candidates = new Set(locals.map(declaratorName).filter((n): n is string => !!n));
  for (let round = 0; round < 4; round++) {
    for (const name of candidates) {
      if (names.has(name)) continue;
      const values = assignmentsOf(body, name).map((a) => a.value);
      const fromPacket = values.some((v) => /->\s*data\b(?!_)/.test(v.text) || v.descendantsOfType('identifier').some((id) => !!id && names.has(id.text)));
      if (fromPacket && values.every((v) => !/->\s*data_end\b/.test(v.text))) names.add(name);
    }
  }
  return names;
}

function uncheckedPacketReads(body: Node): { name: string; deref: Node }[] {
  const out = [];
  // A comparison with data_end, or data_end handed to a function (an inlined parser) that compares.
  const comparisons = body.descendantsOfType('binary_expression').filter((b) => !!b && /^[<>]=?$/.test(b.childForFieldName('operator')?.text ?? '') && /\bdata_end\b/.test(b.text))
    .concat(body.descendantsOfType('call_expression').filter((c) => !!c && /\bdata_end\b/.test(c.childForFieldName('arguments')?.text ?? '')));
  for (const name of packetPointers(body)) {
    const deref = dereferencesOf(body, name)[0];
    if (deref && !comparisons.some((c) => c!.startIndex < deref.startIndex)) out.push({ name, deref });
  }
  return out;
}
