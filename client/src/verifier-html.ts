// The verifier explorer's HTML, a pure function of the verdicts (no vscode import, unit-tested with
// hostile logs): per program, the rejected path as source lines with their instructions folded under
// them, the per-line statistics as a heat column, the causal chain highlighted, the state after the
// selected step (j/k or the arrow keys step), the error lines with the informative one highlighted;
// accepted programs show their statistics. Everything from the log goes through escapeHtml; strict CSP.
import { escapeHtml as esc, scriptJson } from './html';
import { causalChain } from '../../server/src/verifier/causal';
import { VerifierLog } from '../../server/src/verifier/model';
import { parseVerifierLog } from '../../server/src/verifier/parse';
import { rejectedPath } from '../../server/src/verifier/path';
import { stateAfter } from '../../server/src/verifier/state';
import { lineStats } from '../../server/src/verifier/stats';
import type { ProgramVerdict } from '../../server/src/host/verify';

/** What the view reads of a verdict (a log opened from anywhere has no section or mode). */
export type ViewVerdict = Pick<ProgramVerdict, 'name' | 'section' | 'accepted' | 'processedInsns' | 'truncated' | 'error' | 'log'> & Partial<Pick<ProgramVerdict, 'causalChain'>>;

const MAX_STEPS = 3000;

interface Step { step: number; insn: number; text: string; state: string; chain: boolean; error: boolean }
interface Group { file: string | null; line: number | null; text: string; visits: number; heat: number; chain: boolean; steps: Step[] }

/** The rejected path grouped by source line (consecutive steps of one line form a group). */
export function pathGroups(log: VerifierLog): { groups: Group[]; cut: number } {
  const full = rejectedPath(log);
  const path = full.slice(-MAX_STEPS);
  const chainSteps = new Set(causalChain(log).map((c) => c.step).filter((s): s is number => s !== null));
  const visits = new Map<string, number>();
  for (const s of lineStats(log)) visits.set(`${s.file}:${s.line}`, s.visits);
  const max = Math.max(1, ...visits.values());
  const groups: Group[] = [];
  let last = -2;
  for (const s of path) {
    const srcIndex = log.steps.source[s];
    const src = log.sources[srcIndex];
    if (srcIndex !== last || !groups.length) {
      const v = src ? visits.get(`${src.file}:${src.line}`) ?? 0 : 0;
      groups.push({ file: src?.file ?? null, line: src?.line ?? null, text: src?.text ?? '(no source line)', visits: v, heat: Math.round((v / max) * 9), chain: false, steps: [] });
      last = srcIndex;
    }
    const insn = log.steps.insn[s];
    const state = [...(stateAfter(log, s) ?? new Map<string, string>())].map(([k, val]) => `${k}=${val}`).join('\n');
    const step = { step: s, insn, text: log.insns.get(insn)?.text ?? '', state, chain: chainSteps.has(s), error: log.error?.step === s };
    const g = groups[groups.length - 1];
    g.steps.push(step);
    g.chain ||= step.chain || step.error;
  }
  return { groups, cut: full.length - path.length };
}

function errorHead(v: ViewVerdict): string {
  const e = v.error;
  if (!e) return '';
  const lines = (e.lines.length ? e.lines : [e.message])
    .map((l) => `<div class="eline${l === (e.informative ?? e.message) ? ' informative' : ''}">${esc(l)}</div>`).join('');
  const where = e.file || e.line ? ` at ${esc((e.file ?? '').replace(/^.*\//, ''))}:${esc(e.line ?? '?')}` : '';
  return `<p class="bad">Rejected${where}</p><div class="errors">${lines}</div>`
    + (e.explanation ? `<p class="why">${esc(e.explanation)}</p>` : '')
    + (e.reason ? `<p class="why"><b>Reason:</b> ${esc(e.reason)}</p>` : '')
    + (e.suggestion ? `<p class="why"><b>Suggestion:</b> ${esc(e.suggestion)}</p>` : '');
}

