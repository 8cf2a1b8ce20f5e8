/**
 * The demo page: the learning portal's stand-in. It signs in as the demo coordinator (with admin
 * rights) through the dev token endpoint, answers the elements' `kk-token-request`, and offers a
 * dev-only switch of persona and language. Loaded as a same-origin module (no inline script, for CSP).
 */
import type { TokenRequestDetail } from '../api.ts';

interface DemoUser {
  persona: 'staff' | 'manager' | 'coordinator' | 'auditor' | 'admin';
  employeeNumber: string;
  roles: { role: string; unit: string | null }[];
}

const TEXT = {
  sv: {
    skip: 'Hoppa till innehållet',
    brand: 'Intranätet – Stockholms stad',
    dev: 'Endast utveckling',
    persona: 'Agera som',
    language: 'Språk',
    title: 'Kompetenskoll',
    lead: 'Utbildning om våldsbejakande extremism: vem som ska gå vilken kurs, vem som har gjort det, och täckningsgraden per enhet mot målet.',
    footer: 'Demosida: portalens ställföreträdare. Data är påhittad.',
    who: 'Inloggad som {persona}, anställningsnummer {n}.',
    staff: 'medarbetare',
    manager: 'chef',
    coordinator: 'samordnare med administratörsrätt',
    auditor: 'revisor',
    admin: 'administratör',
    a11y: 'Tillgänglighetsredogörelse',
  },
  en: {
    skip: 'Skip to content',
    brand: 'Intranet – City of Stockholm',
    dev: 'Development only',
    persona: 'Act as',
    language: 'Language',
    title: 'Kompetenskoll',
    lead: 'Training on violent extremism: who must take which course, who has, and the coverage per unit against the target.',
    footer: 'Demo page: the portal’s stand-in. The data is made up.',
    who: 'Signed in as {persona}, employee number {n}.',
    staff: 'staff member',
    manager: 'manager',
    coordinator: 'coordinator with admin rights',
    auditor: 'auditor',
    admin: 'administrator',
    a11y: 'Accessibility statement',
  },
};
type Lang = keyof typeof TEXT;

let lang: Lang = 'sv';
let users: DemoUser[] = [];
let current: DemoUser | undefined;
let signedIn!: (t: Promise<string>) => void;
// Elements may ask before the page has signed in; they wait for the first sign-in.
let token: Promise<string> = new Promise((resolve) => (signedIn = (t) => resolve(t)));

const elements = () => [...document.querySelectorAll<HTMLElement & { token?: string }>('main > *, .cols > *')].filter((e) => e.localName.startsWith('kk-'));

async function signIn(user: DemoUser): Promise<string> {
  const res = await fetch('/api/dev/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ employeeNumber: user.employeeNumber, roles: user.roles }),
  });
  if (!res.ok) throw new Error(`dev token: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

function render() {
  const text = TEXT[lang];
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll<HTMLElement>('[data-text]')) {
    const key = el.dataset.text as keyof typeof text;
    if (key in text) el.textContent = text[key];
  }
  const persona = document.querySelector<HTMLSelectElement>('#persona')!;
  persona.replaceChildren(
    ...users.map((u) => {
      const o = document.createElement('option');
      o.value = u.persona;
      o.textContent = `${text[u.persona]} (${u.employeeNumber})`;
      o.selected = u === current;
      return o;
    }),
  );
  const a11y = document.querySelector<HTMLAnchorElement>('#a11y');
  if (a11y) a11y.href = lang === 'en' ? 'accessibility.html' : 'tillganglighet.html';
  const who = document.querySelector('#who')!;
  who.textContent = current ? text.who.replace('{persona}', text[current.persona]).replace('{n}', current.employeeNumber) : '';
  for (const el of elements()) el.setAttribute('lang', lang);
}

async function actAs(persona: string, first = false) {
  current = users.find((u) => u.persona === persona) ?? users[0];
  const next = signIn(current);
  if (first) signedIn(next);
  token = next;
  render();
  // The first time the elements ask through kk-token-request; a switch hands them the new token.
  if (!first) {
    const t = await token;
    for (const el of elements()) el.token = t;
  }
}

document.addEventListener('kk-token-request', (e) => {
  const detail = (e as CustomEvent<TokenRequestDetail>).detail;
  token.then(detail.resolve, detail.reject);
});

async function main() {
  const params = new URLSearchParams(location.search);
  lang = params.get('lang') === 'en' ? 'en' : 'sv';
  (document.querySelector('#lang') as HTMLSelectElement).value = lang;
  const res = await fetch('/api/dev/demo-users');
  users = ((await res.json()) as { users: DemoUser[] }).users;
  await actAs(params.get('as') ?? 'coordinator', true);
  document.querySelector('#persona')!.addEventListener('change', (e) => void actAs((e.target as HTMLSelectElement).value));
  document.querySelector('#lang')!.addEventListener('change', (e) => {
    lang = (e.target as HTMLSelectElement).value === 'en' ? 'en' : 'sv';
    render();
    // The address keeps the choice, so a reload or a shared link opens in the same language.
    const next = new URL(location.href);
    next.searchParams.set('lang', lang);
    history.replaceState(null, '', next);
  });
}

void main();
