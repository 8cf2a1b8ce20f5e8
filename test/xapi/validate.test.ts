import { describe, expect, it } from 'vitest';
import { isDuration, isIri, isIrl, isLanguageTag, timestampInstant, validateStatement } from '../../server/xapi/validate.ts';

// Table-driven: statements the xAPI 1.0.3 spec shows (adlnet/xAPI-Spec, xAPI-Data.md, as far as
// remembered) must pass; each broken variant must fail naming the offending path.

type Obj = Record<string, any>;

const SIMPLEST = {
  id: 'fd41c918-b88b-4b20-a0a5-a4c32391aaa0',
  timestamp: '2015-11-18T12:17:00+00:00',
  actor: { objectType: 'Agent', name: 'Project Tin Can API', mbox: 'mailto:user@example.com' },
  verb: { id: 'http://example.com/xapi/verbs#sent-a-statement', display: { 'en-US': 'sent' } },
  object: {
    id: 'http://example.com/xapi/activity/simplestatement',
    definition: {
      name: { 'en-US': 'simple statement' },
      description: { 'en-US': 'A simple Experience API statement.' },
    },
  },
};

const TYPICAL = {
  id: '7ccd3322-e1a5-411a-a67d-6a735c76f119',
  timestamp: '2015-12-18T12:17:00+00:00',
  actor: { objectType: 'Agent', name: 'Example Learner', mbox: 'mailto:example.learner@adlnet.gov' },
  verb: { id: 'http://adlnet.gov/expapi/verbs/attempted', display: { 'en-US': 'attempted' } },
  object: {
    id: 'http://example.adlnet.gov/xapi/example/simpleCBT',
    definition: { name: { 'en-US': 'simple CBT course' }, description: { 'en-US': 'A fictitious example CBT course.' } },
  },
  result: { score: { scaled: 0.95 }, success: true, completion: true, duration: 'PT1234S' },
};

const LONG = {
  id: '6690e6c9-3ef0-4ed3-8b37-7f3964730bee',
  actor: {
    name: 'Team PB',
    mbox: 'mailto:teampb@example.com',
    member: [
      { name: 'Andrew Downes', account: { homePage: 'http://www.example.com', name: '13936749' }, objectType: 'Agent' },
      { name: 'Toby Nichols', openid: 'http://toby.openid.example.org/', objectType: 'Agent' },
      { name: 'Ena Hills', mbox_sha1sum: 'ebd31e95054c018b10727ccffd2ef2ec3a016ee9', objectType: 'Agent' },
    ],
    objectType: 'Group',
  },
  verb: { id: 'http://adlnet.gov/expapi/verbs/attended', display: { 'en-GB': 'attended', 'en-US': 'attended' } },
  result: {
    extensions: { 'http://example.com/profiles/meetings/resultextensions/minuteslocation': 'X:\\meetings\\minutes\\examplemeeting.one' },
    success: true,
    completion: true,
    response: 'We agreed on some example actions.',
    duration: 'PT1H0M0S',
  },
  context: {
    registration: 'ec531277-b57b-4c15-8d91-d292c5b2b8f7',
    contextActivities: {
      parent: [{ id: 'http://www.example.com/meetings/series/267', objectType: 'Activity' }],
      category: [
        {
          id: 'http://www.example.com/meetings/categories/teammeeting',
          objectType: 'Activity',
          definition: {
            name: { en: 'team meeting' },
            description: { en: 'A category of meeting used for regular team meetings.' },
            type: 'http://example.com/expapi/activities/meetingcategory',
          },
        },
      ],
      other: [
        { id: 'http://www.example.com/meetings/occurances/34257', objectType: 'Activity' },
        { id: 'http://www.example.com/meetings/occurances/3425567', objectType: 'Activity' },
      ],
    },
    instructor: { name: 'Andrew Downes', account: { homePage: 'http://www.example.com', name: '13936749' }, objectType: 'Agent' },
    team: { name: 'Team PB', mbox: 'mailto:teampb@example.com', objectType: 'Group' },
    platform: 'Example virtual meeting software',
    language: 'tlh',
    statement: { objectType: 'StatementRef', id: '6690e6c9-3ef0-4ed3-8b37-7f3964730bee' },
  },
  timestamp: '2013-05-18T05:32:34.804+00:00',
  stored: '2013-05-18T05:32:34.804+00:00',
  authority: { account: { homePage: 'http://cloud.scorm.com/', name: 'anonymous' }, objectType: 'Agent' },
  version: '1.0.0',
  object: {
    id: 'http://www.example.com/meetings/occurances/34534',
    definition: {
      extensions: { 'http://example.com/profiles/meetings/activitydefinitionextensions/room': { name: 'Kilby', id: 'http://example.com/rooms/342' } },
      name: { 'en-GB': 'example meeting', 'en-US': 'example meeting' },
      description: { 'en-GB': 'An example meeting that happened on a specific occasion.', 'en-US': 'An example meeting.' },
      type: 'http://adlnet.gov/expapi/activities/meeting',
      moreInfo: 'http://virtualmeeting.example.com/345256',
    },
    objectType: 'Activity',
  },
};

