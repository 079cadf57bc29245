// The contract file people write: JSON with comments (JSONC), a starter with every field
// explained, and the format as `contract add --help` prints it.
import { EXAMPLE_GATES, PAYOUT_CLASSES, VIEW_VARIABLES, lineColumn } from '@colophon/core';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';

/** The format, as `colophon contract add --help` prints it (the README says the same). */
export const CONTRACT_FORMAT_HELP = `
Contract file (JSON; // and /* */ comments allowed; "colophon contract init" writes a starter):
  {
    "name": "Autumn launch post",            a name people recognise
    "asset": "file:launch.md",               the asset it governs (leave out: every asset
                                             without a contract of its own)
    "gates": {                               CEL expressions that must all be true, by name
      "directorApproved": "approvals.exists(a, a.final && 'director' in a.roles)"
    },                                       (or a list of {name, expr, description})
    "payout": {                              optional: what an approval that passes pays
      "budget": 150000, "currency": "EUR",   integer minor units (150000 = EUR 1,500.00)
      "weights": {"humanText": 60, "prompts": 25, "reviews": 15, "ai": 0},
      "fixed": {"rafael": 1000},             optional: basis points of the whole for named
                                             members (1000 = 10%); identity names become dids
      "upstreamBasisPoints": 0               optional: part passed to the ingredients' makers
    }
  }
Gates read these names: ${[...VIEW_VARIABLES].join(', ')}.
Payout classes: ${PAYOUT_CLASSES.join(', ')}. Only project members earn; amounts are exact
(largest remainder) and sum to the budget. Only the project owner records a contract.`;

/** A commented starting contract: the example gates and a payout rule, every field explained. */
export function starterContract(asset: string | undefined): string {
  const gates = EXAMPLE_GATES.map((g, i) => `    // ${g.description}\n    ${JSON.stringify(g.name)}: ${JSON.stringify(g.expr)}${i < EXAMPLE_GATES.length - 1 ? ',' : ''}`).join('\n');
  return `// A Colophon contract: the gates an asset must pass when a director approves it, and how its
// budget is split then. Edit it, then record it (only the project owner can):
//   colophon contract add ${'contract.jsonc'}
{
  // A name people recognise.
  "name": "My contract",
  // The asset it governs. Leave it out to govern every asset without a contract of its own.
  ${asset ? '' : '// '}"asset": ${JSON.stringify(asset ?? 'file:path/to/asset.md')},
  // Gates: CEL expressions over the asset's view; every one must be true to settle. The view's
  // names: ${[...VIEW_VARIABLES].join(', ')}
  // (README.md, "Contracts and payouts", says what each holds).
  "gates": {
${gates}
  },
  // What an approval that passes every gate pays, once per asset. Leave it out to only gate.
  "payout": {
    // Integer minor units of the currency: 100000 is EUR 1,000.00.
    "budget": 100000,
    "currency": "EUR",
    // Relative integer weights of what people contributed: surviving human text (per person),
    // prompts and briefs (one per record), human reviews (one each), AI text (paid to the model's
    // provider; 0 pays AI nothing). Only project members earn.
    "weights": { "humanText": 60, "prompts": 25, "reviews": 15, "ai": 0 }
    // Fixed shares for named members, in basis points of the whole (1000 = 10%); names of
    // identities on this machine become their dids when the contract is added:
    // , "fixed": { "rafael": 1000 }
    // Part of the budget (basis points) passed to the makers of the asset's ingredients:
    // , "upstreamBasisPoints": 500
  }
}
`;
}

/** Parses a contract file's text (JSON with comments); errors name the file, line and column. */
export function parseContractText(text: string, file: string): unknown {
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  const first = errors[0];
  if (first) {
    const { line, column } = lineColumn(text, first.offset);
    throw new Error(`${file} is not valid JSON (comments are allowed): ${printParseErrorCode(first.error)} at line ${line}, column ${column}`);
  }
  return value;
}
