// Who formats a document: the formatter Format Document and format-on-save run (named by the
// `editor.defaultFormatter` VS Code uses for the document, with that extension's version), or,
// during a save without one, VS Code's own save participants (trim trailing whitespace, final newline).
import * as vscode from 'vscode';

export type ToolAgent = { type: 'tool'; name: string; version: string };

/** Who edits a document while it is saved. */
export function formatterOf(document: vscode.TextDocument): ToolAgent {
  const editor = vscode.workspace.getConfiguration('editor', document);
  if (editor.get<boolean>('formatOnSave') && editor.get<string>('defaultFormatter')) return documentFormatter(document);
  return { type: 'tool', name: 'vscode.save-participants', version: vscode.version };
}

/**
 * The formatter Format Document and format-on-save run: the `editor.defaultFormatter` extension,
 * or, when none is set, VS Code's choice among the installed ones, which no API names.
 */
export function documentFormatter(document: vscode.TextDocument): ToolAgent {
  const id = vscode.workspace.getConfiguration('editor', document).get<string>('defaultFormatter');
  if (!id) return { type: 'tool', name: 'vscode.format-document', version: vscode.version };
  const version = (vscode.extensions.getExtension(id)?.packageJSON as { version?: unknown } | undefined)?.version;
  return { type: 'tool', name: id, version: typeof version === 'string' ? version : vscode.version };
}
