// Which documents are recorded: the settings' globs (relative to the workspace folder) and
// languages, matched by VS Code's own selector logic.
import * as vscode from 'vscode';

function patterns(folder: vscode.WorkspaceFolder, globs: readonly string[], languages: readonly string[]): vscode.DocumentFilter[] {
  const filters: vscode.DocumentFilter[] = [];
  for (const glob of globs) {
    const pattern = new vscode.RelativePattern(folder, glob);
    if (languages.length === 0) filters.push({ scheme: 'file', pattern });
    else for (const language of languages) filters.push({ scheme: 'file', pattern, language });
  }
  return filters;
}

export function isRecorded(document: vscode.TextDocument, folder: vscode.WorkspaceFolder): boolean {
  const settings = vscode.workspace.getConfiguration('colophon.files', document);
  const include = settings.get<string[]>('include', ['**/*']);
  const exclude = settings.get<string[]>('exclude', []);
  const languages = settings.get<string[]>('languages', []);
  if (vscode.languages.match(patterns(folder, include, languages), document) === 0) return false;
  return exclude.length === 0 || vscode.languages.match(patterns(folder, exclude, []), document) === 0;
}
