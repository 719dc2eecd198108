/**
 * The policy document of a POST Object form (FEATURES §1.12, C271-C276): Base64 JSON with an
 * `expiration` and `conditions` that the form's fields must meet: exact matches
 * (`{"field": "v"}`, `["eq", "$field", "v"]`), prefixes (`["starts-with", "$field", "v"]`, with or
 * without `$`) and `["content-length-range", min, max]` for the file. Any breach is AccessDenied.
 */
import { CosError } from '@cosbox/protocol';

type Condition =
  | { kind: 'eq' | 'starts-with'; field: string; value: string }
  | { kind: 'range'; min: number; max: number };

export interface PostPolicy {
  /** The decoded JSON text: what the form's signature signs. */
  text: string;
  expiration: number;
  conditions: Condition[];
}

const invalid = (why: string) => new CosError('InvalidPolicyDocument', `Invalid policy document: ${why}.`);

const fieldName = (name: unknown): string => {
  if (typeof name !== 'string') throw invalid('a condition names no field');
  return name.replace(/^\$/, '').toLowerCase();
};

export function parsePolicy(base64: string): PostPolicy {
  let text: string;
  let doc: unknown;
  try {
    text = Buffer.from(base64, 'base64').toString('utf8');
    doc = JSON.parse(text);
  } catch {
    throw invalid('not Base64 JSON');
  }
  if (doc === null || typeof doc !== 'object') throw invalid('not a JSON object');
  const { expiration, conditions } = doc as { expiration?: unknown; conditions?: unknown };
  const expires = typeof expiration === 'string' ? Date.parse(expiration) : NaN;
  if (Number.isNaN(expires)) throw invalid('no ISO 8601 expiration');
  if (conditions !== undefined && !Array.isArray(conditions)) throw invalid('conditions is not a list');
  const parsed = (conditions ?? []).flatMap((c: unknown): Condition[] => {
    if (Array.isArray(c)) {
      const op = String(c[0]).toLowerCase();
      if (op === 'content-length-range') {
        const [min, max] = [Number(c[1]), Number(c[2])];
        if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min) throw invalid('bad content-length-range');
        return [{ kind: 'range', min, max }];
      }
      if ((op === 'eq' || op === 'starts-with') && c.length === 3) return [{ kind: op, field: fieldName(c[1]), value: String(c[2]) }];
      throw invalid(`unknown condition ${JSON.stringify(c)}`);
    }
    if (c !== null && typeof c === 'object') {
      return Object.entries(c as Record<string, unknown>).map(([field, value]) => ({ kind: 'eq', field: fieldName(field), value: String(value) }));
    }
    throw invalid(`unknown condition ${JSON.stringify(c)}`);
  });
  return { text, expiration: expires, conditions: parsed };
}

/**
 * Checks the form's fields (lower-case names; `bucket` is the bucket addressed) against the policy
 * at time `now`. Returns the file size range it allows.
 */
export function checkPolicy(policy: PostPolicy, fields: ReadonlyMap<string, string>, now: number): { min: number; max: number } {
  if (now > policy.expiration) throw new CosError('AccessDenied', 'Invalid according to Policy: Policy expired.');
  let range = { min: 0, max: Number.MAX_SAFE_INTEGER };
  for (const c of policy.conditions) {
    if (c.kind === 'range') {
      range = { min: Math.max(range.min, c.min), max: Math.min(range.max, c.max) };
      continue;
    }
    const actual = fields.get(c.field) ?? '';
    const ok = c.kind === 'eq' ? actual === c.value : actual.startsWith(c.value);
    if (!ok) throw new CosError('AccessDenied', `Invalid according to Policy: Policy Condition failed: ["${c.kind}", "$${c.field}", "${c.value}"]`);
  }
  return range;
}

/**
 * Form fields that widen who may read the object or change how it is protected. A signed form may
 * carry one only when a condition of its policy names it (and so checks its value): else anyone
 * holding a form signed for an upload could publish what they upload. S3 refuses every field the
 * policy does not name ("Extra input fields"); the content fields COS applications send without
 * conditions (Content-Type, Cache-Control, x-cos-meta-*, success_action_status, ...) stay free.
 */
function isProtectedField(name: string): boolean {
  return (
    name === 'acl' || name === 'x-cos-acl' || name.startsWith('x-cos-grant-') || name.startsWith('x-cos-server-side-encryption') ||
    name === 'x-amz-acl' || name.startsWith('x-amz-grant-') || name.startsWith('x-amz-server-side-encryption')
  );
}

/** The first protected field (lower-case name, non-empty value) that no condition of the policy names. */
export function unconditionedField(policy: PostPolicy, fields: ReadonlyMap<string, string>): string | undefined {
  const named = new Set(policy.conditions.flatMap((c) => (c.kind === 'range' ? [] : [c.field])));
  for (const [name, value] of fields) {
    if (isProtectedField(name) && value !== '' && !named.has(name)) return name;
  }
  return undefined;
}