const SUBSTATEMENT = {
  actor: { objectType: 'Agent', mbox: 'mailto:test@example.com' },
  verb: { id: 'http://example.com/planned', display: { 'en-US': 'planned' } },
  object: {
    objectType: 'SubStatement',
    actor: { objectType: 'Agent', mbox: 'mailto:test@example.com' },
    verb: { id: 'http://example.com/visited', display: { 'en-US': 'will visit' } },
    object: { objectType: 'Activity', id: 'http://example.com/website', definition: { name: { 'en-US': 'Some Awesome Website' } } },
  },
};

const INTERACTION = 'http://adlnet.gov/expapi/activities/cmi.interaction';
const withObject = (object: Obj, extra: Obj = {}) => ({ ...SIMPLEST, object, ...extra });
const interaction = (definition: Obj) => withObject({ id: 'http://www.example.com/tincan/activities/q1', definition: { type: INTERACTION, ...definition } });
const comp = (...ids: string[]) => ids.map((id) => ({ id, description: { 'en-US': id } }));

/** A copy of `base` with `path` (dot-separated, numeric parts index arrays) set; undefined removes it. */
function set(base: Obj, path: string, value: unknown): Obj {
  const copy = structuredClone(base);
  const parts = path.split('.');
  let at: any = copy;
  for (const p of parts.slice(0, -1)) at = at[p];
  const last = parts[parts.length - 1];
  if (value === undefined) delete at[last];
  else at[last] = value;
  return copy;
}

