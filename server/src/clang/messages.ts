// clang's `file:line:col: error: message` lines as diagnostics data (1-based, as clang prints them).

export interface CompilerDiagnostic {
  file: string;
  line: number;
  column: number;
  severity: 'error' | 'warning' | 'note';
  message: string;
  /** `-Wunused-variable` and the like, when clang names the flag. */
  flag?: string;
}

export function parseClangDiagnostics(stderr: string): CompilerDiagnostic[] {
  const out: CompilerDiagnostic[] = [];
  for (const m of stderr.matchAll(/^(.+?):(\d+):(\d+): (fatal error|error|warning|note): (.*?)(?: \[(-W[^\]]+)\])?$/gm)) {
    out.push({
      file: m[1], line: Number(m[2]), column: Number(m[3]),
      severity: m[4] === 'fatal error' ? 'error' : (m[4] as CompilerDiagnostic['severity']),
      message: m[5], flag: m[6],
    });
  }
  return out;
}
