import { z } from 'zod';
import { isDuration, isIri, isIrl, isLanguageTag, isUuid, timestampInstant } from './formats.ts';

/**
 * The xAPI 1.0.3 statement format as a zod schema (adlnet/xAPI-Spec, xAPI-Data.md §2.2–2.4 and
 * §4), every MUST of it: the validation of POST/PUT /xapi/statements, the `Statement` type and
 * the statement's part of /api/openapi.json all come from here.
 *
 * Each failure's message is the words a portal developer reads after the offending path
 * (`actor.mbox must start with mailto:`); validate.ts puts the path in front. Where the spec
 * leaves room we are strict on purpose: unknown properties in fixed structures, empty objects
 * and nulls (outside extension values) are refused, because the portal is the only client and a
 * wrong statement is better refused than half-understood.
 */

type Json = Record<string, unknown>;
const NULL = 'must not be null (leave the property out instead)';
const INTERACTION_TYPES = ['true-false', 'choice', 'fill-in', 'long-fill-in', 'matching', 'performance', 'sequencing', 'likert', 'numeric', 'other'] as const;
/** Which interaction component lists each interaction type may carry (Data §2.4.4.1.3). */
const COMPONENT_LISTS: Record<string, readonly string[]> = {
  choice: ['choices'],
  sequencing: ['choices'],
  likert: ['scale'],
  matching: ['source', 'target'],
  performance: ['steps'],
};
const IFI_KEYS = ['mbox', 'mbox_sha1sum', 'openid', 'account'] as const;
const SHA1 = /^[0-9a-fA-F]{40}$/;
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]+$/;
const VERSION = /^1\.0(\.\d+)?$/;

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

export function clip(s: unknown): string {
  const t = String(s);
  return t.length > 80 ? `${t.slice(0, 77)}…` : t;
}

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A check that runs even where the value's own parse failed, so one answer names every problem. */
const always = { when: () => true };

/** The words for a value of the wrong type: absent, null, or something else. */
const wrongType =
  (expected: string) =>
  (iss: { input?: unknown }): string =>
    iss.input === undefined ? 'is required' : iss.input === null ? NULL : `must be ${expected}, not ${typeName(iss.input)}`;

const str = () => z.string({ error: wrongType('a string') });
const formatted = (ok: (v: string) => boolean, says: (v: string) => string) => str().refine(ok, { error: (iss) => says(String(iss.input)) });

const iri = () => formatted(isIri, (v) => `must be an absolute IRI (e.g. http://example.com/x), not "${clip(v)}"`).meta({ format: 'iri' });
const irl = () => formatted(isIrl, (v) => `must be an absolute URL (IRL), not "${clip(v)}"`).meta({ format: 'uri' });
const uuid = () => formatted(isUuid, (v) => `must be a UUID, not "${clip(v)}"`).meta({ format: 'uuid' });
const timestamp = () =>
  formatted((v) => timestampInstant(v) !== null, (v) => `must be an ISO 8601 date-time with a time zone (not -00:00), e.g. 2024-03-01T10:15:00+01:00, not "${clip(v)}"`).meta({ format: 'date-time' });
const bool = () => z.boolean({ error: wrongType('true or false') });
const num = () => z.number({ error: wrongType('a number') });

/**
 * An object of the given properties only (case-sensitive), not empty, no null values. `refused`
 * names properties the spec forbids here, with the reason.
 */
function strict<S extends z.core.$ZodLooseShape>(shape: S, refused: Record<string, string> = {}) {
  const allowed = Object.keys(shape);
  // Loose for zod, so that the unknown keys are named one by one below; closed in the document.
  const schema = z.looseObject(shape, { error: wrongType('an object') }).meta({ additionalProperties: false });
  return schema.superRefine((v, ctx) => {
    if (!isObj(v)) return;
    const keys = Object.keys(v);
    if (!keys.length) ctx.addIssue({ code: 'custom', message: 'must not be an empty object', input: v });
    for (const k of keys) {
      if (allowed.includes(k)) continue;
      const near = allowed.find((a) => a.toLowerCase() === k.toLowerCase());
      const message = refused[k] ?? (near ? `is not a property (property names are case-sensitive: ${near})` : 'is not a property xAPI 1.0.3 defines here');
      ctx.addIssue({ code: 'custom', path: [k], message, input: v[k] });
    }
  }, always);
}

