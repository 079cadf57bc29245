// What the end-to-end tests need besides the host: the built extension.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The .vsix `npm test`'s setup step builds (packages/vscode-extension/dist). */
export function builtVsix(): string {
  const vsix = fileURLToPath(new URL('../../dist/colophon-vscode.vsix', import.meta.url));
  if (!existsSync(vsix)) throw new Error(`${vsix} is missing: run node scripts/setup.mjs (it builds the extension)`);
  return vsix;
}
