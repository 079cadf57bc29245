// Another extension's AI, as the README tells such extensions to report it: insert the text, then
// call Colophon's reportGeneration with the range it landed in.
const vscode = require('vscode');

exports.activate = (context) => {
  context.subscriptions.push(
    vscode.commands.registerTextEditorCommand('colophonE2e.insertAndReport', async (editor) => {
      const colophon = await vscode.extensions.getExtension('colophon.colophon-vscode').activate();
      const text = 'Generated elsewhere.';
      const at = editor.selection.active;
      await editor.edit((edit) => edit.insert(at, text));
      const range = new vscode.Range(at, editor.document.positionAt(editor.document.offsetAt(at) + text.length));
      const result = await colophon.reportGeneration({ uri: editor.document.uri, range, text, model: 'acme/helper-model@2', prompt: 'say where it came from' });
      vscode.window.setStatusBarMessage(`reported: ${result.status} ${result.units}`, 10000);
    }),
  );
};
