// Images placed in the design. An image fill's encoded bytes (figma.getImageByHash(hash)
// .getBytesAsync()) may carry Content Credentials; reading them needs the C2PA SDK, which runs in
// the panel (the main thread has no WebAssembly), so the panel reads and the main thread records:
// an `ingest` record of the image (asset `figma-image:<hash>`, its credentials' facts in
// ext["colophon.c2pa"], the manifest store and validation results as blobs), then the layer's
// `fills` as made by whoever the credentials say (core's placedContentSource: AI with the model
// they name, a tool, made elsewhere, or unknown when there are none or they do not verify).
import { placedContentSource, type PlacedContentFacts } from '@colophon/core/attribution';
import type { NodeChange, RecordHandle } from '@colophon/core/capture';
import { C2PA_INGEST_EXT, contentCid, type DagValue } from '@colophon/core/record';
import type { FigmaHost } from './host.js';

/** Private plugin data key: the image hashes already recorded on a layer (JSON list). */
export const IMAGES_KEY = 'colophon.images';
const MAX_IMAGE_BYTES = 32 * 1024 * 1024;

/** What the panel read from an image (c2pa-bridge's factsFromReport, before the blobs have CIDs). */
export interface ImageReading {
  facts?: PlacedContentFacts & Record<string, unknown>;
  store?: Uint8Array;
  validation?: Uint8Array;
  error?: string;
}

export interface PlacedImagesOptions {
  host: Pick<FigmaHost, 'getImageByHash'>;
  /** Asks the panel to read an image's credentials. */
  read(hash: string, bytes: Uint8Array): Promise<ImageReading>;
  /** Queues the ingest record through this feed's one writer. */
  ingest(contribution: { asset: string; out: ReturnType<typeof contentCid>; in?: ReturnType<typeof contentCid>[]; ext: { [key: string]: DagValue } }, blobs: Uint8Array[]): RecordHandle;
  /** Records a layer change in its asset's session. */
  change(asset: string, change: NodeChange): void;
}

function imageHashes(node: SceneNode): string[] {
  const fills = (node as Partial<MinimalFillsMixin>).fills;
  if (!Array.isArray(fills)) return [];
  return fills.filter((p): p is ImagePaint => p.type === 'IMAGE' && typeof (p as ImagePaint).imageHash === 'string').map((p) => p.imageHash!);
}

function recordedOn(node: SceneNode): string[] {
  try {
    const list = JSON.parse(node.getPluginData(IMAGES_KEY) || '[]') as unknown;
    return Array.isArray(list) ? list.filter((h): h is string => typeof h === 'string') : [];
  } catch {
    return [];
  }
}

export class PlacedImages {
  private readonly pending = new Set<Promise<void>>();
  readonly problems: string[] = [];

  constructor(private readonly options: PlacedImagesOptions) {}

  /** Looks at a layer's fills: each image not yet recorded on it is read and recorded (in the background; see settled). */
  check(node: SceneNode, asset: string): void {
    const hashes = imageHashes(node);
    if (hashes.length === 0) return;
    const known = recordedOn(node);
    const fresh = hashes.filter((hash) => !known.includes(hash));
    if (fresh.length === 0) return;
    // Claimed now, so a second change event before the reading ends does not record it twice.
    node.setPluginData(IMAGES_KEY, JSON.stringify([...known, ...fresh]));
    for (const hash of fresh) {
      const work = this.record(node.id, asset, hash).catch((error: Error) => {
        this.problems.push(`image ${hash} on ${node.id}: ${error.message}`);
      });
      this.pending.add(work);
      void work.then(() => this.pending.delete(work));
    }
  }

  /** Resolves when every image being read has been recorded (flush waits for it). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async record(nodeId: string, asset: string, hash: string): Promise<void> {
    const image = this.options.host.getImageByHash(hash);
    const bytes = image ? await image.getBytesAsync() : undefined;
    let reading: ImageReading = {};
    if (bytes && bytes.length <= MAX_IMAGE_BYTES) reading = await this.options.read(hash, bytes);
    else reading.error = bytes ? `${bytes.length} bytes is more than ${MAX_IMAGE_BYTES}; its credentials were not read` : 'Figma has no bytes for it';
    const facts = reading.error ? undefined : reading.facts;
    const source = placedContentSource(facts);
    const links: RecordHandle[] = [];
    if (bytes && facts) {
      const ext: { [key: string]: DagValue } = { ...(facts as { [key: string]: DagValue }) };
      const blobs: Uint8Array[] = [];
      const inputs = [];
      if (reading.store) {
        const manifest = contentCid(reading.store);
        ext.manifest = manifest;
        inputs.push(manifest);
        blobs.push(reading.store);
      }
      if (reading.validation) {
        ext.validation = contentCid(reading.validation);
        blobs.push(reading.validation);
      }
      links.push(this.options.ingest({ asset: `figma-image:${hash}`, out: contentCid(bytes), ...(inputs.length > 0 && { in: inputs }), ext: { [C2PA_INGEST_EXT]: ext } }, blobs));
    }
    if (reading.error) this.problems.push(`image ${hash} on ${nodeId}: ${reading.error}`);
    const change: NodeChange = { class: source.class, evidence: 'reported', nodes: { [nodeId]: ['fills'] } };
    if (source.agent) change.agent = source.agent;
    if (links.length > 0) change.links = links;
    this.options.change(asset, change);
  }
}
