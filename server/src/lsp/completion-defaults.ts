// Completion lists in the shape LSP 3.17 clients accept. Every item of a list usually replaces the same
// range (what was typed since the word or path began), and sent per item that range is most of the bytes:
// task_struct's 248 members made 56 KB. A client that takes `itemDefaults.editRange` (VS Code does) gets
// the range once, and each item only the text when it differs from its label.
import { ClientCapabilities, CompletionItem, CompletionList, Range } from 'vscode-languageserver/node';

export function acceptsDefaultEditRange(capabilities: ClientCapabilities): boolean {
  return !!capabilities.textDocument?.completion?.completionList?.itemDefaults?.includes('editRange');
}

const sameRange = (a: Range, b: Range) =>
  a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;

/** The list with its shared edit range as the default; unchanged when the items' edits differ or some have none. */
export function withDefaultEditRange(list: CompletionList | null): CompletionList | null {
  const first = list?.items[0]?.textEdit;
  if (!list || !first || !('range' in first)) return list;
  const range = first.range;
  if (!list.items.every((i) => i.textEdit && 'range' in i.textEdit && sameRange(i.textEdit.range, range))) return list;
  const items = list.items.map(({ textEdit, ...item }): CompletionItem => (textEdit!.newText === item.label ? item : { ...item, textEditText: textEdit!.newText }));
  return { ...list, itemDefaults: { ...list.itemDefaults, editRange: range }, items };
}
