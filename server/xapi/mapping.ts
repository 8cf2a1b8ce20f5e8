import type { RecordStatus } from '../db/schema.ts';
import { stockholmDateTime } from '../domain/calendar.ts';
import { timestampInstant } from './validate.ts';

/**
 * What a (valid) statement means for Kompetenskoll, and the forms it is stored and compared in.
 * Pure: the store (store.ts) looks people and courses up and writes.
 */

type Obj = Record<string, unknown>;

const ADL = 'http://adlnet.gov/expapi/verbs/';
export const VOIDED_VERB = `${ADL}voided`;

/** docs/xapi.md, "Mapping": the verbs that count, and as what. Every other verb is stored and counts for nothing. */
export const VERB_STATUS: Readonly<Record<string, RecordStatus>> = {
  [`${ADL}completed`]: 'completed',
  [`${ADL}passed`]: 'completed',
  [`${ADL}failed`]: 'failed',
  [`${ADL}attempted`]: 'started',
  [`${ADL}initialized`]: 'started',
  [`${ADL}launched`]: 'started',
  [`${ADL}progressed`]: 'started',
};

/** Why a statement counts for nothing (ignored: never will) or not yet (unmatched: may later). */
export type IgnoreReason = 'verb' | 'object' | 'actor';
export type UnmatchedReason = 'person' | 'course' | 'person_course';

export interface Interpretation {
  verbId: string;
  /** The mapped status, or null when the statement counts for nothing. */
  status: RecordStatus | null;
  activityId: string | null;
  actorEmail: string | null;
  actorAccount: string | null;
  /** Set when the statement can never count. */
  ignored: IgnoreReason | null;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function interpret(s: Obj): Interpretation {
  const verbId = String((s.verb as Obj).id);
  const object = s.object as Obj;
  const actor = s.actor as Obj;
  const isActivity = object.objectType === undefined || object.objectType === 'Activity';
  const activityId = isActivity ? String(object.id) : null;
  // Only a single Agent is a person; a group's completion is not any one member's.
  const isAgent = actor.objectType === undefined || actor.objectType === 'Agent';
  const actorEmail = isAgent && typeof actor.mbox === 'string' ? actor.mbox.slice('mailto:'.length).toLowerCase() : null;
  const actorAccount = isAgent && isObj(actor.account) ? String(actor.account.name) : null;
  const status = VERB_STATUS[verbId] ?? null;
  let ignored: IgnoreReason | null = null;
  if (!status) ignored = 'verb';
  else if (!activityId) ignored = 'object';
  else if (!actorEmail && !actorAccount) ignored = 'actor';
  return { verbId, status, activityId, actorEmail, actorAccount, ignored };
}

/** The statement's timestamp (else the stored instant) as Stockholm local time, as completions keep it. */
export function occurredAt(s: Obj, stored: Date): string {
  return stockholmDateTime(timestampInstant(s.timestamp) ?? stored);
}

/**
 * The statement as the LRS keeps and returns it: the id it has or was given, the object's
 * objectType made explicit and context activities always as arrays (both as xAPI 1.0.3 has an LRS
 * return them), the version (1.0.0 when absent), stored and the authority of the client that sent
 * it. A timestamp the client left out is set to stored.
 */
export function toStored(s: Obj, id: string, stored: Date, authority: Obj): Obj {
  const out = normalised(s) as Obj;
  out.id = id;
  out.timestamp = s.timestamp ?? stored.toISOString();
  out.stored = stored.toISOString();
  out.authority = authority;
  out.version = s.version ?? '1.0.0';
  return out;
}

/** Defaults the spec treats as equal made explicit, where a statement and its SubStatement carry them. */
function normalised(s: Obj): Obj {
  const out: Obj = { ...s };
  if (isObj(out.actor)) out.actor = agentForm(out.actor);
  if (isObj(out.object)) {
    const o = { ...out.object };
    o.objectType ??= 'Activity';
    if (o.objectType === 'SubStatement') Object.assign(o, normalised(o));
    else if (o.objectType === 'Agent' || o.objectType === 'Group') Object.assign(o, agentForm(o));
    out.object = o;
  }
  if (isObj(out.context)) {
    const c = { ...out.context };
    if (isObj(c.instructor)) c.instructor = agentForm(c.instructor);
    if (isObj(c.contextActivities)) {
      c.contextActivities = Object.fromEntries(
        Object.entries(c.contextActivities).map(([k, v]) => [k, (Array.isArray(v) ? v : [v]).map((a) => ({ objectType: 'Activity', ...(a as Obj) }))]),
      );
    }
    out.context = c;
  }
  return out;
}

function agentForm(a: Obj): Obj {
  const out: Obj = { ...a, objectType: a.objectType ?? 'Agent' };
  if (Array.isArray(out.member)) out.member = out.member.map((m: unknown) => ({ objectType: 'Agent', ...(m as Obj) }));
  return out;
}

/**
 * The form two statements with one id are compared in (xAPI 1.0.3 Data §2.3.1, simplified):
 * the LRS-assigned properties id, stored, authority and version are left out; the timestamp is
 * compared as an instant, not as text; the defaults normalised() makes explicit count as given;
 * the order of an object's keys does not matter. Everything else — verb display, activity
 * definitions, result, context, extensions — must be equal, value for value.
 */
export function comparisonForm(s: Obj): string {
  const { id: _id, stored: _stored, authority: _authority, version: _version, ...rest } = normalised(s);
  const t = timestampInstant(rest.timestamp);
  if (t) rest.timestamp = t.toISOString();
  return canonicalJson(rest);
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObj(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
