/**
 * The printable page of one report, standalone: `report.html?id=<report>&lang=sv|en&as=<persona>`.
 * Like the demo page (the portal's stand-in) it signs in through the dev token endpoint as one of
 * the demo personas (default the coordinator) and answers the element's `kk-token-request`; a
 * portal hosts `<kk-reports report="…" view="print">` on its own page the same way. The page's
 * title becomes the report's, so a saved PDF is named and titled after it.
 */
import type { TokenRequestDetail } from '../api.ts';

interface DemoUser {
  persona: string;
  employeeNumber: string;
  roles: { role: string; unit: string | null }[];
}

const params = new URLSearchParams(location.search);
const lang = params.get('lang') === 'en' ? 'en' : 'sv';
const persona = params.get('as') ?? 'coordinator';

async function signIn(): Promise<string> {
  const users = ((await (await fetch('/api/dev/demo-users')).json()) as { users: DemoUser[] }).users;
  const user = users.find((u) => u.persona === persona) ?? users[0];
  const res = await fetch('/api/dev/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ employeeNumber: user.employeeNumber, roles: user.roles }),
  });
  if (!res.ok) throw new Error(`dev token: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

const token = signIn();
document.addEventListener('kk-token-request', (e) => {
  const detail = (e as CustomEvent<TokenRequestDetail>).detail;
  token.then(detail.resolve, detail.reject);
});
document.addEventListener('kk-report-opened', (e) => {
  document.title = (e as CustomEvent<{ title: string }>).detail.title;
});

document.documentElement.lang = lang;
const el = document.createElement('kk-reports');
el.setAttribute('lang', lang);
el.setAttribute('view', 'print');
el.setAttribute('report', params.get('id') ?? '');
document.querySelector('main')!.append(el);
