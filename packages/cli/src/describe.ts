import type { ContributionRecord, MemberDelta } from '@colophon/core';

import { who } from '@colophon/core/report';

/** A person's name when this machine knows it, else a short did. */
export { who };

/** One line in plain words: who did what to which asset, and how (by hand, by which model or tool). */
export function describeRecord(record: ContributionRecord, names: Map<string, string>): string {
  const person = who(record.by, names);
  const on = record.asset ? ` ${record.asset}` : '';
  const how =
    record.agent?.type === 'ai'
      ? ` using AI model ${record.agent.model.provider}/${record.agent.model.name}@${record.agent.model.version}`
      : record.agent?.type === 'tool'
        ? ` with tool ${record.agent.name}@${record.agent.version}`
        : '';
  const prompt = record.intent ? ('text' in record.intent ? ` — prompt: "${record.intent.text}"` : ' — prompt kept private (only its commitment is on the ledger)') : '';
  switch (record.kind) {
    case 'project.genesis':
      return `${person} started the project`;
    case 'member': {
      const delta = record.delta as unknown as MemberDelta;
      return delta.op === 'grant' ? `${person} made ${who(delta.subject, names)} ${/^[aeiou]/.test(delta.role) ? 'an' : 'a'} ${delta.role}` : `${person} removed the ${delta.role} role from ${who(delta.subject, names)}`;
    }
    case 'intent':
      return `${person} set an intent${on}${prompt}`;
    case 'ai.generate':
      return `${person} generated${on}${how}${prompt}`;
    case 'asset.create':
      return `${person} created${on}${how || ' by hand'}`;
    case 'asset.edit':
      return `${person} edited${on}${how || ' by hand'}`;
    case 'approve':
      return `${person} approved${on}`;
    case 'reject':
      return `${person} rejected${on}`;
    case 'review':
      return `${person} reviewed${on}`;
    default:
      return `${person} recorded ${record.kind}${on}${how}${prompt}`;
  }
}
