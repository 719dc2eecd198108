/**
 * Bucket policies (`?policy`, issue 16 item 1): COS's CAM-syntax JSON document, checked strictly on
 * PUT, stored normalised in the bucket's `policy` configuration, and evaluated by authorize.ts for
 * every operation on the bucket together with the ACLs.
 *
 * A document is `{ version, statement: [{ principal: { qcs: [...] }, effect, action, resource,
 * condition }] }` (keys case-insensitive, as COS's examples spell them both ways). Matching uses the
 * one linear-time wildcard matcher; nothing from a policy ever becomes a regular expression.
 */
import { BlockList, isIP } from 'node:net';
import { CosError } from '@cosbox/protocol';
import type { Caller } from '../auth/authenticate.js';
import type { BucketRecord } from '../storage/metadata/store.js';
import { wildcardMatch } from './wildcard.js';

/** COS (like S3) caps a bucket policy at 20 KB. */
export const MAX_POLICY_BYTES = 20 * 1024;
/** JSON nesting a policy needs is 5 deep; anything much deeper is an attack, refused before parsing. */
const MAX_DEPTH = 8;
const MAX_STATEMENTS = 100;

export type ConditionOperator =
  | 'ip_equal' | 'ip_not_equal'
  | 'string_equal' | 'string_not_equal' | 'string_like' | 'string_not_like'
  | 'numeric_equal' | 'numeric_not_equal' | 'numeric_less_than' | 'numeric_less_than_equal' | 'numeric_greater_than' | 'numeric_greater_than_equal'
  | 'date_equal' | 'date_not_equal' | 'date_less_than' | 'date_less_than_equal' | 'date_greater_than' | 'date_greater_than_equal';

const OPERATORS: ReadonlySet<string> = new Set<ConditionOperator>([
  'ip_equal', 'ip_not_equal', 'string_equal', 'string_not_equal', 'string_like', 'string_not_like',
  'numeric_equal', 'numeric_not_equal', 'numeric_less_than', 'numeric_less_than_equal', 'numeric_greater_than', 'numeric_greater_than_equal',
  'date_equal', 'date_not_equal', 'date_less_than', 'date_less_than_equal', 'date_greater_than', 'date_greater_than_equal',
]);

export interface PolicyCondition {
  operator: ConditionOperator;
  /** `qcs:ip`, `qcs:current_time`, `cos:prefix`, `cos:content-length`, `cos:<header>`, ... (lower-case). */
  key: string;
  values: string[];
}

export interface BucketPolicyStatement {
  effect: 'allow' | 'deny';
  principals: string[];
  actions: string[];
  resources: string[];
  conditions: PolicyCondition[];
}

export interface BucketPolicy {
  version: string;
  statements: BucketPolicyStatement[];
}

/** What conditions look at: the client's address, the time, the request's headers and query. */
export interface RequestFacts {
  clientIp?: string;
  now?: number;
  header?(name: string): string | undefined;
  query?: ReadonlyMap<string, string>;
}

const malformed = (why: string) => new CosError('MalformedPolicy', `The policy is not valid: ${why}.`);

/** Refuses documents nested deeper than MAX_DEPTH by one scan of the text (strings skipped). */
function checkDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (++depth > MAX_DEPTH) throw malformed(`it is nested more than ${MAX_DEPTH} deep`);
    } else if (c === '}' || c === ']') depth--;
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A member by case-insensitive name. */
function member(o: Json, name: string): unknown {
  for (const [k, v] of Object.entries(o)) if (k.toLowerCase() === name) return v;
  return undefined;
}

function strings(v: unknown, what: string): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || !list.every((x): x is string => typeof x === 'string' && x !== '' && x.length <= 1024)) {
    throw malformed(`${what} must be a non-empty string or list of strings`);
  }
  return list;
}

const PRINCIPAL = /^(?:\*|qcs::cam::anyone:anyone|qcs::cam::uin\/\d+:(?:uin\/\d+|root))$/;

function principalsOf(v: unknown, i: number): string[] {
  if (v === '*') return ['*'];
  if (!isObject(v)) throw malformed(`statement[${i}].principal must be {"qcs": [...]}`);
  const list = strings(member(v, 'qcs'), `statement[${i}].principal.qcs`);
  const bad = list.find((p) => !PRINCIPAL.test(p));
  if (bad !== undefined) throw malformed(`unknown principal ${JSON.stringify(bad.slice(0, 100))}`);
  return list;
}