const VALID: [string, unknown][] = [
  ['the spec’s simplest statement', SIMPLEST],
  ['the spec’s typical statement with a result', TYPICAL],
  ['the spec’s long example (identified group with members, full context, authority, version)', LONG],
  ['the spec’s SubStatement example', SUBSTATEMENT],
  ['no id, no timestamp, object without objectType', { actor: { mbox: 'mailto:a@example.com' }, verb: { id: 'http://adlnet.gov/expapi/verbs/completed' }, object: { id: 'https://example.com/a' } }],
  ['an mbox_sha1sum actor', set(SIMPLEST, 'actor', { mbox_sha1sum: 'ebd31e95054c018b10727ccffd2ef2ec3a016ee9' })],
  ['an openid actor', set(SIMPLEST, 'actor', { openid: 'http://toby.openid.example.org/' })],
  ['an account actor', set(SIMPLEST, 'actor', { objectType: 'Agent', account: { homePage: 'https://hr.stockholm.se', name: '12345' } })],
  ['an anonymous group actor', set(SIMPLEST, 'actor', { objectType: 'Group', member: [{ mbox: 'mailto:a@example.com' }, { account: { homePage: 'http://x.example', name: 'b' } }] })],
  ['an identified group without members', set(SIMPLEST, 'actor', { objectType: 'Group', name: 'G', account: { homePage: 'http://x.example', name: 'g' } })],
  ['an Agent as object', withObject({ objectType: 'Agent', mbox: 'mailto:b@example.com' })],
  ['a Group as object', withObject({ objectType: 'Group', member: [{ mbox: 'mailto:b@example.com' }] })],
  ['a StatementRef object', withObject({ objectType: 'StatementRef', id: '8f87ccde-bb56-4c2e-ab83-44982ef22df0' })],
  ['an upper-case UUID', set(SIMPLEST, 'id', 'FD41C918-B88B-4B20-A0A5-A4C32391AAA0')],
  ['a true-false interaction', interaction({ interactionType: 'true-false', correctResponsesPattern: ['true'] })],
  ['a choice interaction', interaction({ interactionType: 'choice', correctResponsesPattern: ['golf[,]tetris'], choices: comp('golf', 'facebook', 'tetris', 'scrabble') })],
  ['a fill-in interaction', interaction({ interactionType: 'fill-in', correctResponsesPattern: ['Bob\'s your uncle'] })],
  ['a long-fill-in interaction', interaction({ interactionType: 'long-fill-in', correctResponsesPattern: ['{case_matters=false}{lang=en}To store and provide access to learning experiences.'] })],
  ['a likert interaction', interaction({ interactionType: 'likert', correctResponsesPattern: ['likert_3'], scale: comp('likert_0', 'likert_1', 'likert_2', 'likert_3') })],
  ['a matching interaction', interaction({ interactionType: 'matching', correctResponsesPattern: ['ben[.]3[,]chris[.]2'], source: comp('ben', 'chris'), target: comp('1', '2', '3') })],
  ['a performance interaction', interaction({ interactionType: 'performance', correctResponsesPattern: ['pong[.]1:[,]dg[.]:10'], steps: comp('pong', 'dg', 'lunch') })],
  ['a sequencing interaction', interaction({ interactionType: 'sequencing', correctResponsesPattern: ['tim[,]mike[,]ells'], choices: comp('tim', 'ben', 'ells', 'mike') })],
  ['a numeric interaction', interaction({ interactionType: 'numeric', correctResponsesPattern: ['4[:]'] })],
  ['an other interaction', interaction({ interactionType: 'other', correctResponsesPattern: ['(35.937432,-86.868896)'] })],
  ['language tags of many shapes', set(SIMPLEST, 'verb.display', { sv: 'a', 'en-US': 'b', 'zh-Hant-TW': 'c', 'es-419': 'd', 'de-CH-1996': 'e', 'x-private': 'f', 'i-klingon': 'g', 'sr-Latn-RS': 'h', 'en-a-bbb-x-a-ccc': 'i' })],
  ['a timestamp with Z and fractions', set(SIMPLEST, 'timestamp', '2015-11-18T12:17:00.123456Z')],
  ['a timestamp offset without colon', set(SIMPLEST, 'timestamp', '2015-11-18T12:17:00+0100')],
  ['a timestamp offset in hours', set(SIMPLEST, 'timestamp', '2015-11-18T12:17:00-05')],
  ['a timestamp without seconds', set(SIMPLEST, 'timestamp', '2015-11-18T12:17Z')],
  ['a score with raw between min and max, negative scaled', set(TYPICAL, 'result.score', { scaled: -0.5, raw: 10, min: -20, max: 20 })],
  ['raw equal to max', set(TYPICAL, 'result.score', { raw: 20, min: 0, max: 20 })],
  ['week and fractional durations', set(TYPICAL, 'result.duration', 'P3W')],
  ['a fractional duration', set(TYPICAL, 'result.duration', 'P1DT2H3M4.56S')],
  ['null and empty objects inside extension values', set(TYPICAL, 'result.extensions', { 'http://example.com/ext/a': null, 'http://example.com/ext/b': {} })],
  ['a single contextActivities activity (not an array)', set(SIMPLEST, 'context', { contextActivities: { grouping: { id: 'http://example.com/g' } } })],
  ['revision and platform with an Activity', set(SIMPLEST, 'context', { revision: 'v2', platform: 'Utbildningsportalen' })],
  ['an anonymous-group team and a group instructor', set(SIMPLEST, 'context', { team: { objectType: 'Group', member: [{ mbox: 'mailto:a@example.com' }] }, instructor: { objectType: 'Group', mbox: 'mailto:i@example.com' } })],
  ['a version 1.0.3', set(SIMPLEST, 'version', '1.0.3')],
  ['an empty attachments list', set(SIMPLEST, 'attachments', [])],
  ['a urn IRI as activity id', withObject({ id: 'urn:uuid:7ccd3322-e1a5-411a-a67d-6a735c76f119' })],
  ['an IRI with non-ASCII characters', withObject({ id: 'https://exempel.se/kurs/våld' })],
];

