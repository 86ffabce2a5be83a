// The lines of a file's #if branches that are inactive in this build, for the editor to fade (as clangd's
// inactive regions): whole lines, from the line after the branch's directive to the line before the next
// #elif/#else/#endif, so the directives themselves stay readable.
import { Range } from 'vscode-languageserver-types';
import { ParsedFile } from './service-context';

export function inactiveRegions(file: ParsedFile): Range[] {
  const { doc, model } = file;
  const out: Range[] = [];
  for (const span of model.inactive) {
    const first = doc.positionAt(span.start).line + 1;
    const end = doc.positionAt(span.end);
    // A branch ends where the next directive starts; when that is not at a line start (no #endif: the file ended), its line counts too.
    const last = end.character === 0 || /^\s*#/.test(lineText(file, end.line)) ? end.line - 1 : end.line;
    if (last < first) continue;
    out.push({ start: { line: first, character: 0 }, end: { line: last, character: lineText(file, last).length } });
  }
  return out;
}

function lineText(file: ParsedFile, line: number): string {
  const { doc } = file;
  const start = doc.offsetAt({ line, character: 0 });
  const end = line + 1 < doc.lineCount ? doc.offsetAt({ line: line + 1, character: 0 }) : doc.getText().length;
  return doc.getText().slice(start, end).replace(/\r?\n$/, '');
}