function checkConditionValue(operator: string, value: string): void {
  if (operator.startsWith('ip_')) {
    const [address, bits] = value.split('/');
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    if (family === 0 || (bits !== undefined && (!/^\d{1,3}$/.test(bits) || Number(bits) > max))) throw malformed(`${JSON.stringify(value.slice(0, 100))} is not an IP address or CIDR block`);
  } else if (operator.startsWith('numeric_')) {
    if (!/^-?\d+(?:\.\d+)?$/.test(value)) throw malformed(`${JSON.stringify(value.slice(0, 100))} is not a number`);
  } else if (operator.startsWith('date_')) {
    if (Number.isNaN(Date.parse(value))) throw malformed(`${JSON.stringify(value.slice(0, 100))} is not a date`);
  }
}

function conditionsOf(v: unknown, i: number): PolicyCondition[] {
  if (v === undefined) return [];
  if (!isObject(v)) throw malformed(`statement[${i}].condition must be an object`);
  const out: PolicyCondition[] = [];
  for (const [rawOperator, body] of Object.entries(v)) {
    const operator = rawOperator.toLowerCase();
    if (!OPERATORS.has(operator)) throw malformed(`unknown condition operator ${JSON.stringify(rawOperator.slice(0, 100))}`);
    if (!isObject(body)) throw malformed(`statement[${i}].condition.${operator} must be an object`);
    for (const [key, raw] of Object.entries(body)) {
      // Numbers are written bare as often as quoted; nothing else is a value.
      const scalar = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? String(x) : x);
      const values = strings(Array.isArray(raw) ? raw.map(scalar) : scalar(raw), `condition ${operator}.${key}`);
      for (const value of values) checkConditionValue(operator, value);
      out.push({ operator: operator as ConditionOperator, key: key.toLowerCase(), values });
    }
  }
  return out;
}

function statementOf(s: unknown, i: number, bucket: Pick<BucketRecord, 'name'>): BucketPolicyStatement {
  if (!isObject(s)) throw malformed(`statement[${i}] is not an object`);
  const effect = member(s, 'effect');
  const lower = typeof effect === 'string' ? effect.toLowerCase() : '';
  if (lower !== 'allow' && lower !== 'deny') throw malformed(`statement[${i}].effect must be "allow" or "deny"`);
  const principals = principalsOf(member(s, 'principal'), i);
  const actions = strings(member(s, 'action'), `statement[${i}].action`);
  const badAction = actions.find((a) => a !== '*' && !/^name\/cos:[A-Za-z*]+$/.test(a));
  if (badAction !== undefined) throw malformed(`unknown action ${JSON.stringify(badAction.slice(0, 100))} (name/cos:<Action> or *)`);
  const resources = strings(member(s, 'resource'), `statement[${i}].resource`);
  // A bucket's policy speaks of that bucket only (COS refuses others).
  const foreign = resources.find((r) => r !== '*' && !(r.startsWith('qcs::cos:') && (r.includes(`:${bucket.name}/`) || r.endsWith(`:${bucket.name}`))));
  if (foreign !== undefined) throw malformed(`the resource ${JSON.stringify(foreign.slice(0, 200))} is not in bucket ${bucket.name}`);
  return { effect: lower, principals, actions, resources, conditions: conditionsOf(member(s, 'condition'), i) };
}

/** A PUT Bucket policy body: MalformedPolicy for anything but a valid document of this bucket. */
export function policyFromJson(body: Buffer, bucket: Pick<BucketRecord, 'name'>): BucketPolicy {
  if (body.length === 0) throw malformed('the body is empty');
  const text = body.toString('utf8');
  checkDepth(text);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed('it is not JSON');
  }
  if (!isObject(doc)) throw malformed('it is not a JSON object');
  const version = member(doc, 'version') ?? '2.0';
  if (version !== '2.0') throw malformed('version must be "2.0"');
  const list = member(doc, 'statement');
  if (!Array.isArray(list) || list.length === 0) throw malformed('statement must be a non-empty list');
  if (list.length > MAX_STATEMENTS) throw malformed(`at most ${MAX_STATEMENTS} statements`);
  return { version, statements: list.map((s, i) => statementOf(s, i, bucket)) };
}

/** The document GET Bucket policy returns (COS's lower-case spelling). */
export function policyDocument(policy: BucketPolicy): string {
  const condition = (cs: PolicyCondition[]) => {
    if (cs.length === 0) return undefined;
    const out: Record<string, Record<string, string[]>> = {};
    for (const c of cs) (out[c.operator] ??= {})[c.key] = c.values;
    return out;
  };
  return JSON.stringify({
    version: policy.version,
    statement: policy.statements.map((s) => ({
      principal: { qcs: s.principals },
      effect: s.effect,
      action: s.actions,
      resource: s.resources,
      condition: condition(s.conditions),
    })),
  });
}

