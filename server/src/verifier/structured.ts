// Linux 7.3's failure report (kernel/bpf/diagnostics.c), printed after the classic error line and before
// `processed N insns`:
//
//   Verification failed: <Category>: <Title>
//
//   Reason:
//     <text, wrapped at 100 columns, indented two spaces>
//
//   At:
//     <func> @ <file>:<line>:<col>        (or `<file>:<line>:<col>`, or `insn N` without line info)
//     Source context:
//         24 |   ...
//     >>> 26 |   return v->slot[1];
//            |   ^-- error: <what>
//     Instruction context:
//         6 | (85) call bpf_map_lookup_elem#1
//     >>> 7 | (79) r0 = *(u64 *)(r0 +8)
//
//   Causal path:
//     <one block like At's per event, oldest first, blank-line separated; or a note line>
//
//   Suggestion:
//     <text>
//
// Sections start with an unindented `Title:` line; blank lines also separate events inside a section.
import { ReportLocation, StructuredReport } from './model';

export const REPORT_HEADER = 'Verification failed: ';

const SECTION = /^([A-Z][A-Za-z ]*):$/;
const LOCATION = /^ {2}(?:(.+?) @ )?(\S+?):(\d+):(\d+)$/;
const INSN_ONLY = /^ {2}insn (\d+)$/;
const LANE = /^ {2}(>>> | {4})\s*(\d+) \| ?(.*)$/;
const MARK = /^ {2}\s*\| *\^-- (.*)$/;
const MARK_CONT = /^ {2}\s*\| {4,}(.*)$/;

/** Parses `Verification failed: Category: Title` (null when the line is not one). */
export function parseReportHeader(line: string): { category: string; title: string } | null {
  if (!line.startsWith(REPORT_HEADER)) return null;
  const rest = line.slice(REPORT_HEADER.length).trim();
  const colon = rest.indexOf(': ');
  return colon < 0 ? { category: rest, title: '' } : { category: rest.slice(0, colon), title: rest.slice(colon + 2) };
}

/** The report's sections: title -> blocks (a block is the lines between blank lines). */
function sections(lines: readonly string[]): Map<string, string[][]> {
  const out = new Map<string, string[][]>();
  let blocks: string[][] | undefined;
  for (const line of lines) {
    const s = SECTION.exec(line);
    if (s) {
      blocks = [[]];
      out.set(s[1], blocks);
      continue;
    }
    if (!blocks) continue;
    if (line.trim() === '') {
      if (blocks[blocks.length - 1].length) blocks.push([]);
    } else blocks[blocks.length - 1].push(line);
  }
  for (const b of out.values()) if (b.length && b[b.length - 1].length === 0) b.pop();
  return out;
}

function text(blocks: string[][] | undefined): string | null {
  if (!blocks) return null;
  const t = blocks.flat().map((l) => l.trim()).join(' ').trim();
  return t || null;
}

/** One location block: the header line, the source lane with its `^--` mark, the instruction lane. */
export function parseLocation(block: readonly string[]): ReportLocation | null {
  const loc: ReportLocation = { func: null, file: null, line: null, column: null, insn: null, label: null, message: null, sourceText: null, insnText: null };
  let lane: 'none' | 'source' | 'insn' = 'none';
  let marking = false;
  let found = false;
  for (const line of block) {
    let m: RegExpExecArray | null;
    if (!found && (m = LOCATION.exec(line))) {
      [loc.func, loc.file, loc.line, loc.column] = [m[1] ?? null, m[2], Number(m[3]), Number(m[4])];
      found = true;
    } else if (!found && (m = INSN_ONLY.exec(line))) {
      loc.insn = Number(m[1]);
      found = true;
    } else if (line.trim() === 'Source context:') lane = 'source';
    else if (line.trim() === 'Instruction context:') lane = 'insn';
    else if ((m = MARK.exec(line))) {
      const colon = m[1].indexOf(': ');
      [loc.label, loc.message] = colon < 0 ? [null, m[1]] : [m[1].slice(0, colon), m[1].slice(colon + 2)];
      marking = true;
      continue;
    } else if (marking && (m = MARK_CONT.exec(line))) {
      loc.message = `${loc.message ?? ''} ${m[1].trim()}`.trim();
      continue;
    } else if ((m = LANE.exec(line)) && m[1] === '>>> ') {
      if (lane === 'insn') {
        loc.insn = Number(m[2]);
        loc.insnText = m[3];
      } else loc.sourceText = m[3];
    }
    marking = false;
  }
  return found || loc.label ? loc : null;
}

/** The report from its header line and the lines after it (up to, not including, `processed N insns`). */
export function parseReport(header: string, lines: readonly string[]): StructuredReport {
  const h = parseReportHeader(header) ?? { category: header, title: '' };
  const secs = sections(lines);
  const at = secs.get('At')?.map(parseLocation).find((l) => l) ?? null;
  const causalPath: ReportLocation[] = [];
  const causalNotes: string[] = [];
  for (const block of secs.get('Causal path') ?? []) {
    const loc = parseLocation(block);
    if (loc && (loc.file || loc.insn !== null)) causalPath.push(loc);
    else causalNotes.push(...block.map((l) => l.trim()));
  }
  const other: Record<string, string[]> = {};
  for (const [title, blocks] of secs) if (!['Reason', 'At', 'Causal path', 'Suggestion'].includes(title)) other[title] = blocks.flat();
  return { category: h.category, title: h.title, reason: text(secs.get('Reason')), at, causalPath, causalNotes, suggestion: text(secs.get('Suggestion')), other };
}