const INVALID: [string, unknown, string][] = [
  ['an array instead of a statement', [SIMPLEST], 'the statement must be an object, not an array'],
  ['an unknown top-level key', set(SIMPLEST, 'foo', 1), 'foo is not a property xAPI 1.0.3 defines here'],
  ['a key in the wrong case', set(set(SIMPLEST, 'actor', undefined), 'Actor', SIMPLEST.actor), 'Actor is not a property (property names are case-sensitive: actor)'],
  ['a missing actor', set(SIMPLEST, 'actor', undefined), 'actor is required'],
  ['a missing verb', set(SIMPLEST, 'verb', undefined), 'verb is required'],
  ['a missing object', set(SIMPLEST, 'object', undefined), 'object is required'],
  ['a null top-level value', set(TYPICAL, 'result', null), 'result must not be null'],
  ['a null nested value', set(SIMPLEST, 'actor.name', null), 'actor.name must not be null'],
  ['a null in a language map', set(SIMPLEST, 'verb.display', { 'en-US': null }), 'verb.display.en-US must be a string, not null'],
  ['an empty result object', set(SIMPLEST, 'result', {}), 'result must not be an empty object'],
  ['an id that is not a UUID', set(SIMPLEST, 'id', 'fd41c918-b88b-4b20-a0a5'), 'id must be a UUID'],
  ['an id that is a number', set(SIMPLEST, 'id', 42), 'id must be a string, not a number'],
  ['an agent without identifier', set(SIMPLEST, 'actor', { name: 'Nobody' }), 'actor must have exactly one inverse functional identifier (mbox, mbox_sha1sum, openid or account), not 0'],
  ['an agent with two identifiers', set(SIMPLEST, 'actor', { mbox: 'mailto:a@example.com', openid: 'http://a.example.org/' }), 'not 2'],
  ['an mbox without mailto:', set(SIMPLEST, 'actor.mbox', 'user@example.com'), 'actor.mbox must start with mailto:'],
  ['an mbox that is not an address', set(SIMPLEST, 'actor.mbox', 'mailto:user'), 'actor.mbox must be mailto: followed by an e-mail address'],
  ['an mbox in upper-case MAILTO', set(SIMPLEST, 'actor.mbox', 'MAILTO:user@example.com'), 'actor.mbox must start with mailto:'],
  ['a short mbox_sha1sum', set(SIMPLEST, 'actor', { mbox_sha1sum: 'ebd31e95054c018b10727ccffd2ef2ec3a016ee' }), 'actor.mbox_sha1sum must be the 40 hexadecimal digits'],
  ['a relative openid', set(SIMPLEST, 'actor', { openid: 'toby.openid.example.org' }), 'actor.openid must be an absolute URI'],
  ['an account without homePage', set(SIMPLEST, 'actor', { account: { name: '123' } }), 'actor.account.homePage is required'],
  ['an account without name', set(SIMPLEST, 'actor', { account: { homePage: 'http://x.example' } }), 'actor.account.name is required'],
  ['an account homePage that is no URL', set(SIMPLEST, 'actor', { account: { homePage: 'www.example.com', name: '1' } }), 'actor.account.homePage must be an absolute URL (IRL)'],
  ['an account key in the wrong case', set(SIMPLEST, 'actor', { account: { homePage: 'http://x.example', Name: '1' } }), 'actor.account.Name is not a property (property names are case-sensitive: name)'],
  ['an actor objectType in lower case', set(SIMPLEST, 'actor.objectType', 'agent'), 'actor.objectType must be "Agent" here'],
  ['an agent with a member list', set(SIMPLEST, 'actor.member', []), 'actor.member is not a property'],
  ['an anonymous group without members', set(SIMPLEST, 'actor', { objectType: 'Group', name: 'G' }), 'actor.member is required for an anonymous group'],
  ['an anonymous group with an empty member list', set(SIMPLEST, 'actor', { objectType: 'Group', member: [] }), 'actor.member must list at least one Agent'],
  ['a group inside a group', set(SIMPLEST, 'actor', { objectType: 'Group', member: [{ objectType: 'Group', mbox: 'mailto:g@example.com' }] }), 'actor.member[0] must be an Agent'],
  ['a member without identifier', set(SIMPLEST, 'actor', { objectType: 'Group', member: [{ name: 'x' }] }), 'actor.member[0] must have exactly one inverse functional identifier'],
  ['a group with two identifiers', set(SIMPLEST, 'actor', { objectType: 'Group', mbox: 'mailto:g@example.com', openid: 'http://g.example/' }), 'actor must have at most one inverse functional identifier, not 2'],
  ['a verb without id', set(SIMPLEST, 'verb', { display: { 'en-US': 'sent' } }), 'verb.id is required'],
  ['a verb id that is not an IRI', set(SIMPLEST, 'verb.id', 'attempted'), 'verb.id must be an absolute IRI'],
  ['a verb id with a space', set(SIMPLEST, 'verb.id', 'http://example.com/my verb'), 'verb.id must be an absolute IRI'],
  ['a display with an invalid language tag', set(SIMPLEST, 'verb.display', { en_US: 'sent' }), 'verb.display.en_US "en_US" is not an RFC 5646 language tag'],
  ['a display that is a string', set(SIMPLEST, 'verb.display', 'sent'), 'verb.display must be a language map'],
  ['an unknown verb key', set(SIMPLEST, 'verb.name', 'x'), 'verb.name is not a property'],
  ['an object without id', set(SIMPLEST, 'object.id', undefined), 'object.id is required'],
  ['an object id that is not an IRI', set(SIMPLEST, 'object.id', 'simplestatement'), 'object.id must be an absolute IRI'],
  ['an unknown objectType', set(SIMPLEST, 'object.objectType', 'activity'), 'object.objectType must be one of Activity, Agent, Group, SubStatement, StatementRef'],
  ['a definition name that is a string', set(SIMPLEST, 'object.definition.name', 'simple'), 'object.definition.name must be a language map'],
  ['a definition type that is not an IRI', set(SIMPLEST, 'object.definition.type', 'meeting'), 'object.definition.type must be an absolute IRI'],
  ['a moreInfo that is not a URL', set(SIMPLEST, 'object.definition.moreInfo', 'virtualmeeting.example.com'), 'object.definition.moreInfo must be an absolute URL (IRL)'],
  ['an unknown definition key', set(SIMPLEST, 'object.definition.title', { sv: 'x' }), 'object.definition.title is not a property'],
  ['an unknown interaction type', interaction({ interactionType: 'multiple-choice' }), 'object.definition.interactionType must be one of'],
  ['choices on a true-false interaction', interaction({ interactionType: 'true-false', choices: comp('a') }), 'object.definition.choices is not allowed for interactionType "true-false"'],
  ['components without an interaction type', interaction({ scale: comp('a') }), 'object.definition.scale is not allowed for interactionType null'],
  ['repeated component ids', interaction({ interactionType: 'choice', choices: comp('a', 'b', 'a') }), 'object.definition.choices[2].id repeats "a"'],
  ['a component without id', interaction({ interactionType: 'likert', scale: [{ description: { 'en-US': 'x' } }] }), 'object.definition.scale[0].id is required'],
  ['a correct response pattern without an interaction type', interaction({ correctResponsesPattern: ['a'] }), 'object.definition.correctResponsesPattern needs an interactionType'],
  ['a correct response pattern that is a string', interaction({ interactionType: 'fill-in', correctResponsesPattern: 'a' }), 'object.definition.correctResponsesPattern must be an array of strings'],
  ['a SubStatement with an id', set(SUBSTATEMENT, 'object.id', '8f87ccde-bb56-4c2e-ab83-44982ef22df0'), 'object.id must not be set in a SubStatement'],
  ['a SubStatement with stored', set(SUBSTATEMENT, 'object.stored', '2015-11-18T12:17:00Z'), 'object.stored must not be set in a SubStatement'],
  ['a SubStatement with version', set(SUBSTATEMENT, 'object.version', '1.0.0'), 'object.version must not be set in a SubStatement'],
  ['a SubStatement with authority', set(SUBSTATEMENT, 'object.authority', { mbox: 'mailto:a@example.com' }), 'object.authority must not be set in a SubStatement'],
  ['a SubStatement inside a SubStatement', set(SUBSTATEMENT, 'object.object', { ...SUBSTATEMENT.object }), 'object.object.objectType must not be "SubStatement" inside a SubStatement'],
  ['a SubStatement with a bad actor', set(SUBSTATEMENT, 'object.actor.mbox', 'test@example.com'), 'object.actor.mbox must start with mailto:'],
  ['a SubStatement without verb', set(SUBSTATEMENT, 'object.verb', undefined), 'object.verb is required'],
  ['a StatementRef with a bad id', withObject({ objectType: 'StatementRef', id: 'http://example.com/s/1' }), 'object.id must be a UUID'],
  ['a StatementRef with a definition', withObject({ objectType: 'StatementRef', id: '8f87ccde-bb56-4c2e-ab83-44982ef22df0', definition: {} }), 'object.definition is not a property'],
  ['a scaled score above 1', set(TYPICAL, 'result.score.scaled', 1.5), 'result.score.scaled must be between -1 and 1'],
  ['a scaled score below -1', set(TYPICAL, 'result.score.scaled', -1.01), 'result.score.scaled must be between -1 and 1'],
  ['a raw score above max', set(TYPICAL, 'result.score', { raw: 21, min: 0, max: 20 }), 'result.score.raw must not be greater than max'],
  ['a raw score below min', set(TYPICAL, 'result.score', { raw: -1, min: 0 }), 'result.score.raw must not be less than min'],
  ['min not below max', set(TYPICAL, 'result.score', { min: 5, max: 5 }), 'result.score.min must be less than max'],
  ['a raw score as a string', set(TYPICAL, 'result.score', { raw: '90' }), 'result.score.raw must be a number, not a string'],
  ['success as a string', set(TYPICAL, 'result.success', 'true'), 'result.success must be true or false'],
  ['completion as a number', set(TYPICAL, 'result.completion', 1), 'result.completion must be true or false'],
  ['a duration in words', set(TYPICAL, 'result.duration', '1 hour'), 'result.duration must be an ISO 8601 duration'],
  ['an empty duration', set(TYPICAL, 'result.duration', 'PT'), 'result.duration must be an ISO 8601 duration'],
  ['a response that is not a string', set(TYPICAL, 'result.response', 42), 'result.response must be a string'],
  ['an extension key that is not an IRI', set(TYPICAL, 'result.extensions', { minutes: 5 }), 'result.extensions.minutes is not an absolute IRI'],
  ['an unknown result key', set(TYPICAL, 'result.score.percent', 95), 'result.score.percent is not a property'],
  ['a registration that is not a UUID', set(LONG, 'context.registration', 'reg-1'), 'context.registration must be a UUID'],
  ['a team that is an Agent', set(LONG, 'context.team', { mbox: 'mailto:t@example.com' }), 'context.team must be a Group'],
  ['an instructor without identifier', set(LONG, 'context.instructor', { name: 'Andrew' }), 'context.instructor must have exactly one inverse functional identifier'],
  ['a context activity without id', set(LONG, 'context.contextActivities.parent', [{ objectType: 'Activity' }]), 'context.contextActivities.parent[0].id is required'],
  ['a context activity that is an Agent', set(LONG, 'context.contextActivities.other', [{ objectType: 'Agent', mbox: 'mailto:a@example.com' }]), 'context.contextActivities.other[0].objectType must be "Activity" here'],
  ['an unknown contextActivities key', set(LONG, 'context.contextActivities.parents', []), 'context.contextActivities.parents is not a property'],
  ['revision when the object is an Agent', set(withObject({ objectType: 'Agent', mbox: 'mailto:b@example.com' }), 'context', { revision: 'v1' }), 'context.revision may only be used when the object is an Activity'],
  ['platform when the object is a StatementRef', set(withObject({ objectType: 'StatementRef', id: '8f87ccde-bb56-4c2e-ab83-44982ef22df0' }), 'context', { platform: 'p' }), 'context.platform may only be used when the object is an Activity'],
  ['a context language that is not a tag', set(LONG, 'context.language', 'en_GB'), 'context.language "en_GB" is not an RFC 5646 language tag'],
  ['a context statement that is not a StatementRef', set(LONG, 'context.statement', { objectType: 'SubStatement', id: '6690e6c9-3ef0-4ed3-8b37-7f3964730bee' }), 'context.statement.objectType must be "StatementRef"'],
  ['a timestamp without time zone', set(SIMPLEST, 'timestamp', '2015-11-18T12:17:00'), 'timestamp must be an ISO 8601 date-time with a time zone'],
  ['a timestamp with offset -00:00', set(SIMPLEST, 'timestamp', '2015-11-18T12:17:00-00:00'), 'timestamp must be an ISO 8601 date-time with a time zone (not -00:00)'],
  ['a timestamp in month 13', set(SIMPLEST, 'timestamp', '2015-13-18T12:17:00Z'), 'timestamp must be an ISO 8601'],
  ['a timestamp on 30 February', set(SIMPLEST, 'timestamp', '2016-02-30T12:17:00Z'), 'timestamp must be an ISO 8601'],
  ['a date without time', set(SIMPLEST, 'timestamp', '2015-11-18'), 'timestamp must be an ISO 8601'],
  ['a stored that is not a timestamp', set(LONG, 'stored', 'yesterday'), 'stored must be an ISO 8601'],
  ['an authority without identifier', set(LONG, 'authority', { name: 'x' }), 'authority must have exactly one inverse functional identifier'],
  ['a version 2.0.0', set(SIMPLEST, 'version', '2.0.0'), 'version must be a 1.0.x version, not "2.0.0"'],
  ['attachments', set(SIMPLEST, 'attachments', [{ usageType: 'http://example.com/u', display: { en: 'x' }, contentType: 'text/plain', length: 1, sha2: 'ab' }]), 'attachments are not supported by this LRS'],
];

