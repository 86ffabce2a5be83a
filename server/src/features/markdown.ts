// Hover results as markdown, with the range of the word they describe.
import { Hover, MarkupKind, Range } from 'vscode-languageserver-types';

export function markdown(value: string): Hover {
  return { contents: { kind: MarkupKind.Markdown, value } };
}

export function withRange(hover: Hover | null, range: Range): Hover | null {
  return hover ? { ...hover, range } : null;
}
