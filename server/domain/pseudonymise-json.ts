import { ANONYMISED_HOME, ANONYMISED_NAME } from './privacy-map.ts';

/** A person retention is anonymising, as they are named before it. */
export interface Named {
  id: number;
  employeeNumber: string;
  email: string | null;
  name: string;
}

export interface NameIndex {
  byNumber: Map<string, Named>;
  byEmail: Map<string, Named>;
}

export const pseudonymOf = (p: { id: number }) => `ANON-${p.id}`;

export function nameIndex(people: Named[]): NameIndex {
  const byNumber = new Map<string, Named>();
  const byEmail = new Map<string, Named>();
  for (const p of people) {
    byNumber.set(p.employeeNumber, p);
    if (p.email) byEmail.set(p.email.toLowerCase(), p);
  }
  return { byNumber, byEmail };
}

const EMAILISH = /[^\s"'<>():;,/]+@[^\s"'<>():;,/]+/g;

/**
 * The JSON with what names the people of `index` replaced: a value equal to an employee number,
 * an address anywhere in a text (mailto: included) by the person's pseudonym; and the names of
 * `named` (the people the row itself belongs to) by "Anonymiserad". Keys stay as they are.
 */
export function pseudonymiseJson(value: unknown, index: NameIndex, named: Named[] = []): unknown {
  const names = named.map((p) => p.name).filter((n) => n.trim().length > 1);
  const text = (s: string): string => {
    const exact = index.byNumber.get(s.trim());
    if (exact) return pseudonymOf(exact);
    let out = s.includes('@') ? s.replace(EMAILISH, (m) => (index.byEmail.has(m.toLowerCase()) ? pseudonymOf(index.byEmail.get(m.toLowerCase())!) : m)) : s;
    for (const n of names) out = replaceAllCaseless(out, n, ANONYMISED_NAME);
    return out;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return text(v);
    if (typeof v === 'number' && index.byNumber.has(String(v))) return pseudonymOf(index.byNumber.get(String(v))!);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value);
}

/**
 * An xAPI statement that names nobody: every Agent becomes an account on ANONYMISED_HOME (the
 * person's pseudonym where the agent is one of `index`'s people or the actor of the person the
 * statement belongs to, else "anonymised"), every Group keeps only its members so anonymised; the
 * authority (the client credential, not a person) stays. Then as pseudonymiseJson, for names and
 * addresses in free text. Still a valid statement: each agent has exactly one identifier.
 */
export function anonymiseStatement(statement: unknown, index: NameIndex, owner: Named | null): unknown {
  const agentName = (v: Record<string, unknown>, isActor: boolean): string => {
    const mbox = typeof v.mbox === 'string' ? v.mbox.replace(/^mailto:/i, '').toLowerCase() : null;
    const account = v.account && typeof v.account === 'object' ? (v.account as Record<string, unknown>).name : null;
    const p = (mbox && index.byEmail.get(mbox)) || (typeof account === 'string' && index.byNumber.get(account)) || (isActor ? owner : null);
    return p ? pseudonymOf(p) : 'anonymised';
  };
  const anonymousAgent = (name: string) => ({ objectType: 'Agent', account: { homePage: ANONYMISED_HOME, name } });
  const isAgentish = (v: Record<string, unknown>) =>
    v.objectType === 'Agent' || v.objectType === 'Group' || (v.objectType === undefined && ['mbox', 'mbox_sha1sum', 'openid', 'account'].some((k) => k in v));
  const walk = (v: unknown, key: string | null, top: boolean): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, null, false));
    if (!v || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    if (isAgentish(o)) {
      if (o.objectType === 'Group') return { objectType: 'Group', member: Array.isArray(o.member) ? o.member.map((m) => walk(m, null, false)) : [] };
      return anonymousAgent(agentName(o, key === 'actor' && top));
    }
    // Each statement level (the statement, a SubStatement) has its own actor.
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, top && k === 'authority' ? x : walk(x, k, k === 'object' ? false : top)]));
  };
  const out = walk(statement, null, true) as Record<string, unknown>;
  const { authority, ...rest } = out;
  const cleaned = pseudonymiseJson(rest, index, owner ? [owner] : []) as Record<string, unknown>;
  return authority === undefined ? cleaned : { ...cleaned, authority };
}

function replaceAllCaseless(s: string, find: string, by: string): string {
  const lower = s.toLowerCase();
  const f = find.toLowerCase();
  let at = lower.indexOf(f);
  if (at < 0) return s;
  let out = '';
  let from = 0;
  while (at >= 0) {
    out += s.slice(from, at) + by;
    from = at + f.length;
    at = lower.indexOf(f, from);
  }
  return out + s.slice(from);
}
