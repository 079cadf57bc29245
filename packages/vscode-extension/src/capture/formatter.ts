// Who edits a document while it is saved: the formatter format-on-save runs (named by the
// `editor.defaultFormatter` VS Code uses for the document, with that extension's version), or
// VS Code's own save participants (trim trailing whitespace, final newline) when none is set.
import * as vscode from 'vscode';

export type ToolAgent = { type: 'tool'; name: string; version: string };

export function formatterOf(document: vscode.TextDocument): ToolAgent {
  const editor = vscode.workspace.getConfiguration('editor', document);
  const id = editor.get<string>('defaultFormatter');
  if (editor.get<boolean>('formatOnSave') && id) {
    const version = (vscode.extensions.getExtension(id)?.packageJSON as { version?: unknown } | undefined)?.version;
    return { type: 'tool', name: id, version: typeof version === 'string' ? version : vscode.version };
  }
  return { type: 'tool', name: 'vscode.save-participants', version: vscode.version };
}