/** A language map: RFC 5646 tags to strings. */
const languageMap = () =>
  z
    .record(z.string(), z.string({ error: (iss) => `must be a string, not ${typeName(iss.input)}` }), {
      error: (iss) => (iss.input === null ? NULL : `must be a language map (an object of language tag → string), not ${typeName(iss.input)}`),
    })
    .superRefine((v, ctx) => {
      if (!isObj(v)) return;
      if (!Object.keys(v).length) ctx.addIssue({ code: 'custom', message: 'must not be an empty object', input: v });
      for (const tag of Object.keys(v)) {
        if (!isLanguageTag(tag)) ctx.addIssue({ code: 'custom', path: [tag], message: `"${clip(tag)}" is not an RFC 5646 language tag`, input: tag });
      }
    }, always);

/** Extension values are free JSON (null allowed there, per Data 2.2.s4.b1.b1); keys are IRIs. */
const extensions = () =>
  z.record(z.string(), z.unknown(), { error: (iss) => (iss.input === null ? NULL : `must be an object with IRI keys, not ${typeName(iss.input)}`) }).superRefine((v, ctx) => {
    if (!isObj(v)) return;
    for (const k of Object.keys(v)) if (!isIri(k)) ctx.addIssue({ code: 'custom', path: [k], message: 'is not an absolute IRI (extension keys must be IRIs)', input: k });
  }, always);

// --- Agents and groups ---------------------------------------------------------------------

const account = strict({ homePage: irl(), name: str() });
const identifiers = {
  mbox: str()
    .refine((v) => v.startsWith('mailto:'), { error: 'must start with mailto:' })
    .refine((v) => !v.startsWith('mailto:') || EMAIL.test(v.slice(7)), { error: (iss) => `must be mailto: followed by an e-mail address, not "${clip(iss.input)}"` })
    .optional(),
  mbox_sha1sum: str().refine((v) => SHA1.test(v), { error: 'must be the 40 hexadecimal digits of a SHA-1 sum' }).optional(),
  openid: str().refine(isIri, { error: 'must be an absolute URI' }).optional(),
  account: account.optional(),
};

function countIdentifiers(v: Json): number {
  return IFI_KEYS.filter((k) => v[k] !== undefined && v[k] !== null).length;
}

const agentType = z.literal('Agent', { error: (iss) => `must be "Agent" here, not ${JSON.stringify(iss.input)}` });

/** An Agent; its objectType may be left out where an Agent is the default (actor, member). */
const agentOf = <T extends z.ZodType>(objectType: T) =>
  strict({ objectType, name: str().optional(), ...identifiers }).superRefine((v, ctx) => {
    if (!isObj(v)) return;
    const n = countIdentifiers(v);
    if (n !== 1) ctx.addIssue({ code: 'custom', message: `must have exactly one inverse functional identifier (mbox, mbox_sha1sum, openid or account), not ${n}`, input: v });
  }, always);

export const agent = agentOf(agentType.optional());

export const group = strict({
  objectType: z.literal('Group', { error: 'must be "Group" for a group' }),
  name: str().optional(),
  ...identifiers,
  member: z.array(agent, { error: (iss) => (iss.input === null ? NULL : `must be an array of Agents, not ${typeName(iss.input)}`) }).optional(),
}).superRefine((v, ctx) => {
  if (!isObj(v)) return;
  const n = countIdentifiers(v);
  if (n > 1) ctx.addIssue({ code: 'custom', message: `must have at most one inverse functional identifier, not ${n}`, input: v });
  if (v.member === undefined) {
    if (n === 0) ctx.addIssue({ code: 'custom', path: ['member'], message: 'is required for an anonymous group (one without an inverse functional identifier)', input: v });
  } else if (Array.isArray(v.member)) {
    if (n === 0 && !v.member.length) ctx.addIssue({ code: 'custom', path: ['member'], message: 'must list at least one Agent for an anonymous group', input: v.member });
    v.member.forEach((m: unknown, i: number) => {
      if (isObj(m) && m.objectType === 'Group') ctx.addIssue({ code: 'custom', path: ['member', i], message: 'must be an Agent (groups cannot contain groups)', input: m });
    });
  }
}, always);