describe('statements the spec accepts', () => {
  it.each(VALID)('accepts %s', (_name, statement) => {
    expect(validateStatement(statement)).toEqual([]);
  });
});

describe('statements the spec refuses', () => {
  it.each(INVALID)('refuses %s', (_name, statement, expected) => {
    const messages = validateStatement(statement).map((i) => i.message);
    expect(messages).toContainEqual(expect.stringContaining(expected));
  });

  it('names paths under a prefix for batches, and the path apart from the message', () => {
    expect(validateStatement(set(SIMPLEST, 'actor.mbox', 'x@example.com'), '[3]')).toEqual([{ path: '[3].actor.mbox', message: '[3].actor.mbox must start with mailto:' }]);
  });

  it('reports a null once, not also as the wrong type', () => {
    expect(validateStatement(set(SIMPLEST, 'actor.name', null))).toEqual([{ path: 'actor.name', message: 'actor.name must not be null (leave the property out instead)' }]);
  });

  it('reports every problem of a statement at once', () => {
    const broken = { ...SIMPLEST, id: 'x', actor: { mbox: 'x' }, verb: { id: 'y' }, timestamp: 'z' };
    expect(validateStatement(broken).map((i) => i.path).sort()).toEqual(['actor.mbox', 'id', 'timestamp', 'verb.id']);
  });
});

