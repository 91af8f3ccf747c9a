// The status the API server keeps on each CustomResourceDefinition, as upstream's naming and
// establishing controllers compute it: which requested names are accepted (a name another CRD of the
// group, or a built-in resource of the group, already holds is refused), NamesAccepted and
// Established conditions, and storedVersions (every version ever used for storage).

import type {
  CustomResourceDefinition,
  CustomResourceDefinitionCondition,
  CustomResourceDefinitionNames,
  CustomResourceDefinitionStatus,
} from '../../api/gen/types.js';

/** The names and kinds already taken in one group (by other CRDs' accepted names and built-in kinds). */
export interface TakenNames {
  resources: Set<string>;
  kinds: Set<string>;
}

function findCondition(crd: CustomResourceDefinition, type: string): CustomResourceDefinitionCondition | undefined {
  return crd.status?.conditions?.find((c) => c.type === type);
}

export const isEstablished = (crd: CustomResourceDefinition): boolean => findCondition(crd, 'Established')?.status === 'True';

/** Sets a condition; lastTransitionTime moves only when the status does. */
export function setCondition(
  conds: CustomResourceDefinitionCondition[],
  c: Omit<CustomResourceDefinitionCondition, 'lastTransitionTime'>,
  now: string,
): CustomResourceDefinitionCondition[] {
  const old = conds.find((x) => x.type === c.type);
  const next: CustomResourceDefinitionCondition = {
    type: c.type,
    status: c.status,
    lastTransitionTime: old && old.status === c.status ? (old.lastTransitionTime ?? now) : now,
    ...(c.reason !== undefined ? { reason: c.reason } : {}),
    ...(c.message !== undefined ? { message: c.message } : {}),
  };
  return old ? conds.map((x) => (x.type === c.type ? next : x)) : [...conds, next];
}

const inUse = (name: string) => `"${name}" is already in use`;

/** The status `crd` should have, given the names others hold in its group. */
export function desiredStatus(crd: CustomResourceDefinition, taken: TakenNames, now: string): CustomResourceDefinitionStatus {
  const req = crd.spec.names;
  const acc: Partial<CustomResourceDefinitionNames> = crd.status?.acceptedNames ?? {};
  const names: CustomResourceDefinitionNames = { plural: acc.plural ?? '', kind: acc.kind ?? '' };
  if (acc.singular !== undefined) names.singular = acc.singular;
  if (acc.listKind !== undefined) names.listKind = acc.listKind;
  if (acc.shortNames !== undefined) names.shortNames = acc.shortNames;
  let conflict: { reason: string; message: string } | undefined;
  const fresh = (want: string | undefined, had: string | undefined, used: Set<string>) =>
    want === had || want === undefined || !used.has(want);
  if (fresh(req.plural, acc.plural, taken.resources)) names.plural = req.plural;
  else conflict = { reason: 'PluralConflict', message: inUse(req.plural) };
  if (fresh(req.singular, acc.singular, taken.resources)) {
    if (req.singular !== undefined) names.singular = req.singular;
  } else conflict = { reason: 'SingularConflict', message: inUse(req.singular ?? '') };
  const mine = new Set(acc.shortNames ?? []);
  const badShort = (req.shortNames ?? []).filter((s) => !mine.has(s) && taken.resources.has(s));
  if (badShort.length === 0) {
    if (req.shortNames !== undefined) names.shortNames = req.shortNames;
  } else
    conflict = {
      reason: 'ShortNamesConflict',
      message: badShort.length === 1 ? inUse(badShort[0]!) : `[${badShort.map(inUse).join(', ')}]`,
    };
  if (fresh(req.kind, acc.kind, taken.kinds)) names.kind = req.kind;
  else conflict = { reason: 'KindConflict', message: inUse(req.kind) };
  if (fresh(req.listKind, acc.listKind, taken.kinds)) {
    if (req.listKind !== undefined) names.listKind = req.listKind;
  } else conflict = { reason: 'ListKindConflict', message: inUse(req.listKind ?? '') };
  if (req.categories !== undefined) names.categories = req.categories;

  let conds = crd.status?.conditions ?? [];
  conds = setCondition(
    conds,
    conflict
      ? { type: 'NamesAccepted', status: 'False', ...conflict }
      : { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
    now,
  );
  if (!isEstablished(crd)) {
    conds = setCondition(
      conds,
      conflict
        ? { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' }
        : { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
      now,
    );
  }
  const stored = [...(crd.status?.storedVersions ?? [])];
  const storage = crd.spec.versions.find((v) => v.storage)?.name;
  if (storage && !stored.includes(storage)) stored.push(storage);
  return { acceptedNames: names, conditions: conds, storedVersions: stored };
}

/** The names `crd` holds in its group (its accepted ones), to check the other CRDs against. */
export function addTaken(taken: TakenNames, names: Partial<CustomResourceDefinitionNames> | undefined): void {
  if (!names) return;
  for (const r of [names.plural, names.singular, ...(names.shortNames ?? [])]) if (r) taken.resources.add(r);
  for (const k of [names.kind, names.listKind]) if (k) taken.kinds.add(k);
}