const notAnObject = (iss: { input?: unknown }) => (iss.input === undefined ? 'is required' : iss.input === null ? NULL : `must be an object, not ${typeName(iss.input)}`);

/** An Agent (objectType left out or "Agent") or a Group. */
export const actor = z.discriminatedUnion('objectType', [agent, group], {
  error: (iss) => (iss.code === 'invalid_union' && isObj(iss.input) ? `must be "Agent" here, not ${JSON.stringify(iss.input.objectType)}` : notAnObject(iss)),
});

// --- Verb, activities, objects -------------------------------------------------------------

export const verb = strict({ id: iri(), display: languageMap().optional() });

const component = strict({ id: str(), description: languageMap().optional() });
const components = () => z.array(component, { error: (iss) => (iss.input === null ? NULL : `must be an array of interaction components, not ${typeName(iss.input)}`) }).optional();
const LISTS = ['choices', 'scale', 'source', 'target', 'steps'] as const;

export const definition = strict({
  name: languageMap().optional(),
  description: languageMap().optional(),
  type: iri().optional(),
  moreInfo: irl().optional(),
  extensions: extensions().optional(),
  interactionType: z
    .enum(INTERACTION_TYPES, { error: (iss) => (typeof iss.input === 'string' ? `must be one of ${INTERACTION_TYPES.join(', ')}` : wrongType('a string')(iss)) })
    .optional(),
  correctResponsesPattern: z.array(str(), { error: (iss) => (iss.input === null ? NULL : `must be an array of strings, not ${typeName(iss.input)}`) }).optional(),
  choices: components(),
  scale: components(),
  source: components(),
  target: components(),
  steps: components(),
}).superRefine((v, ctx) => {
  if (!isObj(v)) return;
  const type = v.interactionType;
  if (v.correctResponsesPattern !== undefined && type === undefined) {
    ctx.addIssue({ code: 'custom', path: ['correctResponsesPattern'], message: 'needs an interactionType', input: v.correctResponsesPattern });
  }
  for (const list of LISTS) {
    const items = v[list];
    if (items === undefined) continue;
    if (typeof type !== 'string' || !(COMPONENT_LISTS[type] ?? []).includes(list)) {
      ctx.addIssue({ code: 'custom', path: [list], message: `is not allowed for interactionType ${JSON.stringify(type ?? null)}`, input: items });
      continue;
    }
    if (!Array.isArray(items)) continue;
    const seen = new Set<unknown>();
    items.forEach((c: unknown, i: number) => {
      if (!isObj(c) || typeof c.id !== 'string') return;
      if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: [list, i, 'id'], message: `repeats "${clip(c.id)}" (ids must be unique within the list)`, input: c.id });
      seen.add(c.id);
    });
  }
}, always);

export const activity = strict({
  objectType: z.literal('Activity', { error: (iss) => `must be "Activity" here, not ${JSON.stringify(iss.input)}` }).optional(),
  id: iri(),
  definition: definition.optional(),
});

export const statementRef = strict({ objectType: z.literal('StatementRef', { error: 'must be "StatementRef"' }), id: uuid() });

// --- Result and context --------------------------------------------------------------------

const score = strict({ scaled: num().optional(), raw: num().optional(), min: num().optional(), max: num().optional() }).superRefine((v, ctx) => {
  if (!isObj(v)) return;
  const n = (k: string) => (typeof v[k] === 'number' ? (v[k] as number) : undefined);
  const [scaled, raw, min, max] = [n('scaled'), n('raw'), n('min'), n('max')];
  const fail = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message, input: v[path] });
  if (scaled !== undefined && (scaled < -1 || scaled > 1)) fail('scaled', 'must be between -1 and 1');
  if (min !== undefined && max !== undefined && min >= max) fail('min', 'must be less than max');
  if (raw !== undefined && min !== undefined && raw < min) fail('raw', 'must not be less than min');
  if (raw !== undefined && max !== undefined && raw > max) fail('raw', 'must not be greater than max');
}, always);

