// @bufbuild/cel creates a TextEncoder and a TextDecoder when its modules are evaluated (std/cast.js,
// builder.js). Figma's QuickJS sandbox has neither, and core's main entry must not add globals. So
// cel-runtime.ts imports, in this order: text-codec-install (puts these minimal classes on
// globalThis only where they are missing), @bufbuild/cel, then text-codec-remove (takes back only
// what was put). ES modules evaluate their imports in order, so cel captures these instances while
// they exist and the sandbox ends up exactly as it was. Where the platform has its own codecs
// (Node, browsers), nothing is touched.
import { utf8Decode, utf8Encode } from '../text/utf8.js';

class ShimTextEncoder {
  readonly encoding = 'utf-8';
  encode(text = ''): Uint8Array {
    return utf8Encode(String(text));
  }
}

class ShimTextDecoder {
  readonly encoding = 'utf-8';
  // core's decoder is always strict, which is what cel asks for ({fatal: true}).
  decode(bytes?: Uint8Array): string {
    return bytes === undefined ? '' : utf8Decode(bytes);
  }
}

interface CodecGlobals {
  TextEncoder?: unknown;
  TextDecoder?: unknown;
}

const installed: (keyof CodecGlobals)[] = [];

export function installTextCodecs(): void {
  const g = globalThis as CodecGlobals;
  if (g.TextEncoder === undefined) {
    g.TextEncoder = ShimTextEncoder;
    installed.push('TextEncoder');
  }
  if (g.TextDecoder === undefined) {
    g.TextDecoder = ShimTextDecoder;
    installed.push('TextDecoder');
  }
}

export function removeTextCodecs(): void {
  const g = globalThis as CodecGlobals;
  for (const name of installed.splice(0)) delete g[name];
}