describe('the format checks', () => {
  it.each([
    ['sv', true], ['en-US', true], ['zh-Hant-TW', true], ['es-419', true], ['x-whatever', true], ['i-klingon', true], ['tlh', true],
    ['', false], ['en_US', false], ['e', false], ['en-', false], ['123', false], ['en-US-', false], ['toolonglanguage', false],
  ])('language tag %j → %s', (tag, ok) => expect(isLanguageTag(tag)).toBe(ok));

  it.each([
    ['PT1234S', true], ['P1Y2M3DT4H5M6S', true], ['P3W', true], ['PT0.5S', true], ['P1D', true],
    ['P', false], ['PT', false], ['1H', false], ['P1H', false], ['PT1S2M', false],
  ])('duration %j → %s', (d, ok) => expect(isDuration(d)).toBe(ok));

  it.each([
    ['http://example.com/a', true], ['urn:x:y', true], ['mailto:a@b.c', true], ['tag:adlnet.gov,2013:expapi:0.9:activities', true],
    ['example.com/a', false], ['/relative', false], ['http://a b', false], ['', false],
  ])('IRI %j → %s', (v, ok) => expect(isIri(v)).toBe(ok));

  it.each([
    ['http://www.example.com', true], ['https://hr.stockholm.se/x?y=1', true],
    ['www.example.com', false], ['http://', false],
  ])('IRL %j → %s', (v, ok) => expect(isIrl(v)).toBe(ok));

  it('reads the same instant from differently written timestamps', () => {
    const a = timestampInstant('2024-03-01T10:00:00+01:00')!.getTime();
    expect(timestampInstant('2024-03-01T09:00:00Z')!.getTime()).toBe(a);
    expect(timestampInstant('2024-03-01T09:00:00.000+00')!.getTime()).toBe(a);
    expect(timestampInstant('2024-03-01T04:00-0500')!.getTime()).toBe(a);
    expect(timestampInstant('2024-03-01T09:00:00.0001Z')!.getTime()).toBe(a);
    expect(timestampInstant('2024-03-01T09:00:00-00:00')).toBeNull();
  });
});
