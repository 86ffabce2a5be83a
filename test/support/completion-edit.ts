// What accepting a completion item replaces, as LSP 3.17 has an editor do it: the item's own edit, else
// the list's default range (itemDefaults.editRange) with the item's textEditText or its label.
import { CompletionItem, CompletionList, TextEdit } from 'vscode-languageserver-types';

export function completionEdit(list: CompletionList, item: CompletionItem): TextEdit | undefined {
  if (item.textEdit) return 'range' in item.textEdit ? item.textEdit : undefined;
  const range = list.itemDefaults?.editRange;
  return range && 'start' in range ? { range, newText: item.textEditText ?? item.label } : undefined;
}
