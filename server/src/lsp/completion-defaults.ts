// Completion lists in the shape each client accepts. The language service gives a list whose items share
// one range as LSP 3.17 has it: the range once (itemDefaults.editRange), and an item's own text
// (textEditText) only where it is not its label. Sent per item that range is most of the bytes
// (task_struct's 248 members made 56 KB), so a client that takes the default (VS Code does) gets it as
// is; another gets the range in every item's textEdit, which is what the default means.
import { ClientCapabilities, CompletionItem, CompletionList, Range, TextEdit } from 'vscode-languageserver/node';

export function acceptsDefaultEditRange(capabilities: ClientCapabilities): boolean {
  return !!capabilities.textDocument?.completion?.completionList?.itemDefaults?.includes('editRange');
}

/** The list with its default edit range spelled out in each item that has no edit of its own. */
export function withEditsPerItem(list: CompletionList | null): CompletionList | null {
  const range = list?.itemDefaults?.editRange;
  if (!list || !range) return list;
  const items = list.items.map(({ textEditText, ...item }): CompletionItem => (item.textEdit ? item : { ...item, textEdit: TextEdit.replace(range as Range, textEditText ?? item.label) }));
  return withEditRange(list, items, undefined);
}

/** `list` with `items` instead of its own, and `editRange` as its default range (none when undefined); its other defaults kept. */
export function withEditRange(list: CompletionList, items: CompletionItem[], editRange: Range | undefined): CompletionList {
  const { editRange: _, ...defaults } = list.itemDefaults ?? {};
  const itemDefaults = editRange ? { ...defaults, editRange } : defaults;
  return { isIncomplete: list.isIncomplete, ...(Object.keys(itemDefaults).length ? { itemDefaults } : {}), items };
}
