/**
 * Whether a licence allows commercial use, for the view's `commercialUse` field. Deliberately
 * conservative: only SPDX ids known to allow it count; NonCommercial licences, unknown ids,
 * URLs and a missing licence do not (nobody can tell from the id alone). A contract that trusts
 * other licences says so in its own gate, e.g. `ingredients.all(i, i.license in ["LicenseRef-stock"])`.
 * Case-insensitive, as SPDX ids are.
 */
const COMMERCIAL = new Set(
  [
    'CC0-1.0',
    'CC-BY-1.0',
    'CC-BY-2.0',
    'CC-BY-2.5',
    'CC-BY-3.0',
    'CC-BY-4.0',
    'CC-BY-SA-1.0',
    'CC-BY-SA-2.0',
    'CC-BY-SA-2.5',
    'CC-BY-SA-3.0',
    'CC-BY-SA-4.0',
    'CC-BY-ND-1.0',
    'CC-BY-ND-2.0',
    'CC-BY-ND-2.5',
    'CC-BY-ND-3.0',
    'CC-BY-ND-4.0',
    'CC-PDDC',
    'PDDL-1.0',
    'ODC-By-1.0',
    'OFL-1.1',
    'MIT',
    'MIT-0',
    'Apache-2.0',
    'BSD-2-Clause',
    'BSD-3-Clause',
    '0BSD',
    'ISC',
    'Zlib',
    'Unlicense',
    'MPL-2.0',
  ].map((id) => id.toLowerCase()),
);

export function licenseAllowsCommercialUse(license: string | undefined): boolean {
  if (!license) return false;
  return COMMERCIAL.has(license.trim().toLowerCase());
}
