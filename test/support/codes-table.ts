// The README's table of diagnostic codes, rendered from the code table (features/diagnostics/codes.ts).
// Print it with: node --import tsx test/support/codes-table.ts
import { DIAGNOSTIC_CODES, DiagnosticCodeInfo } from '../../server/src/features/diagnostics/codes';

const SEVERITY = ['', 'error', 'warning', 'info', 'hint'];
export const BEGIN = '<!-- diagnostic codes: generated from server/src/features/diagnostics/codes.ts; test/unit/diagnostic-codes.test.ts checks it -->';
export const END = '<!-- end of diagnostic codes -->';

export function codesTable(): string {
  const rows = Object.entries(DIAGNOSTIC_CODES as Record<string, DiagnosticCodeInfo>).map(([code, info]) => {
    const severity = SEVERITY[info.severity] + (info.someKernels ? ` (${SEVERITY[info.someKernels]} when only some kernels)` : '');
    return `| \`${code}\` | ${severity} | ${info.description} | ${info.rationale} |`;
  });
  return [BEGIN, '| code | severity | what | why this severity |', '| --- | --- | --- | --- |', ...rows, END].join('\n');
}

if (require.main === module) process.stdout.write(codesTable() + '\n');
