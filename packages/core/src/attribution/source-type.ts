import type { AgentRef } from '../record/types.js';
import type { AuthorClass, OpClass } from './classes.js';

const IPTC = 'http://cv.iptc.org/newscodes/digitalsourcetype/';

/** The IPTC digital source type terms attribution can claim. */
export const DIGITAL_SOURCE_TYPES = {
  /** Made by people with digital tools. */
  digitalCreation: `${IPTC}digitalCreation`,
  /** Output of a trained (generative) model, as it came out. */
  trainedAlgorithmicMedia: `${IPTC}trainedAlgorithmicMedia`,
  /** Generative output edited by people or combined with other content. */
  compositeWithTrainedAlgorithmicMedia: `${IPTC}compositeWithTrainedAlgorithmicMedia`,
  /** Made by an algorithm that was not trained on sampled content (a script, a generator). */
  algorithmicMedia: `${IPTC}algorithmicMedia`,
  /** A mix of elements any of which may or may not be generative AI. */
  compositeSynthetic: `${IPTC}compositeSynthetic`,
} as const;

/** Plain words for IPTC digital source types, for people who do not know the vocabulary. */
const SOURCE_TYPE_WORDS: Record<string, string> = {
  digitalCreation: 'made by people',
  trainedAlgorithmicMedia: 'made by an AI model',
  compositeWithTrainedAlgorithmicMedia: "people's work combined with AI output",
  algorithmicMedia: 'made by an algorithm',
  compositeSynthetic: 'combines parts of unobserved origin, which may be AI',
  digitalCapture: 'captured by a camera or recorder',
};

/** The term of a digital source type URI (its last path segment): `digitalCreation`. */
export function sourceTypeTerm(uri: string): string {
  return uri.slice(uri.lastIndexOf('/') + 1);
}

/** A digital source type in plain words (the term itself when it has none). */
export function sourceTypeWords(uri: string): string {
  const term = sourceTypeTerm(uri);
  return SOURCE_TYPE_WORDS[term] ?? term;
}

export interface SourceTypeDecision {
  /** The IPTC term's URI, or undefined when none can be claimed honestly. */
  type?: string;
  /** The rule that decided, in words. */
  rule: string;
}

/**
 * The digital source type an asset can honestly claim, from the classes of the content still in
 * it (`present`: units per class) and the classes that ever acted on it (`actors`: deleting
 * counts — trimming AI output is editing it). First rule that applies:
 * 1. nothing present                          -> none
 * 2. AI content present, nobody else acted    -> trainedAlgorithmicMedia
 * 3. AI content present, someone else acted   -> compositeWithTrainedAlgorithmicMedia
 * 4. only pasted/unknown content present      -> none (its origin was never observed)
 * 5. pasted or unknown content present        -> compositeSynthetic (parts of unobserved origin,
 *                                                which may be generative AI)
 * 6. only tool content present                -> algorithmicMedia
 * 7. otherwise (human, possibly with tools)   -> digitalCreation (formatters do not author)
 * AI that acted but left nothing behind does not make an asset AI media: what is described is
 * the content as it is.
 */
export function decideSourceType(present: Readonly<Record<AuthorClass, number>>, actors: ReadonlySet<AuthorClass>): SourceTypeDecision {
  const total = present.human + present.ai + present.tool + present.pasted + present.unknown;
  if (total === 0) return { rule: 'the asset has no attributed content' };
  if (present.ai > 0) {
    const others = [...actors].filter((c) => c !== 'ai');
    if (others.length === 0 && present.ai === total) return { type: DIGITAL_SOURCE_TYPES.trainedAlgorithmicMedia, rule: 'AI output, unchanged by anyone else' };
    return { type: DIGITAL_SOURCE_TYPES.compositeWithTrainedAlgorithmicMedia, rule: 'AI output edited or combined with other content' };
  }
  const unobserved = present.pasted + present.unknown;
  if (unobserved === total) return { rule: 'all content is pasted or of unknown origin; no source type can be claimed' };
  if (unobserved > 0) return { type: DIGITAL_SOURCE_TYPES.compositeSynthetic, rule: 'combines content of unobserved origin (pasted or unknown), which may be AI' };
  if (present.tool === total) return { type: DIGITAL_SOURCE_TYPES.algorithmicMedia, rule: 'made by tools only' };
  return { type: DIGITAL_SOURCE_TYPES.digitalCreation, rule: present.tool > 0 ? 'made by people, with tools' : 'made by people' };
}

/** What Content Credentials say about a file placed into an asset, as an ingest reads them (c2pa-bridge's facts). */
export interface PlacedContentFacts {
  /** Validation state: "Trusted", "Valid", "Invalid", or "none" (no credentials). */
  state: string;
  digitalSourceType?: string;
  actions?: readonly { digitalSourceType?: string; softwareAgent?: string }[];
  claimGenerator?: string;
  signer?: { issuer?: string; name?: string };
}

export interface PlacedContentSource {
  class: OpClass;
  agent?: AgentRef;
  /** The rule that decided, in words. */
  rule: string;
}

const UNSTATED = 'unstated';

/**
 * Who made outside content placed into an asset (an image in a design), from its Content
 * Credentials: the inverse of decideSourceType. First rule that applies:
 * 1. no credentials, or credentials that do not verify -> unknown (origin not observed, or not to be trusted)
 * 2. trainedAlgorithmicMedia or compositeWithTrainedAlgorithmicMedia -> ai (it holds generative
 *    output; the credentials do not say which part), the model as the credentials name it
 * 3. algorithmicMedia                                   -> tool
 * 4. any other type (digitalCapture, digitalCreation…) -> pasted (made elsewhere, placed here)
 * 5. no type claimed                                    -> unknown
 * The model or tool is the softwareAgent of the action that claimed the type, else the claim
 * generator; its provider is the signer's issuer. What the credentials leave out stays "unstated".
 */
export function placedContentSource(facts: PlacedContentFacts | undefined): PlacedContentSource {
  if (!facts || facts.state === 'none') return { class: 'unknown', rule: 'no Content Credentials: its origin was not observed' };
  if (facts.state !== 'Valid' && facts.state !== 'Trusted') return { class: 'unknown', rule: `its Content Credentials are ${facts.state}: nothing they claim is taken` };
  const type = facts.digitalSourceType?.trim();
  if (!type) return { class: 'unknown', rule: 'its Content Credentials claim no digital source type' };
  const term = sourceTypeTerm(type);
  const claimedBy = [...(facts.actions ?? [])].reverse().find((a) => a.digitalSourceType?.trim() === type)?.softwareAgent;
  const name = claimedBy ?? facts.claimGenerator ?? UNSTATED;
  if (term === 'trainedAlgorithmicMedia' || term === 'compositeWithTrainedAlgorithmicMedia') {
    const provider = facts.signer?.issuer ?? facts.signer?.name ?? UNSTATED;
    return { class: 'ai', agent: { type: 'ai', model: { provider, name, version: UNSTATED } }, rule: `its Content Credentials say ${sourceTypeWords(type)}` };
  }
  if (term === 'algorithmicMedia') return { class: 'tool', agent: { type: 'tool', name, version: UNSTATED }, rule: `its Content Credentials say ${sourceTypeWords(type)}` };
  return { class: 'paste', rule: `its Content Credentials say ${sourceTypeWords(type)}: made elsewhere, placed here` };
}
