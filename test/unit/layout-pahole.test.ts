// Our layouts agree with Debian's pahole 1.24 on every named struct and union of real kernels: member
// offsets, sizes and bit positions, and every summary number pahole prints.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Btf } from '../../server/src/btf/btf';
import { parseBtf } from '../../server/src/btf/parse';
import { Kind } from '../../server/src/btf/wire';
import { Layout, layoutOf } from '../../server/src/layout/model';
import { formatPahole, summaryLines } from '../../server/src/layout/pahole';
import { SharedKernel, haveTool, sharedRaw, sharedSkip } from '../support/kernels';

const paholeSkip = haveTool('pahole') ? undefined : 'pahole is not installed (scripts/setup installs it)';

interface PaholeType {
  kind: 'struct' | 'union';
  name: string;
  /** "offset[:bit] size" of each top-level member line, in order. */
  members: string[];
  /** The summary comment lines, verbatim. */
  summary: string[];
  text: string;
}

/** Splits `pahole FILE` output into its types; top-level lines are those indented by exactly one tab. */
function parsePahole(out: string): PaholeType[] {
  const types: PaholeType[] = [];
  let cur: PaholeType | undefined;
  let lines: string[] = [];
  for (const line of out.split('\n')) {
    const head = /^(struct|union) (\S+) \{$/.exec(line);
    if (head) {
      cur = { kind: head[1] as 'struct' | 'union', name: head[2], members: [], summary: [], text: '' };
      lines = [line];
      continue;
    }
    if (!cur) continue;
    lines.push(line);
    if (line.startsWith('}')) {
      cur.text = lines.join('\n') + '\n';
      types.push(cur);
      cur = undefined;
      continue;
    }
    if (!line.startsWith('\t') || line.startsWith('\t\t')) continue;
    const body = line.slice(1);
    if (/^\/\* (size|sum members|sum bitfield members|padding|paddings|bit_padding|forced alignments|last cacheline):/.test(body)) {
      cur.summary.push(body);
      continue;
    }
    if (body.startsWith('/*')) continue; // holes, cacheline boundaries, notes
    const m = /\/\*\s+(\d+)(?::\s*(\d+))?\s+(\d+) \*\/$/.exec(body);
    if (m) cur.members.push(`${m[1]}${m[2] !== undefined ? ':' + m[2] : ''} ${m[3]}`);
  }
  return types;
}

function ourMembers(l: Layout): string[] {
  return l.members.map((m) => `${m.offset}${m.bitSize !== null ? ':' + m.bitfieldOffset : ''} ${m.size}`);
}

function compareKernel(kernel: SharedKernel): void {
  const file = sharedRaw(kernel);
  const out = execFileSync('pahole', [file], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
  const theirs = parsePahole(out);
  const r = parseBtf(readFileSync(file), { source: file });
  assert.ok(r.ok);
  const btf: Btf = r.value;

  // pahole prints each named struct/union (same-named types in id order, some of them once).
  const ids = new Map<string, number[]>();
  for (let id = 1; id < btf.typeCount; id++) {
    const k = btf.kind(id);
    if ((k === Kind.Struct || k === Kind.Union) && btf.name(id)) {
      const key = `${k === Kind.Struct ? 'struct' : 'union'} ${btf.name(id)}`;
      ids.set(key, [...(ids.get(key) ?? []), id]);
    }
  }
  const printedNames = new Set(theirs.map((t) => `${t.kind} ${t.name}`));
  assert.equal(printedNames.size, ids.size, 'pahole printed every named struct and union');

  const failures: string[] = [];
  let identicalText = 0;
  const used = new Set<number>();
  for (const t of theirs) {
    const candidates = (ids.get(`${t.kind} ${t.name}`) ?? []).filter((id) => !used.has(id));
    let matched: Layout | undefined;
    let firstMismatch = '';
    for (const id of candidates) {
      const l = layoutOf(btf, id)!;
      const members = ourMembers(l);
      const summary = l.kind === 'struct' ? summaryLines(l) : [];
      if (JSON.stringify(members) === JSON.stringify(t.members) && JSON.stringify(summary) === JSON.stringify(t.summary)) {
        matched = l;
        used.add(id);
        break;
      }
      if (!firstMismatch) {
        const i = members.findIndex((m, j) => m !== t.members[j]);
        firstMismatch =
          i >= 0 || members.length !== t.members.length
            ? `member #${i}: ours ${members[i]} pahole ${t.members[i]}`
            : `summary: ours ${JSON.stringify(summary)} pahole ${JSON.stringify(t.summary)}`;
      }
    }
    if (!matched) failures.push(`${t.kind} ${t.name}: ${firstMismatch || 'no type of that name'}`);
    else if (formatPahole(btf, matched) === t.text) identicalText++;
  }
  process.stdout.write(`# ${kernel}: ${theirs.length} types compared, ${theirs.length - failures.length} agree, ${identicalText} byte-identical text\n`);
  assert.deepEqual(failures.slice(0, 10), [], `${failures.length} of ${theirs.length} types disagree with pahole`);
}

for (const kernel of ['6.1.0-56-amd64', '6.12.117+deb12-amd64'] as const) {
  test(`every named struct and union of ${kernel} agrees with pahole 1.24`, { skip: sharedSkip ?? paholeSkip }, () => {
    compareKernel(kernel);
  });
}

test('task_struct on the 6.18 kernel of these machines is 3264 bytes', { skip: sharedSkip }, () => {
  const r = parseBtf(readFileSync(sharedRaw('6.18.44-fc-v669')));
  assert.ok(r.ok);
  const l = layoutOf(r.value, r.value.findFirst('task_struct', Kind.Struct)!)!;
  assert.equal(l.size, 3264);
  assert.equal(l.summary.cachelines, 51);
  assert.ok(l.members.some((m) => m.name === 'real_parent' && m.type === 'struct task_struct *'));
});
