import type { AuthorClass } from './classes.js';

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
