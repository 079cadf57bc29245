/**
 * Finds the C2PA manifest store (a JUMBF superbox labelled "c2pa") inside a file, so ingest can
 * keep the credentials exactly as they were found. The SDK reads stores but does not hand their
 * bytes out. JPEG splits the store over APP11 segments and SVG holds it as base64; elsewhere
 * (PNG caBX, WebP C2PA chunk, PDF, a .c2pa sidecar) it is one contiguous run of bytes.
 */

import { base64Decode } from '@colophon/core';
import { u32 } from './bytes.js';

const JUMB = [0x6a, 0x75, 0x6d, 0x62]; // "jumb"
const JUMD = [0x6a, 0x75, 0x6d, 0x64]; // "jumd"
const C2PA = [0x63, 0x32, 0x70, 0x61]; // "c2pa": first bytes of the store's UUID, and its label

function at(bytes: Uint8Array, offset: number, pattern: readonly number[]): boolean {
  return pattern.every((b, i) => bytes[offset + i] === b);
}


/** A c2pa manifest store superbox starting at `start`: LBox, "jumb", then a "jumd" labelled c2pa. */
function isStoreAt(bytes: Uint8Array, start: number): boolean {
  return at(bytes, start + 4, JUMB) && at(bytes, start + 12, JUMD) && at(bytes, start + 16, C2PA) && at(bytes, start + 33, [...C2PA, 0]);
}

function storeAt(bytes: Uint8Array, start: number): Uint8Array | undefined {
  const length = u32(bytes, start);
  if (length < 40 || start + length > bytes.length) return undefined;
  return bytes.slice(start, start + length);
}

/** Scans for a contiguous store (the first one found). */
function contiguousStore(bytes: Uint8Array): Uint8Array | undefined {
  for (let i = bytes.indexOf(0x6a, 4); i >= 4 && i + 37 <= bytes.length; i = bytes.indexOf(0x6a, i + 1)) {
    if (isStoreAt(bytes, i - 4)) {
      const store = storeAt(bytes, i - 4);
      if (store) return store;
    }
  }
  return undefined;
}

/**
 * JPEG: APP11 segments "JP" + box instance (2 bytes) + sequence (4 bytes) + data. Every segment
 * after the first repeats the superbox's 8-byte LBox/TBox header, which is dropped when joining.
 */
function jpegStore(bytes: Uint8Array): Uint8Array | undefined {
  const parts = new Map<number, { seq: number; data: Uint8Array }[]>();
  let i = 2;
  while (i + 4 <= bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1]!;
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) break; // image data follows; metadata is before it
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    if (marker === 0xeb && length >= 10 && bytes[i + 4] === 0x4a && bytes[i + 5] === 0x50) {
      const instance = (bytes[i + 6]! << 8) | bytes[i + 7]!;
      const list = parts.get(instance) ?? [];
      list.push({ seq: u32(bytes, i + 8), data: bytes.subarray(i + 12, i + 2 + length) });
      parts.set(instance, list);
    }
    i += 2 + length;
  }
  for (const list of parts.values()) {
    list.sort((a, b) => a.seq - b.seq);
    const chunks = list.map((part, k) => (k === 0 ? part.data : part.data.subarray(8)));
    const joined = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const chunk of chunks) {
      joined.set(chunk, offset);
      offset += chunk.length;
    }
    if (isStoreAt(joined, 0)) return storeAt(joined, 0);
  }
  return undefined;
}

/** SVG: the store is base64 text inside a <c2pa:manifest> element. */
function svgStore(bytes: Uint8Array): Uint8Array | undefined {
  const text = new TextDecoder().decode(bytes);
  const match = /<([a-zA-Z0-9_-]+:)?manifest[^>]*>([A-Za-z0-9+/=\s]+)<\/([a-zA-Z0-9_-]+:)?manifest>/.exec(text);
  if (!match) return undefined;
  const decoded = base64Decode(match[2]!.replace(/\s+/g, ''));
  return isStoreAt(decoded, 0) ? storeAt(decoded, 0) : undefined;
}

/** The manifest store bytes in a file of the given MIME type, or undefined when none is found. */
export function extractManifestStore(bytes: Uint8Array, mime: string): Uint8Array | undefined {
  if (mime === 'image/jpeg') return jpegStore(bytes);
  if (mime === 'image/svg+xml') return svgStore(bytes) ?? contiguousStore(bytes);
  return contiguousStore(bytes);
}
