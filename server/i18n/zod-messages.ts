import type { core } from 'zod';
import type { Lang } from './messages.ts';

/**
 * zod's issues in the caller's language, naming fields by the words the forms use rather than by
 * their API keys. A schema's own refinements carry a key of CUSTOM as their message.
 */

type Both = { sv: string; en: string };

/** The fields of the bodies the API takes, as a coordinator knows them. */
const FIELDS: Record<string, Both> = {
  code: { sv: 'Kod', en: 'Code' },
  title: { sv: 'Benämning', en: 'Title' },
  titleEn: { sv: 'Benämning på engelska', en: 'English title' },
  courses: { sv: 'Kurser', en: 'Courses' },
  scope: { sv: 'Omfattar enheter', en: 'Units covered' },
  employmentTypes: { sv: 'Anställningsformer', en: 'Employment types' },
  titles: { sv: 'Befattningar', en: 'Job titles' },
  effectiveFrom: { sv: 'Gäller från', en: 'In force from' },
  effectiveTo: { sv: 'Gäller till och med', en: 'In force until' },
  dueDate: { sv: 'Sista dag att genomföra', en: 'Due date' },
  graceDays: { sv: 'Dagar efter anställning', en: 'Days after employment' },
  targetRate: { sv: 'Mål', en: 'Target' },
  source: { sv: 'Beslut eller källa', en: 'Decision or source' },
  responsible: { sv: 'Ansvarig', en: 'Responsible' },
  followUp: { sv: 'Uppföljning', en: 'Follow-up' },
  kind: { sv: 'Typ', en: 'Type' },
  url: { sv: 'Länk till kursen', en: 'Course link' },
  validityMonths: { sv: 'Giltighet i månader', en: 'Validity in months' },
  xapiActivityId: { sv: 'xAPI-aktivitets-id', en: 'xAPI activity id' },
  versionNotes: { sv: 'Versionsanteckningar', en: 'Version notes' },
  employeeNumber: { sv: 'Anställningsnummer', en: 'Employee number' },
  employeeNumbers: { sv: 'Anställningsnummer', en: 'Employee numbers' },
  role: { sv: 'Roll', en: 'Role' },
  roles: { sv: 'Roller', en: 'Roles' },
  unit: { sv: 'Enhet', en: 'Unit' },
  sv: { sv: 'svenska', en: 'Swedish' },
  en: { sv: 'engelska', en: 'English' },
};

/** Messages of the schemas' own refinements. */
export const CUSTOM = {
  date: { sv: 'ska vara ett datum ÅÅÅÅ-MM-DD', en: 'must be a date YYYY-MM-DD' },
  code: { sv: 'får bara innehålla bokstäver a–z, siffror och . _ - (och börja med en bokstav eller siffra)', en: 'may hold only letters a–z, digits and . _ - (starting with a letter or digit)' },
  rate: { sv: 'ska vara en andel från 0 till 1 med högst sex decimaler (85,5 % är 0,855)', en: 'must be a rate from 0 to 1 with at most six decimals (85.5 % is 0.855)' },
  effectiveOrder: { sv: 'får inte ligga före Gäller från', en: 'must not be before In force from' },
} satisfies Record<string, Both>;
export type CustomKey = keyof typeof CUSTOM;
/** The message to give a refinement: a key of CUSTOM, turned into words when the issue is answered. */
export const custom = (key: CustomKey) => `kk:${key}`;

const TYPES: Record<string, Both> = {
  string: { sv: 'text', en: 'text' },
  number: { sv: 'ett tal', en: 'a number' },
  int: { sv: 'ett heltal', en: 'a whole number' },
  boolean: { sv: 'sant eller falskt', en: 'true or false' },
  array: { sv: 'en lista', en: 'a list' },
  object: { sv: 'ett objekt', en: 'an object' },
};

export function fieldWords(path: readonly PropertyKey[], lang: Lang): string {
  const words: string[] = [];
  for (const p of path) {
    if (typeof p === 'number' && words.length) words[words.length - 1] += lang === 'sv' ? ` (nummer ${p + 1})` : ` (number ${p + 1})`;
    else if (typeof p === 'string') words.push(FIELDS[p]?.[lang] ?? p);
  }
  if (!words.length) return lang === 'sv' ? 'Innehållet' : 'The body';
  return words.join(' › ');
}

function limit(issue: { origin?: string; minimum?: unknown; maximum?: unknown; inclusive?: boolean }, lang: Lang, small: boolean): string {
  const n = Number(small ? issue.minimum : issue.maximum);
  const sv = lang === 'sv';
  switch (issue.origin) {
    case 'string':
      if (small && n <= 1) return sv ? 'får inte vara tomt' : 'must not be empty';
      return small ? (sv ? `ska ha minst ${n} tecken` : `must have at least ${n} characters`) : sv ? `får ha högst ${n} tecken` : `may have at most ${n} characters`;
    case 'array':
    case 'set':
      if (small && n <= 1) return sv ? 'ska ha minst ett val' : 'must have at least one entry';
      return small ? (sv ? `ska ha minst ${n} val` : `must have at least ${n} entries`) : sv ? `får ha högst ${n} val` : `may have at most ${n} entries`;
    default: {
      const shown = sv ? String(n).replace('.', ',') : String(n);
      return small ? (sv ? `ska vara minst ${shown}` : `must be at least ${shown}`) : sv ? `får vara högst ${shown}` : `may be at most ${shown}`;
    }
  }
}

/** One issue as a phrase that follows the field's name ("Mål: ska vara …"). */
export function issueWords(issue: core.$ZodIssue, lang: Lang): string {
  const sv = lang === 'sv';
  if (issue.message.startsWith('kk:')) {
    const c = CUSTOM[issue.message.slice(3) as CustomKey];
    if (c) return c[lang];
  }
  switch (issue.code) {
    case 'too_small':
      return limit(issue, lang, true);
    case 'too_big':
      return limit(issue, lang, false);
    case 'invalid_type': {
      if (issue.input === undefined) return sv ? 'saknas' : 'is missing';
      const t = TYPES[issue.expected]?.[lang] ?? issue.expected;
      return sv ? `ska vara ${t}` : `must be ${t}`;
    }
    case 'invalid_format':
      if (issue.format === 'url') return sv ? 'ska vara en fullständig webbadress (https://…)' : 'must be a full web address (https://…)';
      return sv ? 'har fel form' : 'has the wrong form';
    case 'invalid_value':
      return sv ? `ska vara ett av: ${issue.values.map(String).join(', ')}` : `must be one of: ${issue.values.map(String).join(', ')}`;
    case 'unrecognized_keys':
      return sv ? `okända fält: ${issue.keys.join(', ')}` : `unknown fields: ${issue.keys.join(', ')}`;
    case 'not_multiple_of':
      return sv ? `ska vara en multipel av ${issue.divisor}` : `must be a multiple of ${issue.divisor}`;
    case 'invalid_union':
      return sv ? 'har fel form' : 'has the wrong form';
    default:
      return sv ? 'är ogiltigt' : 'is invalid';
  }
}
