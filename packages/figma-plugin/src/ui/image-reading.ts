// The panel's half of placed images (see ../placed-images.ts): reads an image's Content
// Credentials with the official SDK and sums them up with c2pa-bridge's factsFromReport, the
// same facts `colophon ingest` records. The SDK must be loaded (credentials.ts ensureSdk).
import { assetFormat, extractManifestStore, factsFromReport, readCredentials, type AssetFormat } from '@colophon/c2pa-bridge/browser';
import type { UiToMain } from '../protocol.js';

/** The image formats Figma takes that can carry credentials, tried by their first bytes. */
const IMAGE_NAMES = ['image.png', 'image.jpg', 'image.webp'];

function sniff(bytes: Uint8Array): { fileName: string; format: AssetFormat } | undefined {
  for (const fileName of IMAGE_NAMES) {
    try {
      return { fileName, format: assetFormat(fileName, bytes) };
    } catch {
      // not this format
    }
  }
  return undefined;
}

export type ImageReadingMessage = Omit<Extract<UiToMain, { type: 'image-read' }>, 'type' | 'id'>;

export async function readPlacedImage(bytes: Uint8Array): Promise<ImageReadingMessage> {
  const found = sniff(bytes);
  // A GIF (or anything else) cannot carry credentials the SDK reads: it has none.
  if (!found) return { facts: { state: 'none' } };
  try {
    const report = await readCredentials({ fileName: found.fileName, bytes });
    const out: ImageReadingMessage = { facts: factsFromReport(report) as unknown as Record<string, unknown> & { state: string } };
    if (report.state !== 'none') {
      const store = extractManifestStore(bytes, found.format.mime);
      if (store) out.store = store;
      if (report.validationResults) out.validation = new TextEncoder().encode(JSON.stringify(report.validationResults));
    }
    return out;
  } catch (error) {
    return { error: (error as Error).message };
  }
}
