import { describe, expect, it } from 'vitest';
import { anonymiseStatement, nameIndex, pseudonymiseJson, type Named } from '../../server/domain/pseudonymise-json.ts';
import { validateStatement } from '../../server/xapi/validate.ts';

// What retention writes in place of a leaver's JSON: nothing that names her, and an xAPI statement
// that is still valid by every MUST the LRS checks on the way in.

const ada: Named = { id: 7, employeeNumber: 'P1', email: 'ada@example.se', name: 'Ada Ett' };
const index = nameIndex([ada]);
const ANON = 'urn:kompetenskoll:anonymised';

describe('pseudonymiseJson', () => {
  it('replaces her number (text or number), her address inside text, and her name where the row is hers', () => {
    const detail = { employeeNumber: 'P1', employeeNumbers: ['P1', 'P2'], to: 'mailto:ADA@example.se', note: 'Ada Ett bytte enhet', n: 12 };
    expect(pseudonymiseJson(detail, index, [ada])).toEqual({ employeeNumber: 'ANON-7', employeeNumbers: ['ANON-7', 'P2'], to: 'mailto:ANON-7', note: 'Anonymiserad bytte enhet', n: 12 });
    // Names only where the row is hers: someone else's row keeps a namesake.
    expect(pseudonymiseJson({ note: 'Ada Ett' }, index)).toEqual({ note: 'Ada Ett' });
  });
});

describe('anonymiseStatement', () => {
  const statement = {
    id: 'fd41c918-b88b-4b20-a0a5-a4c32391aaa0',
    actor: { objectType: 'Agent', name: 'Ada Ett', mbox: 'mailto:ada@example.se' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'sv-SE': 'slutförde' } },
    object: {
      objectType: 'SubStatement',
      actor: { objectType: 'Agent', mbox_sha1sum: 'ebd31e95054c018b10727ccffd2ef2ec3a016ee9' },
      verb: { id: 'http://adlnet.gov/expapi/verbs/attended' },
      object: { objectType: 'Activity', id: 'https://utbildning.stockholm.se/xapi/vbe' },
    },
    context: {
      instructor: { objectType: 'Agent', name: 'Lärare Lind', account: { homePage: 'https://hr.stockholm.se', name: 'P9' } },
      team: { objectType: 'Group', name: 'Lag A', mbox: 'mailto:lag@example.se', member: [{ objectType: 'Agent', openid: 'https://id.example.se/ada' }] },
    },
    result: { response: 'Ada Ett: klar' },
    authority: { objectType: 'Agent', account: { homePage: 'https://kompetenskoll.stockholm.se', name: 'portal' } },
  };

  it('leaves every agent an anonymous account, the authority as it was, and a valid statement', () => {
    const out = anonymiseStatement(statement, index, ada) as any;
    expect(out.actor).toEqual({ objectType: 'Agent', account: { homePage: ANON, name: 'ANON-7' } });
    expect(out.object.actor).toEqual({ objectType: 'Agent', account: { homePage: ANON, name: 'anonymised' } });
    expect(out.context.instructor).toEqual({ objectType: 'Agent', account: { homePage: ANON, name: 'anonymised' } });
    expect(out.context.team).toEqual({ objectType: 'Group', member: [{ objectType: 'Agent', account: { homePage: ANON, name: 'anonymised' } }] });
    expect(out.result).toEqual({ response: 'Anonymiserad: klar' });
    expect(out.authority).toEqual(statement.authority);
    expect(out.object.object).toEqual(statement.object.object);
    expect(JSON.stringify(out)).not.toMatch(/ada|Ett|P9|Lind|lag@|sha1/i);
    expect(validateStatement(statement)).toEqual([]);
    expect(validateStatement(out)).toEqual([]);
  });
});
