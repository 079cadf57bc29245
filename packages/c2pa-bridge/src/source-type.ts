/**
 * Who acted in a step, and the IPTC digital source type that honestly describes the asset after
 * it (https://cv.iptc.org/newscodes/digitalsourcetype/). Also the stand-in human/AI share that
 * counts steps, until the attribution module supplies the real per-character figure.
 */
import { DIGITAL_SOURCE_TYPES, type ContributionRecord } from '@colophon/core';

/** The IPTC terms, shared with the attribution module so the two never disagree on a URI. */
export const DIGITAL_SOURCE_TYPE = DIGITAL_SOURCE_TYPES;

export type DigitalSourceType = (typeof DIGITAL_SOURCE_TYPE)[keyof typeof DIGITAL_SOURCE_TYPE];

/** human: a person by hand; ai: a model; tool: a deterministic tool; outside: brought in (ingest). */
export type Actor = 'human' | 'ai' | 'tool' | 'outside';

export function actorOf(record: ContributionRecord): Actor {
  if (record.kind === 'ingest') return 'outside';
  if (record.agent?.type === 'ai') return 'ai';
  if (record.agent?.type === 'tool') return 'tool';
  return 'human';
}

/** What the asset is known to contain so far. */
export interface ContentMix {
  human: boolean;
  ai: boolean;
  algorithmic: boolean;
}

export const EMPTY_MIX: ContentMix = { human: false, ai: false, algorithmic: false };

/** What an ingested source's own digitalSourceType says it contains (unknown when absent). */
export function mixOfSourceType(type: string | undefined): ContentMix {
  if (!type) return EMPTY_MIX;
  const term = type.slice(type.lastIndexOf('/') + 1);
  if (term === 'compositeWithTrainedAlgorithmicMedia') return { human: true, ai: true, algorithmic: false };
  if (/trainedAlgorithmic|compositeSynthetic|syntheticComposite/i.test(term)) return { human: false, ai: true, algorithmic: false };
  if (term === 'algorithmicMedia') return { human: false, ai: false, algorithmic: true };
  return { human: true, ai: false, algorithmic: false };
}

export function addActor(mix: ContentMix, actor: Actor, sourceType?: string): ContentMix {
  switch (actor) {
    case 'human':
      return { ...mix, human: true };
    case 'ai':
      return { ...mix, ai: true };
    case 'tool':
      // A tool reshapes what is there (a formatter); it only counts on its own when nothing else is.
      return { ...mix, algorithmic: true };
    case 'outside': {
      const source = mixOfSourceType(sourceType);
      return { human: mix.human || source.human, ai: mix.ai || source.ai, algorithmic: mix.algorithmic || source.algorithmic };
    }
  }
}

/**
 * The digital source type of content with this mix: any model output combined with people's work
 * is a composite, model output alone is trainedAlgorithmicMedia, people's alone digitalCreation.
 * Undefined when nothing is known (an ingested file that did not say).
 */
export function sourceTypeOf(mix: ContentMix): DigitalSourceType | undefined {
  if (mix.ai) return mix.human ? DIGITAL_SOURCE_TYPE.compositeWithTrainedAlgorithmicMedia : DIGITAL_SOURCE_TYPE.trainedAlgorithmicMedia;
  if (mix.human) return DIGITAL_SOURCE_TYPE.digitalCreation;
  if (mix.algorithmic) return DIGITAL_SOURCE_TYPE.algorithmicMedia;
  return undefined;
}

/**
 * A stand-in for the human share of an asset: the fraction of its human and AI steps that were
 * human (tool and ingest steps count for neither). The attribution module measures the real share
 * per character or layer; callers pass that figure as `humanShare` where they have it.
 * Undefined when the asset has no human or AI step.
 */
export function stepCountHumanShare(records: readonly ContributionRecord[]): number | undefined {
  let human = 0;
  let ai = 0;
  for (const record of records) {
    const actor = actorOf(record);
    if (actor === 'human') human++;
    else if (actor === 'ai') ai++;
  }
  return human + ai === 0 ? undefined : human / (human + ai);
}
