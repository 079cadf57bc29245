/**
 * Signs a manifest plan over an asset's bytes with the C2PA SDK (platform-neutral: Node and the
 * browser entry share it). The key may live elsewhere (the Figma panel asks the main thread), so
 * it signs asynchronously; the SDK re-reads the result (verify-after-sign) before returning it.
 */
import { coseSigner, type ClaimKey } from './cose-signer.js';
import type { AssetFormat } from './formats.js';
import type { ManifestPlan } from './manifest.js';
import { BytesBlob, initSdk, sdkContext, sdkError, WasmBuilder } from './sdk.js';

/** Signs `plan` over `bytes` with the SDK; returns the signed file, or the sidecar for text. */
export async function signManifest(plan: ManifestPlan, format: AssetFormat, bytes: Uint8Array, identity: ClaimKey, chain: readonly Uint8Array[], fileName: string): Promise<{ asset: Uint8Array; sidecar?: Uint8Array }> {
  initSdk();
  const signer = coseSigner(identity, chain);
  let builder: WasmBuilder | undefined;
  try {
    builder = WasmBuilder.fromJson(JSON.stringify(plan.definition), sdkContext({ verifyAfterSign: true }));
    for (const [id, resource] of plan.resources) builder.addResourceFromBlob(id, new BytesBlob(resource));
    if (format.carriage === 'embedded') {
      return { asset: await builder.sign(signer, [], format.mime, new BytesBlob(bytes, format.mime)) };
    }
    builder.setNoEmbed(true);
    const result = (await builder.signAndGetManifestBytes(signer, [], format.mime, new BytesBlob(bytes, format.mime))) as { manifest: Uint8Array };
    return { asset: bytes, sidecar: result.manifest };
  } catch (thrown) {
    throw sdkError(thrown, `signing ${fileName}`);
  } finally {
    builder?.free();
  }
}