/** The bucket's policy, if it has one. */
export function bucketPolicyOf(bucket: BucketRecord | undefined): BucketPolicy | undefined {
  return bucket?.configs?.policy as BucketPolicy | undefined;
}

function principalMatches(principal: string, caller: Caller): boolean {
  if (principal === '*' || principal === 'qcs::cam::anyone:anyone') return true;
  if (caller.kind !== 'account') return false;
  const [, root, who] = /^qcs::cam::uin\/(\d+):(uin\/\d+|root)$/.exec(principal) ?? [];
  if (root !== caller.account.rootUin) return false;
  // `uin/<root>:root` names the whole account, sub-users included; `uin/<root>:uin/<uin>` one user.
  return who === 'root' || who === `uin/${caller.account.uin}`;
}

/** The value(s) of a condition key for this request, undefined when the request has none. */
function factOf(key: string, facts: RequestFacts): string | undefined {
  if (key === 'qcs:ip') return facts.clientIp;
  if (key === 'qcs:current_time') return facts.now === undefined ? undefined : new Date(facts.now).toISOString();
  if (key.startsWith('cos:')) {
    const name = key.slice(4);
    const fromQuery = facts.query?.get(name);
    if (fromQuery !== undefined && (name === 'prefix' || name === 'delimiter' || name === 'max-keys' || name === 'versionid')) return fromQuery;
    return facts.header?.(name);
  }
  return undefined;
}

const blockCache = new Map<string, BlockList>();
function ipMatches(cidr: string, ip: string): boolean {
  let list = blockCache.get(cidr);
  if (!list) {
    list = new BlockList();
    const [address, bits] = cidr.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
    if (blockCache.size > 1000) blockCache.clear();
    blockCache.set(cidr, list);
  }
  return list.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
}

function compare(a: number, b: number, op: string): boolean {
  if (op.endsWith('_not_equal')) return a !== b;
  if (op.endsWith('_equal') && !op.includes('than')) return a === b;
  if (op.endsWith('_less_than')) return a < b;
  if (op.endsWith('_less_than_equal')) return a <= b;
  if (op.endsWith('_greater_than')) return a > b;
  return a >= b; // _greater_than_equal
}

function conditionHolds(c: PolicyCondition, facts: RequestFacts): boolean {
  const negated = c.operator.includes('_not_');
  const value = factOf(c.key, facts);
  // A negated condition on a fact the request does not have holds; any other does not.
  if (value === undefined) return negated;
  const any = (test: (v: string) => boolean) => c.values.some(test);
  switch (c.operator) {
    case 'ip_equal':
      return isIP(value) !== 0 && any((v) => ipMatches(v, value));
    case 'ip_not_equal':
      return isIP(value) === 0 || !any((v) => ipMatches(v, value));
    case 'string_equal':
      return any((v) => v === value);
    case 'string_not_equal':
      return !any((v) => v === value);
    case 'string_like':
      return any((v) => wildcardMatch(v, value));
    case 'string_not_like':
      return !any((v) => wildcardMatch(v, value));
    default: {
      const number = c.operator.startsWith('numeric_');
      const actual = number ? Number(value) : Date.parse(value);
      if (!Number.isFinite(actual)) return negated;
      const test = (v: string) => compare(actual, number ? Number(v) : Date.parse(v), c.operator);
      return negated ? c.values.every(test) : any(test);
    }
  }
}

/**
 * What the bucket policy says of `caller` doing `action` on `resource`: `deny` when a matching deny
 * statement's conditions hold (it wins), else `allow` when an allow statement's do, else nothing.
 */
export function bucketPolicyDecision(policy: BucketPolicy | undefined, caller: Caller, action: string, resource: string, facts: RequestFacts): 'allow' | 'deny' | undefined {
  if (!policy) return undefined;
  const matches = (s: BucketPolicyStatement) =>
    s.principals.some((p) => principalMatches(p, caller)) &&
    s.actions.some((a) => wildcardMatch(a, action)) &&
    s.resources.some((r) => wildcardMatch(r, resource)) &&
    s.conditions.every((c) => conditionHolds(c, facts));
  if (policy.statements.some((s) => s.effect === 'deny' && matches(s))) return 'deny';
  return policy.statements.some((s) => s.effect === 'allow' && matches(s)) ? 'allow' : undefined;
}
