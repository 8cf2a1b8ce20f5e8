/**
 * The formats xAPI 1.0.3 names (UUID, IRI, IRL, RFC 5646 language tag, ISO 8601 duration and
 * timestamp), as plain predicates: the statement schema (statement.ts) and the store use them.
 */

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// An absolute IRI: a scheme, a colon, and no characters RFC 3987 forbids anywhere.
const IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`\u0000-\u001f\u007f]+$/u;
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
