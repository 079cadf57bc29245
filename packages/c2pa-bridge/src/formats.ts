/**
 * Which files Colophon can carry Content Credentials for, and how: embedded in the file (PNG, JPEG,
 * WebP, SVG, PDF) or in a sidecar `.c2pa` manifest beside it (Markdown, plain text). The name picks
 * the format and the first bytes must agree, so a corrupt or misnamed file is refused up front
 * with a message that says so, not deep inside the SDK.
 */

export type Carriage = 'embedded' | 'sidecar';

export interface AssetFormat {
  /** MIME type as the C2PA SDK names it. */
  mime: string;
  /** A short human name: "PNG image", "Markdown text". */
  label: string;
  carriage: Carriage;
}

const FORMATS: Record<string, AssetFormat> = {
  '.png': { mime: 'image/png', label: 'PNG image', carriage: 'embedded' },
  '.jpg': { mime: 'image/jpeg', label: 'JPEG image', carriage: 'embedded' },
  '.jpeg': { mime: 'image/jpeg', label: 'JPEG image', carriage: 'embedded' },
  '.webp': { mime: 'image/webp', label: 'WebP image', carriage: 'embedded' },
  '.svg': { mime: 'image/svg+xml', label: 'SVG image', carriage: 'embedded' },
  '.pdf': { mime: 'application/pdf', label: 'PDF document', carriage: 'embedded' },
  '.md': { mime: 'text/markdown', label: 'Markdown text', carriage: 'sidecar' },
  '.markdown': { mime: 'text/markdown', label: 'Markdown text', carriage: 'sidecar' },
  '.txt': { mime: 'text/plain', label: 'plain text', carriage: 'sidecar' },
};

export const SIDECAR_EXTENSION = '.c2pa';
export const MANIFEST_STORE_MIME = 'application/c2pa';

export const SUPPORTED_EXTENSIONS = Object.keys(FORMATS);

/**
 * The largest file the C2PA SDK signs whole (WebP, SVG, PDF; text; a PNG or JPEG that already
 * carries credentials). The SDK (WebAssembly) takes the whole file into its memory and hands back a
 * whole signed copy, several times the file's size; this bound keeps that within an ordinary
 * machine's memory.
 */
export const MAX_EXPORT_BYTES = 64 * 1024 * 1024;

/**
 * The largest PNG or JPEG exported by splice (see splice.ts): the file is hashed and copied in
 * pieces, never held whole, so the bound is only what a file and its offsets sensibly reach.
 * bench/workspace.mjs measures the peak memory of both paths.
 */
export const MAX_SPLICED_EXPORT_BYTES = 2 * 1024 * 1024 * 1024;

/** Refuses a file above the limit of the way it is signed, before anything reads it whole. */
export function checkExportSize(fileName: string, size: number, how: 'whole' | 'spliced'): void {
  const limit = how === 'whole' ? MAX_EXPORT_BYTES : MAX_SPLICED_EXPORT_BYTES;
  if (size <= limit) return;
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  throw new FormatError(
    how === 'whole'
      ? `${fileName} is ${mib(size)}; Content Credentials export signs this file whole (the C2PA SDK holds it in memory) and handles up to ${mib(limit)}; PNG and JPEG files without credentials go up to ${mib(MAX_SPLICED_EXPORT_BYTES)}`
      : `${fileName} is ${mib(size)}; Content Credentials export handles files up to ${mib(limit)}`,
  );
}

/** A file Colophon cannot handle: unsupported type, or bytes that are not what the name says. */
export class FormatError extends Error {
  override name = 'FormatError';
}

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  return prefix.every((b, i) => bytes[at + i] === b);
}

const ascii = (text: string) => Array.from(text, (c) => c.charCodeAt(0));

function looksLikeSvg(bytes: Uint8Array): boolean {
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 4096));
  // Past an optional BOM, XML declaration, comments and doctype, the root element must be <svg.
  const rest = head.replace(/^\uFEFF/, '').replace(/^\s*(<\?xml[\s\S]*?\?>\s*|<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*/i, '');
  return /^<svg[\s>]/i.test(rest) || /^<[a-z0-9_-]+:svg[\s>]/i.test(rest);
}

function isUtf8Text(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  return !bytes.includes(0);
}

/** The bytes agree with the format (magic numbers; UTF-8 for text). */
function contentMatches(format: AssetFormat, bytes: Uint8Array): boolean {
  switch (format.mime) {
    case 'image/png':
      return startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    case 'image/jpeg':
      return startsWith(bytes, [0xff, 0xd8, 0xff]);
    case 'image/webp':
      return startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8);
    case 'image/svg+xml':
      return looksLikeSvg(bytes);
    case 'application/pdf':
      return startsWith(bytes, ascii('%PDF-'));
    default:
      return isUtf8Text(bytes);
  }
}

/** The extension of a path's last segment, lower case, with its dot ("" when there is none), as node:path's extname. */
function extensionOf(path: string): string {
  const name = fileNameOf(path);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

/** The last segment of a path, with either separator. */
export function fileNameOf(path: string): string {
  return path.split(/[\\/]/).pop()!;
}

/** The format of `fileName` (any path), checked against its bytes; throws FormatError naming the file. */
export function assetFormat(fileName: string, bytes: Uint8Array): AssetFormat {
  const extension = extensionOf(fileName);
  const format = FORMATS[extension];
  if (!format) {
    const what = extension ? `"${extension}" files` : 'files without an extension';
    throw new FormatError(`${fileName}: ${what} are not supported; Content Credentials work with ${SUPPORTED_EXTENSIONS.join(', ')}`);
  }
  if (bytes.length === 0) throw new FormatError(`${fileName} is empty`);
  if (!contentMatches(format, bytes)) {
    const said = format.carriage === 'sidecar' ? 'UTF-8 text' : `a ${format.label}`;
    throw new FormatError(`${fileName} is not ${said}: its content does not match its name (corrupt or misnamed file)`);
  }
  return format;
}

/** Where the sidecar manifest of a text file goes by default: `chapter.md` -> `chapter.md.c2pa`. */
export function sidecarPathFor(path: string): string {
  return `${path}${SIDECAR_EXTENSION}`;
}
