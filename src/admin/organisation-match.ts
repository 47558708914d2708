import type { OrganisationKind } from '../platform/database-schema.ts';
import { kindLabel, type OrganisationReference } from './arguments.ts';

/** Picks the one organisation an operator meant from those found by name or id, or says why it cannot. */

export interface OrganisationCandidate {
  id: string;
  name: string;
  kind: OrganisationKind;
}

export type OrganisationMatch = { ok: true; organisation: OrganisationCandidate } | { ok: false; problem: string };

function describe(organisation: OrganisationCandidate): string {
  return `${organisation.id} (${kindLabel(organisation.kind)})`;
}

function listKinds(kinds: readonly OrganisationKind[]): string {
  const labels = kinds.map(kindLabel);
  return labels.length > 1 ? `${labels.slice(0, -1).join(', ')} or ${labels.at(-1) ?? ''}` : (labels[0] ?? '');
}

function withArticle(label: string): string {
  return /^[aeiou]/i.test(label) ? `an ${label}` : `a ${label}`;
}

/**
 * @param option the option the reference came from, such as `--group`, for the message
 * @param candidates the organisations whose id or name (ignoring case) matches the reference
 * @param acceptableKinds what the organisation may be; a name shared by organisations of different kinds is
 *   settled by the kind when only one of them fits
 */
export function chooseOrganisation(
  option: string,
  reference: OrganisationReference,
  candidates: readonly OrganisationCandidate[],
  acceptableKinds: readonly OrganisationKind[],
): OrganisationMatch {
  const given = `${option} ${JSON.stringify(reference.text)}`;
  if (candidates.length === 0) {
    return {
      ok: false,
      problem:
        reference.by === 'id' ? `${given}: no organisation has that id` : `${given}: no organisation has that name`,
    };
  }
  const fitting = candidates.filter((candidate) => acceptableKinds.includes(candidate.kind));
  const [only, ...others] = fitting;
  if (only && others.length === 0) return { ok: true, organisation: only };
  if (only) {
    return {
      ok: false,
      problem: `${given} matches ${fitting.length} organisations: use the id of the one you mean, ${fitting.map(describe).join(', ')}`,
    };
  }
  const kinds = [...new Set(candidates.map((candidate) => candidate.kind))];
  return {
    ok: false,
    problem: `${given} is ${withArticle(listKinds(kinds))}, not ${withArticle(listKinds(acceptableKinds))}`,
  };
}
