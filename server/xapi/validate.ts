/**
 * xAPI 1.0.3 statement format, checked by hand against every MUST of the spec's Data part
 * (adlnet/xAPI-Spec, xAPI-Data.md §2.2–2.4 and §4). Pure: no I/O, no HTTP. An issue names the
 * offending path the way a portal developer would write it (`actor.mbox`, `context.team`).
 *
 * Where the spec leaves room we are strict on purpose — unknown properties in fixed structures,
 * empty objects and nulls (outside extension values) are refused — because the portal is the only
 * client and a wrong statement is better refused than half-understood.
 */

export interface XapiIssue {
  path: string;
  message: string;
}

type Json = unknown;
type Obj = Record<string, Json>;

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const SHA1 = /^[0-9a-fA-F]{40}$/;
// An absolute IRI: a scheme, a colon, and no characters RFC 3987 forbids anywhere.
const IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`\u0000-\u001f\u007f]+$/u;
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]+$/;
// ISO 8601 date-time with a time zone (Z, ±HH, ±HHMM or ±HH:MM); seconds and fractions optional.
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)$/;
// ISO 8601 duration (PnYnMnDTnHnMnS or PnW), at least one part, the last part may be fractional.
const DURATION = /^P(?!$)(?:\d+(?:\.\d+)?Y)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?W)?(?:\d+(?:\.\d+)?D)?(?:T(?=\d)(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?$/;
// RFC 5646 well-formed language tag (langtag, private use, and the irregular grandfathered tags).
const LANGTAG = new RegExp(
  '^(?:' +
    '(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4}|[A-Za-z]{5,8})' + // language (+extlang)
    '(?:-[A-Za-z]{4})?' + // script
    '(?:-(?:[A-Za-z]{2}|\\d{3}))?' + // region
    '(?:-(?:[A-Za-z0-9]{5,8}|\\d[A-Za-z0-9]{3}))*' + // variants
    '(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*' + // extensions
    '(?:-[xX](?:-[A-Za-z0-9]{1,8})+)?' + // private use
    '|[xX](?:-[A-Za-z0-9]{1,8})+' +
    '|en-GB-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|i-pwn|i-tao|i-tay|i-tsu|sgn-BE-FR|sgn-BE-NL|sgn-CH-DE' +
    ')$',
  'i',
);

const STATEMENT_KEYS = ['id', 'actor', 'verb', 'object', 'result', 'context', 'timestamp', 'stored', 'authority', 'version', 'attachments'];
const SUBSTATEMENT_KEYS = ['objectType', 'actor', 'verb', 'object', 'result', 'context', 'timestamp', 'attachments'];
const AGENT_KEYS = ['objectType', 'name', 'mbox', 'mbox_sha1sum', 'openid', 'account'];
const GROUP_KEYS = [...AGENT_KEYS, 'member'];
const IFI_KEYS = ['mbox', 'mbox_sha1sum', 'openid', 'account'] as const;
const INTERACTION_TYPES = ['true-false', 'choice', 'fill-in', 'long-fill-in', 'matching', 'performance', 'sequencing', 'likert', 'numeric', 'other'];
/** Which interaction component lists each interaction type may carry (Data §2.4.4.1.3). */
const COMPONENT_LISTS: Record<string, readonly string[]> = {
  choice: ['choices'],
  sequencing: ['choices'],
  likert: ['scale'],
  matching: ['source', 'target'],
  performance: ['steps'],
};

export function isUuid(v: unknown): v is string {
  return typeof v === 'string' && UUID.test(v);
}

export function isIri(v: unknown): v is string {
  return typeof v === 'string' && IRI.test(v);
}

/** An IRL: an IRI that is also a resolvable URL. */
export function isIrl(v: unknown): v is string {
  if (!isIri(v)) return false;
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') ? u.host !== '' : true;
  } catch {
    return false;
  }
}

export function isLanguageTag(v: unknown): v is string {
  return typeof v === 'string' && LANGTAG.test(v);
}

export function isDuration(v: unknown): v is string {
  return typeof v === 'string' && DURATION.test(v);
}

/** The instant of an ISO 8601 timestamp with a time zone, or null when it is not one. */
export function timestampInstant(v: unknown): Date | null {
  if (typeof v !== 'string') return null;
  const m = TIMESTAMP.exec(v);
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '00', frac = '', zone] = m;
  if (+mo < 1 || +mo > 12 || +d < 1 || +d > daysIn(+y, +mo) || +h > 23 || +mi > 59 || +s > 59) return null;
  let offset = 'Z';
  if (zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = digits.slice(0, 2);
    const om = digits.slice(2) || '00';
    if (+oh > 23 || +om > 59) return null;
    // RFC 3339 reserves -00:00 for "offset unknown"; xAPI forbids it.
    if (zone[0] === '-' && +oh === 0 && +om === 0) return null;
    offset = `${zone[0]}${oh}:${om}`;
  }
  const ms = frac ? frac.slice(0, 4).padEnd(4, '0') : '.000';
  const t = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${ms}${offset}`);
  return Number.isNaN(t) ? null : new Date(t);
}