function statsBlock(log: VerifierLog, v: ViewVerdict): string {
  const st = log.stats;
  const cells = [
    ['instructions processed', v.processedInsns ?? st.processedInsns],
    ['total states', st.totalStates], ['peak states', st.peakStates], ['max states per insn', st.maxStatesPerInsn],
    ['stack depth per subprogram', st.stackDepth.length ? st.stackDepth.join(' + ') : null],
    ['verification time (µs)', st.verificationTimeUsec],
  ].filter(([, x]) => x !== null && x !== undefined);
  const stats = lineStats(log).filter((s) => s.visits > 0).sort((a, b) => b.visits - a.visits).slice(0, 20);
  const max = Math.max(1, ...stats.map((s) => s.visits));
  const hot = stats.map((s) => `<tr class="row" data-file="${esc(s.file ?? '')}" data-line="${esc(s.line ?? 0)}"><td class="heat h${Math.round((s.visits / max) * 9)}">${esc(s.visits)}</td><td class="loc">${esc((s.file ?? '').replace(/^.*\//, ''))}:${esc(s.line ?? '?')}</td><td class="code">${esc(s.text)}</td></tr>`).join('');
  return `<table class="stats">${cells.map(([k, x]) => `<tr><th>${esc(k)}</th><td>${esc(x)}</td></tr>`).join('')}</table>`
    + (hot ? `<h4>Instruction visits per source line</h4><table class="hot">${hot}</table>` : '');
}

function pathBlock(log: VerifierLog): string {
  const { groups, cut } = pathGroups(log);
  if (!groups.length) return '<p>The log shows no instructions on the rejected path.</p>';
  const rows = groups.map((g) => {
    const insns = g.steps.map((s) => `<div class="step${s.chain ? ' chain' : ''}${s.error ? ' error' : ''}" tabindex="-1" data-step="${esc(s.step)}" data-state="${esc(s.state)}">${esc(s.insn)}: ${esc(s.text)}</div>`).join('');
    const loc = g.line !== null ? `${esc((g.file ?? '').replace(/^.*\//, ''))}:${esc(g.line)}` : '';
    return `<div class="group${g.chain ? ' chain' : ''}"><div class="row src" data-file="${esc(g.file ?? '')}" data-line="${esc(g.line ?? 0)}"><span class="heat h${g.heat}" title="${esc(g.visits)} visits">${esc(g.visits)}</span><span class="loc">${loc}</span><span class="code">${esc(g.text)}</span></div><details${g.chain ? ' open' : ''}><summary>${g.steps.length} instruction(s)</summary>${insns}</details></div>`;
  }).join('');
  return (cut ? `<p class="note">The first ${cut} steps of the path are not shown.</p>` : '') + `<div class="path">${rows}</div>`;
}

function programBody(v: ViewVerdict, i: number): string {
  const log = parseVerifierLog(v.log);
  const head = v.accepted
    ? `<p class="ok">Accepted: ${esc(v.processedInsns ?? log.stats.processedInsns ?? '?')} instructions processed${v.section ? ` (section <code>${esc(v.section)}</code>)` : ''}.</p>${statsBlock(log, v)}`
    : `${errorHead(v)}${v.truncated ? '<p class="note">The log was cut.</p>' : ''}<div class="split">${pathBlock(log)}<aside class="state"><h4>State after the selected step</h4><pre class="statebox">Select a step (j/k or ↑/↓).</pre></aside></div><details><summary>Statistics</summary>${statsBlock(log, v)}</details>`;
  return `<section class="prog" data-i="${i}"${i === 0 ? '' : ' hidden'}>${head}</section>`;
}

