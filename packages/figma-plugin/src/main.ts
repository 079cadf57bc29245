// Figma loads this file (dist/code.js, see manifest.json) into its QuickJS sandbox. It only wires
// the controllers to the `figma` global; everything else takes the host as a parameter.
import { startPlugin } from './plugin.js';

startPlugin(figma, { html: __html__ }).catch((error: Error) => {
  figma.closePlugin(`Colophon could not start: ${error.message}`);
});