function daysIn(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

class Checker {
  readonly issues: XapiIssue[] = [];

  /** Records one issue per path (the first found): a null, say, is not also "not a string". */
  fail(path: string, message: string): false {
    const p = path || '(statement)';
    if (!this.issues.some((i) => i.path === p)) this.issues.push({ path: p, message: `${path || 'the statement'} ${message}` });
    return false;
  }

  /**
   * An object with only the allowed keys (case-sensitive), not empty, no null values. False only
   * when it is no object at all: the caller goes on checking the keys it knows, so one answer
   * names every problem.
   */
  object(v: unknown, path: string, allowed: readonly string[]): v is Obj {
    if (!isObj(v)) return this.fail(path, `must be an object, not ${typeName(v)}`);
    const keys = Object.keys(v);
    if (!keys.length) this.fail(path, 'must not be an empty object');
    for (const k of keys) {
      if (!allowed.includes(k)) {
        const near = allowed.find((a) => a.toLowerCase() === k.toLowerCase());
        this.fail(join(path, k), near ? `is not a property (property names are case-sensitive: ${near})` : 'is not a property xAPI 1.0.3 defines here');
      } else if (v[k] === null) {
        this.fail(join(path, k), 'must not be null (leave the property out instead)');
      }
    }
    return true;
  }

  required(o: Obj, path: string, key: string): boolean {
    if (o[key] === undefined) return this.fail(join(path, key), 'is required');
    return true;
  }

  string(v: unknown, path: string): v is string {
    if (typeof v !== 'string') return this.fail(path, `must be a string, not ${typeName(v)}`);
    return true;
  }

  iri(v: unknown, path: string): boolean {
    if (!this.string(v, path)) return false;
    if (!isIri(v)) return this.fail(path, `must be an absolute IRI (e.g. http://example.com/x), not "${clip(v)}"`);
    return true;
  }

  irl(v: unknown, path: string): boolean {
    if (!this.string(v, path)) return false;
    if (!isIrl(v)) return this.fail(path, `must be an absolute URL (IRL), not "${clip(v)}"`);
    return true;
  }

  uuid(v: unknown, path: string): boolean {
    if (!this.string(v, path)) return false;
    if (!isUuid(v)) return this.fail(path, `must be a UUID, not "${clip(v)}"`);
    return true;
  }

  boolean(v: unknown, path: string): boolean {
    if (typeof v !== 'boolean') return this.fail(path, `must be true or false, not ${typeName(v)}`);
    return true;
  }

  number(v: unknown, path: string): v is number {
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.fail(path, `must be a number, not ${typeName(v)}`);
    return true;
  }

  timestamp(v: unknown, path: string): boolean {
    if (!this.string(v, path)) return false;
    if (!timestampInstant(v)) return this.fail(path, `must be an ISO 8601 date-time with a time zone (not -00:00), e.g. 2024-03-01T10:15:00+01:00, not "${clip(v)}"`);
    return true;
  }

  languageMap(v: unknown, path: string): boolean {
    if (!isObj(v)) return this.fail(path, `must be a language map (an object of language tag → string), not ${typeName(v)}`);
    if (!Object.keys(v).length) return this.fail(path, 'must not be an empty object');
    let ok = true;
    for (const [tag, text] of Object.entries(v)) {
      if (!isLanguageTag(tag)) ok = this.fail(join(path, tag), `"${clip(tag)}" is not an RFC 5646 language tag`);
      else if (typeof text !== 'string') ok = this.fail(join(path, tag), `must be a string, not ${typeName(text)}`);
    }
    return ok;
  }

  /** Extension values are free JSON (null allowed there, per Data 2.2.s4.b1.b1); keys are IRIs. */
  extensions(v: unknown, path: string): boolean {
    if (!isObj(v)) return this.fail(path, `must be an object with IRI keys, not ${typeName(v)}`);
    let ok = true;
    for (const k of Object.keys(v)) if (!isIri(k)) ok = this.fail(join(path, k), 'is not an absolute IRI (extension keys must be IRIs)');
    return ok;
  }

  // --- Agents and groups -------------------------------------------------------------------

  /** The inverse functional identifiers present, each checked; returns how many there are. */
  ifis(o: Obj, path: string): number {
    let n = 0;
    for (const k of IFI_KEYS) {
      const v = o[k];
      if (v === undefined || v === null) continue;
      n++;
      const p = join(path, k);
      if (k === 'mbox') {
        if (this.string(v, p)) {
          if (!v.startsWith('mailto:')) this.fail(p, 'must start with mailto:');
          else if (!EMAIL.test(v.slice(7))) this.fail(p, `must be mailto: followed by an e-mail address, not "${clip(v)}"`);
        }
      } else if (k === 'mbox_sha1sum') {
        if (this.string(v, p) && !SHA1.test(v)) this.fail(p, 'must be the 40 hexadecimal digits of a SHA-1 sum');
      } else if (k === 'openid') {
        if (this.string(v, p) && !isIri(v)) this.fail(p, 'must be an absolute URI');
      } else if (this.object(v, p, ['homePage', 'name'])) {
        if (this.required(v, p, 'homePage')) this.irl(v.homePage, join(p, 'homePage'));
        if (this.required(v, p, 'name')) this.string(v.name, join(p, 'name'));
      }
    }
    return n;
  }

  agent(v: unknown, path: string): boolean {
    if (!this.object(v, path, AGENT_KEYS)) return false;
    if (v.objectType !== undefined && v.objectType !== 'Agent') return this.fail(join(path, 'objectType'), `must be "Agent" here, not ${JSON.stringify(v.objectType)}`);
    if (v.name !== undefined) this.string(v.name, join(path, 'name'));
    const n = this.ifis(v, path);
    if (n !== 1) return this.fail(path, `must have exactly one inverse functional identifier (mbox, mbox_sha1sum, openid or account), not ${n}`);
    return true;
  }

  group(v: unknown, path: string): boolean {
    if (!this.object(v, path, GROUP_KEYS)) return false;
    if (v.objectType !== 'Group') return this.fail(join(path, 'objectType'), 'must be "Group" for a group');
    if (v.name !== undefined) this.string(v.name, join(path, 'name'));
    const n = this.ifis(v, path);
    if (n > 1) this.fail(path, `must have at most one inverse functional identifier, not ${n}`);
    if (v.member !== undefined) {
      const mp = join(path, 'member');
      if (!Array.isArray(v.member)) this.fail(mp, `must be an array of Agents, not ${typeName(v.member)}`);
      else {
        if (n === 0 && !v.member.length) this.fail(mp, 'must list at least one Agent for an anonymous group');
        v.member.forEach((m, i) => {
          if (isObj(m) && m.objectType === 'Group') this.fail(join(mp, i), 'must be an Agent (groups cannot contain groups)');
          else this.agent(m, join(mp, i));
        });
      }
    } else if (n === 0) {
      this.fail(join(path, 'member'), 'is required for an anonymous group (one without an inverse functional identifier)');
    }
    return true;
  }

  actor(v: unknown, path: string): boolean {
    if (isObj(v) && v.objectType === 'Group') return this.group(v, path);
    return this.agent(v, path);
  }

  // --- Verb, activities, objects -----------------------------------------------------------

  verb(v: unknown, path: string) {
    if (!this.object(v, path, ['id', 'display'])) return;
    if (this.required(v, path, 'id')) this.iri(v.id, join(path, 'id'));
    if (v.display !== undefined) this.languageMap(v.display, join(path, 'display'));
  }

  activity(v: unknown, path: string) {
    if (!this.object(v, path, ['objectType', 'id', 'definition'])) return;
    if (v.objectType !== undefined && v.objectType !== 'Activity') this.fail(join(path, 'objectType'), `must be "Activity" here, not ${JSON.stringify(v.objectType)}`);
    if (this.required(v, path, 'id')) this.iri(v.id, join(path, 'id'));
    if (v.definition !== undefined) this.definition(v.definition, join(path, 'definition'));
  }

  definition(v: unknown, path: string) {
    const keys = ['name', 'description', 'type', 'moreInfo', 'extensions', 'interactionType', 'correctResponsesPattern', 'choices', 'scale', 'source', 'target', 'steps'];
    if (!this.object(v, path, keys)) return;
    if (v.name !== undefined) this.languageMap(v.name, join(path, 'name'));
    if (v.description !== undefined) this.languageMap(v.description, join(path, 'description'));
    if (v.type !== undefined) this.iri(v.type, join(path, 'type'));
    if (v.moreInfo !== undefined) this.irl(v.moreInfo, join(path, 'moreInfo'));
    if (v.extensions !== undefined) this.extensions(v.extensions, join(path, 'extensions'));
    const type = v.interactionType;
    if (type !== undefined && this.string(type, join(path, 'interactionType')) && !INTERACTION_TYPES.includes(type)) {
      this.fail(join(path, 'interactionType'), `must be one of ${INTERACTION_TYPES.join(', ')}`);
    }
    if (v.correctResponsesPattern !== undefined) {
      const p = join(path, 'correctResponsesPattern');
      if (type === undefined) this.fail(p, 'needs an interactionType');
      if (!Array.isArray(v.correctResponsesPattern)) this.fail(p, `must be an array of strings, not ${typeName(v.correctResponsesPattern)}`);
      else v.correctResponsesPattern.forEach((s, i) => this.string(s, join(p, i)));
    }
    for (const list of ['choices', 'scale', 'source', 'target', 'steps']) {
      if (v[list] === undefined) continue;
      const p = join(path, list);
      if (typeof type !== 'string' || !(COMPONENT_LISTS[type] ?? []).includes(list)) {
        this.fail(p, `is not allowed for interactionType ${JSON.stringify(type ?? null)}`);
        continue;
      }
      const items = v[list];
      if (!Array.isArray(items)) {
        this.fail(p, `must be an array of interaction components, not ${typeName(items)}`);
        continue;
      }
      const seen = new Set<string>();
      items.forEach((c, i) => {
        const cp = join(p, i);
        if (!this.object(c, cp, ['id', 'description'])) return;
        if (this.required(c, cp, 'id') && this.string(c.id, join(cp, 'id'))) {
          if (seen.has(c.id)) this.fail(join(cp, 'id'), `repeats "${clip(c.id)}" (ids must be unique within the list)`);
          seen.add(c.id);
        }
        if (c.description !== undefined) this.languageMap(c.description, join(cp, 'description'));
      });
    }
  }

  statementRef(v: unknown, path: string) {
    if (!this.object(v, path, ['objectType', 'id'])) return;
    if (v.objectType !== 'StatementRef') this.fail(join(path, 'objectType'), 'must be "StatementRef"');
    if (this.required(v, path, 'id')) this.uuid(v.id, join(path, 'id'));
  }

  object_(v: unknown, path: string, inSubStatement: boolean) {
    if (!isObj(v)) {
      this.fail(path, `must be an object, not ${typeName(v)}`);
      return;
    }
    const type = v.objectType;
    switch (type) {
      case undefined:
      case 'Activity':
        return this.activity(v, path);
      case 'Agent':
        return void this.agent(v, path);
      case 'Group':
        return void this.group(v, path);
      case 'StatementRef':
        return this.statementRef(v, path);
      case 'SubStatement':
        if (inSubStatement) return void this.fail(join(path, 'objectType'), 'must not be "SubStatement" inside a SubStatement');
        return this.statement(v, path, true);
      default:
        this.fail(join(path, 'objectType'), `must be one of Activity, Agent, Group, SubStatement, StatementRef, not ${JSON.stringify(type)}`);
    }
  }

  // --- Result and context ------------------------------------------------------------------

  result(v: unknown, path: string) {
    if (!this.object(v, path, ['score', 'success', 'completion', 'response', 'duration', 'extensions'])) return;
    if (v.score !== undefined) this.score(v.score, join(path, 'score'));
    if (v.success !== undefined) this.boolean(v.success, join(path, 'success'));
    if (v.completion !== undefined) this.boolean(v.completion, join(path, 'completion'));
    if (v.response !== undefined) this.string(v.response, join(path, 'response'));
    if (v.duration !== undefined && this.string(v.duration, join(path, 'duration')) && !isDuration(v.duration)) {
      this.fail(join(path, 'duration'), `must be an ISO 8601 duration such as PT1H30M, not "${clip(v.duration)}"`);
    }
    if (v.extensions !== undefined) this.extensions(v.extensions, join(path, 'extensions'));
  }

  score(v: unknown, path: string) {
    if (!this.object(v, path, ['scaled', 'raw', 'min', 'max'])) return;
    const n: Record<string, number | undefined> = {};
    for (const k of ['scaled', 'raw', 'min', 'max']) if (v[k] !== undefined && this.number(v[k], join(path, k))) n[k] = v[k] as number;
    if (n.scaled !== undefined && (n.scaled < -1 || n.scaled > 1)) this.fail(join(path, 'scaled'), 'must be between -1 and 1');
    if (n.min !== undefined && n.max !== undefined && n.min >= n.max) this.fail(join(path, 'min'), 'must be less than max');
    if (n.raw !== undefined && n.min !== undefined && n.raw < n.min) this.fail(join(path, 'raw'), 'must not be less than min');
    if (n.raw !== undefined && n.max !== undefined && n.raw > n.max) this.fail(join(path, 'raw'), 'must not be greater than max');
  }

  context(v: unknown, path: string, objectIsActivity: boolean) {
    const keys = ['registration', 'instructor', 'team', 'contextActivities', 'revision', 'platform', 'language', 'statement', 'extensions'];
    if (!this.object(v, path, keys)) return;
    if (v.registration !== undefined) this.uuid(v.registration, join(path, 'registration'));
    if (v.instructor !== undefined) this.actor(v.instructor, join(path, 'instructor'));
    if (v.team !== undefined) {
      if (isObj(v.team) && v.team.objectType !== 'Group') this.fail(join(path, 'team'), 'must be a Group (objectType "Group")');
      else this.group(v.team, join(path, 'team'));
    }
    if (v.contextActivities !== undefined) {
      const cp = join(path, 'contextActivities');
      if (this.object(v.contextActivities, cp, ['parent', 'grouping', 'category', 'other'])) {
        for (const [k, a] of Object.entries(v.contextActivities)) {
          if (Array.isArray(a)) a.forEach((x, i) => this.activity(x, join(join(cp, k), i)));
          else this.activity(a, join(cp, k));
        }
      }
    }
    for (const k of ['revision', 'platform']) {
      if (v[k] === undefined) continue;
      if (!objectIsActivity) this.fail(join(path, k), 'may only be used when the object is an Activity');
      else this.string(v[k], join(path, k));
    }
    if (v.language !== undefined && this.string(v.language, join(path, 'language')) && !isLanguageTag(v.language)) {
      this.fail(join(path, 'language'), `"${clip(v.language)}" is not an RFC 5646 language tag`);
    }
    if (v.statement !== undefined) this.statementRef(v.statement, join(path, 'statement'));
    if (v.extensions !== undefined) this.extensions(v.extensions, join(path, 'extensions'));
  }

  // --- The statement -----------------------------------------------------------------------

  statement(v: unknown, path: string, sub: boolean) {
    const allowed = sub ? SUBSTATEMENT_KEYS : STATEMENT_KEYS;
    if (!isObj(v)) return void this.fail(path, `must be an object, not ${typeName(v)}`);
    if (sub) {
      for (const k of ['id', 'stored', 'version', 'authority']) if (k in v) this.fail(join(path, k), 'must not be set in a SubStatement');
    }
    const rest = sub ? Object.fromEntries(Object.entries(v).filter(([k]) => !['id', 'stored', 'version', 'authority'].includes(k))) : v;
    this.object(rest, path, allowed);
    if (!sub && v.id !== undefined && v.id !== null) this.uuid(v.id, join(path, 'id'));
    if (this.required(v, path, 'actor') && v.actor !== null) this.actor(v.actor, join(path, 'actor'));
    if (this.required(v, path, 'verb') && v.verb !== null) this.verb(v.verb, join(path, 'verb'));
    if (this.required(v, path, 'object') && v.object !== null) this.object_(v.object, join(path, 'object'), sub);
    if (v.result !== undefined && v.result !== null) this.result(v.result, join(path, 'result'));
    if (v.context !== undefined && v.context !== null) {
      const o = v.object;
      const objectIsActivity = isObj(o) && (o.objectType === undefined || o.objectType === 'Activity');
      this.context(v.context, join(path, 'context'), objectIsActivity);
    }
    if (v.timestamp !== undefined && v.timestamp !== null) this.timestamp(v.timestamp, join(path, 'timestamp'));
    if (!sub) {
      if (v.stored !== undefined && v.stored !== null) this.timestamp(v.stored, join(path, 'stored'));
      if (v.authority !== undefined && v.authority !== null) this.actor(v.authority, join(path, 'authority'));
      if (v.version !== undefined && v.version !== null && this.string(v.version, join(path, 'version')) && !/^1\.0(\.\d+)?$/.test(v.version)) {
        this.fail(join(path, 'version'), `must be a 1.0.x version, not "${clip(v.version)}"`);
      }
    }
    // An empty list asks for nothing; any attachment would need multipart storage we do not keep.
    if (v.attachments !== undefined && v.attachments !== null && !(Array.isArray(v.attachments) && v.attachments.length === 0)) {
      this.fail(join(path, 'attachments'), 'are not supported by this LRS (it stores statements only)');
    }
  }
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

/** Every violation of xAPI 1.0.3's statement format in one statement; empty when it is valid. */
export function validateStatement(statement: unknown, path = ''): XapiIssue[] {
  const c = new Checker();
  c.statement(statement, path, false);
  return c.issues;
}