export const result = strict({
  score: score.optional(),
  success: bool().optional(),
  completion: bool().optional(),
  response: str().optional(),
  duration: formatted(isDuration, (v) => `must be an ISO 8601 duration such as PT1H30M, not "${clip(v)}"`).meta({ format: 'duration' }).optional(),
  extensions: extensions().optional(),
});

const contextActivity = z.union([activity, z.array(activity)]);

export const context = strict({
  registration: uuid().optional(),
  instructor: actor.optional(),
  team: group.optional(),
  contextActivities: strict({ parent: contextActivity.optional(), grouping: contextActivity.optional(), category: contextActivity.optional(), other: contextActivity.optional() }).optional(),
  revision: str().optional(),
  platform: str().optional(),
  language: formatted(isLanguageTag, (v) => `"${clip(v)}" is not an RFC 5646 language tag`).optional(),
  statement: statementRef.optional(),
  extensions: extensions().optional(),
}).superRefine((v, ctx) => {
  if (isObj(v) && isObj(v.team) && v.team.objectType !== 'Group') ctx.addIssue({ code: 'custom', path: ['team'], message: 'must be a Group (objectType "Group")', input: v.team });
}, always);

// An empty list asks for nothing; any attachment would need multipart storage we do not keep.
const attachments = z.tuple([], { error: (iss) => (iss.input === null ? NULL : 'are not supported by this LRS (it stores statements only)') });

/** Statement-level rules: revision and platform only with an Activity object (Data §2.4.6). */
function contextFitsObject(v: unknown, ctx: z.RefinementCtx) {
  if (!isObj(v) || !isObj(v.context)) return;
  const o = v.object;
  const objectIsActivity = isObj(o) && (o.objectType === undefined || o.objectType === 'Activity');
  for (const k of ['revision', 'platform']) {
    if (v.context[k] !== undefined && !objectIsActivity) ctx.addIssue({ code: 'custom', path: ['context', k], message: 'may only be used when the object is an Activity', input: v.context[k] });
  }
}

const core = { actor, verb, result: result.optional(), context: context.optional(), timestamp: timestamp().optional(), attachments: attachments.optional() };
const kinds = 'Activity, Agent, Group, SubStatement, StatementRef';

/** A SubStatement's object: anything but another SubStatement. */
const subObject = z.discriminatedUnion('objectType', [activity, agentOf(agentType), group, statementRef], {
  error: (iss) =>
    iss.code === 'invalid_union' && isObj(iss.input)
      ? iss.input.objectType === 'SubStatement'
        ? 'must not be "SubStatement" inside a SubStatement'
        : `must be one of ${kinds}, not ${JSON.stringify(iss.input.objectType)}`
      : notAnObject(iss),
});

const NOT_IN_SUB = 'must not be set in a SubStatement';
export const subStatement = strict(
  { objectType: z.literal('SubStatement'), ...core, object: subObject },
  { id: NOT_IN_SUB, stored: NOT_IN_SUB, version: NOT_IN_SUB, authority: NOT_IN_SUB },
).superRefine(contextFitsObject, always);

export const statementObject = z.discriminatedUnion('objectType', [activity, agentOf(agentType), group, statementRef, subStatement], {
  error: (iss) => (iss.code === 'invalid_union' && isObj(iss.input) ? `must be one of ${kinds}, not ${JSON.stringify(iss.input.objectType)}` : notAnObject(iss)),
});

export const statementSchema = strict({
  id: uuid().optional(),
  ...core,
  object: statementObject,
  stored: timestamp().optional(),
  authority: actor.optional(),
  version: formatted((v) => VERSION.test(v), (v) => `must be a 1.0.x version, not "${clip(v)}"`).optional(),
})
  .superRefine(contextFitsObject, always)
  .meta({ title: 'Statement', description: 'An xAPI 1.0.3 statement (attachments not supported).' });

/** A statement as the schema lets it through. */
export type Statement = z.output<typeof statementSchema>;