const STYLE = `body{font-family:var(--vscode-font-family);color:var(--vscode-foreground)}
.tab{margin:0 4px 8px 0;padding:4px 10px;border:1px solid var(--vscode-panel-border);background:none;color:inherit;cursor:pointer}
.tab.on{background:var(--vscode-list-activeSelectionBackground)}
.split{display:flex;gap:12px;align-items:flex-start}.path{flex:3;min-width:0}.state{flex:1;position:sticky;top:0}
.row,.step,.code,.eline,pre{white-space:pre-wrap;overflow-wrap:anywhere;font-family:var(--vscode-editor-font-family);font-size:var(--vscode-editor-font-size)}
.row{cursor:pointer;display:flex;gap:8px}.loc{color:var(--vscode-textLink-foreground);min-width:9em}
.step{padding-left:3em;cursor:pointer}.step.sel{outline:1px solid var(--vscode-focusBorder);background:var(--vscode-list-activeSelectionBackground)}
.chain>.row,.step.chain{background:var(--vscode-editor-findMatchHighlightBackground)}
.step.error,.eline.informative{background:var(--vscode-inputValidation-errorBackground);font-weight:bold}
.heat{display:inline-block;min-width:3em;text-align:right;padding-right:4px}
.h0{opacity:.5}.h1,.h2{background:rgba(255,160,0,.1)}.h3,.h4{background:rgba(255,140,0,.25)}.h5,.h6{background:rgba(255,90,0,.4)}.h7,.h8,.h9{background:rgba(255,40,0,.6)}
.ok{color:var(--vscode-testing-iconPassed)}.bad{color:var(--vscode-errorForeground)}.why{font-style:italic}.note{opacity:.7}
table{border-collapse:collapse}th,td{text-align:left;padding:1px 8px}`;

const SCRIPT = `const vscode = acquireVsCodeApi();
let sel = null;
const box = () => { const p = document.querySelector('.prog:not([hidden])'); return p && p.querySelector('.statebox'); };
function select(el) {
  if (sel) sel.classList.remove('sel');
  sel = el; el.classList.add('sel');
  const d = el.closest('details'); if (d) d.open = true;
  const b = box(); if (b) b.textContent = el.dataset.state || '(no state printed at this step)';
  el.scrollIntoView({ block: 'nearest' });
}
document.querySelectorAll('.tab').forEach(t => t.addEventListener('click', () => {
  document.querySelectorAll('.tab').forEach(x => x.classList.toggle('on', x === t));
  document.querySelectorAll('.prog').forEach(s => s.hidden = s.dataset.i !== t.dataset.i);
}));
document.querySelectorAll('.step').forEach(s => s.addEventListener('click', () => select(s)));
document.querySelectorAll('.row').forEach(r => r.addEventListener('click', () => {
  const first = r.parentElement.querySelector('.step'); if (first) select(first);
  if (r.dataset.file || Number(r.dataset.line)) vscode.postMessage({ file: r.dataset.file, line: Number(r.dataset.line) });
}));
document.addEventListener('keydown', (e) => {
  const dir = e.key === 'j' || e.key === 'ArrowDown' ? 1 : e.key === 'k' || e.key === 'ArrowUp' ? -1 : 0;
  if (!dir) return;
  const p = document.querySelector('.prog:not([hidden])'); if (!p) return;
  const steps = [...p.querySelectorAll('.step')]; if (!steps.length) return;
  e.preventDefault();
  const i = sel ? steps.indexOf(sel) : (dir > 0 ? -1 : steps.length);
  select(steps[Math.max(0, Math.min(steps.length - 1, i + dir))]);
});`;

/** The whole page. `cspSource` is the webview's own source (styles may come only from it or carry the nonce). */
export function renderVerifierHtml(title: string, verdicts: ViewVerdict[], nonce: string, cspSource = '', state: unknown = { object: title }): string {
  const tabs = verdicts.map((v, i) => `<button class="tab${i === 0 ? ' on' : ''}" data-i="${i}">${v.accepted ? '✔' : '✘'} ${esc(v.name)}</button>`).join('');
  const bodies = verdicts.map(programBody).join('');
  const n = esc(nonce);
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${esc(cspSource)} 'nonce-${n}'; script-src 'nonce-${n}';">
<title>Verifier explorer</title>
<style nonce="${n}">${STYLE}</style></head><body>
<h3>Verifier: ${esc(title)}</h3><div>${tabs}</div>${bodies || '<p>This log is no longer kept: run <b>eBPF: Load and Verify</b> again.</p>'}
<script nonce="${n}">
${SCRIPT}
vscode.setState(${scriptJson(state)});
</script></body></html>`;
}
