// Payout adapter: an HTTP POST of the settlement, signed by the identity that settled it.
import { Buffer } from 'node:buffer';
import type { AttemptOutcome, PayoutAdapter } from './adapter.js';
import { documentJson } from './document.js';

export const SIGNER_HEADER = 'colophon-signer';
export const SIGNATURE_HEADER = 'colophon-signature';
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** How much of a receiver's answer is read (it only goes into messages). */
export const MAX_RESPONSE_BYTES = 4096;

/** The start of a response body as text, reading no more than MAX_RESPONSE_BYTES and never failing. */
async function responseExcerpt(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_RESPONSE_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short says no more than what arrived.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 200);
}

export interface WebhookOptions {
  /** Per attempt; a receiver that has not answered by then counts as failed (and is retried). */
  timeoutMs?: number;
}

/**
 * POSTs the settlement document as JSON. Headers:
 * - `Idempotency-Key`: the settle record's CID. Every retry of a settlement carries the same
 *   key, so a receiver that pays once per key pays once, however often a crash made us resend;
 * - `Colophon-Signer`: the did:key of the identity that signed the settle record;
 * - `Colophon-Signature`: base64 Ed25519 signature by that identity over the exact body bytes.
 * 2xx is delivered. 408, 425, 429, 5xx, timeouts and network errors are retried. A redirect
 * (3xx) is never followed (it would carry the signed body and headers to a host nobody chose): it
 * is a refusal that names where it pointed. Any other status is a refusal, reported and not
 * retried. At most MAX_RESPONSE_BYTES of the answer are read.
 */
export function webhookAdapter(url: string, options: WebhookOptions = {}): PayoutAdapter {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`webhook URL "${url}" is not a valid URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`webhook URL "${url}" must be http or https`);
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    target: `webhook:${parsed.href}`,
    needsSigner: true,
    async attempt(doc, signer): Promise<AttemptOutcome> {
      if (!signer) return { ok: false, retry: true, error: `needs the key of ${doc.settledBy}, which signed the settlement` };
      if (signer.did !== doc.settledBy) return { ok: false, retry: false, error: `the settlement was signed by ${doc.settledBy}, not ${signer.did}` };
      // A fresh copy per attempt: the body is handed to fetch and must not share a pooled buffer.
      const body = new Uint8Array(Buffer.from(documentJson(doc), 'utf8'));
      const signature = Buffer.from(signer.sign(body)).toString('base64');
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      try {
        const response = await fetch(parsed, {
          method: 'POST',
          body,
          redirect: 'manual',
          signal: controller.signal,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'colophon-payouts/1',
            [IDEMPOTENCY_HEADER]: doc.settlement,
            [SIGNER_HEADER]: signer.did,
            [SIGNATURE_HEADER]: signature,
          },
        });
        const text = await responseExcerpt(response);
        if (response.ok) return { ok: true, status: response.status, detail: text };
        if (response.status >= 300 && response.status < 400) {
          const location = response.headers.get('location');
          return { ok: false, retry: false, status: response.status, error: `HTTP ${response.status} redirect${location ? ` to ${location.slice(0, 200)}` : ''}: redirects are never followed; give the receiver's final URL` };
        }
        const retry = response.status >= 500 || [408, 425, 429].includes(response.status);
        return { ok: false, retry, status: response.status, error: `HTTP ${response.status}${text ? `: ${text}` : ''}` };
      } catch (error) {
        const reason = controller.signal.aborted ? `no answer within ${timeoutMs} ms` : ((error as Error & { cause?: Error }).cause?.message ?? (error as Error).message);
        return { ok: false, retry: true, error: `POST ${parsed.href} failed: ${reason}` };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
