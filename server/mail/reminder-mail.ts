import type { Decided, DigestLine } from '../domain/reminder-decision.ts';

/**
 * The text of a reminder: Swedish first, English below in the same mail, as plain text and HTML.
 * A staff message names only its addressee; a digest names the manager's staff (and is audited
 * as a people export where it is sent).
 */

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

const MONTHS_SV = ['januari', 'februari', 'mars', 'april', 'maj', 'juni', 'juli', 'augusti', 'september', 'oktober', 'november', 'december'];
const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** As Swedes write a date: "15 mars 2025" (no leading zero, month in lower case). */
export function swedishDate(d: string): string {
  return `${Number(d.slice(8, 10))} ${MONTHS_SV[Number(d.slice(5, 7)) - 1]} ${d.slice(0, 4)}`;
}

export function englishDate(d: string): string {
  return `${Number(d.slice(8, 10))} ${MONTHS_EN[Number(d.slice(5, 7)) - 1]} ${d.slice(0, 4)}`;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

interface Parts {
  subject: string;
  sv: string[];
  en: string[];
  courses: { title: string; url: string | null }[];
  source: string | null;
  table?: DigestLine[];
}

function render(p: Parts): MailContent {
  const courseText = p.courses.map((c) => `  ${c.title}${c.url ? `: ${c.url}` : ''}`);
  const sourceSv = p.source ? [`Kravet bygger på: ${p.source}`] : [];
  const sourceEn = p.source ? [`The requirement rests on: ${p.source}`] : [];
  const tableText = (lang: 'sv' | 'en') =>
    (p.table ?? []).map(
      (l) => `  ${l.name} (${l.employeeNumber}), ${l.unitName}: ${l.requirementTitle}, ${lang === 'sv' ? 'ska vara klar' : 'due'} ${lang === 'sv' ? swedishDate(l.dueDate) : englishDate(l.dueDate)}${l.overdue ? (lang === 'sv' ? ' (försenad)' : ' (overdue)') : ''}`,
    );
  const text = [
    ...p.sv,
    ...(p.courses.length ? ['', 'Kurs:', ...courseText] : []),
    ...(p.table ? ['', ...tableText('sv')] : []),
    ...(sourceSv.length ? ['', ...sourceSv] : []),
    '',
    '-- English --',
    '',
    ...p.en,
    ...(p.courses.length ? ['', 'Course:', ...courseText] : []),
    ...(p.table ? ['', ...tableText('en')] : []),
    ...(sourceEn.length ? ['', ...sourceEn] : []),
    '',
    'Kompetenskoll, Stockholms stad',
  ].join('\n');
  const courseHtml = p.courses.length
    ? `<ul>${p.courses.map((c) => `<li>${c.url ? `<a href="${escape(c.url)}">${escape(c.title)}</a>` : escape(c.title)}</li>`).join('')}</ul>`
    : '';
  const tableHtml = (lang: 'sv' | 'en') =>
    p.table
      ? `<table><thead><tr><th>${lang === 'sv' ? 'Namn' : 'Name'}</th><th>${lang === 'sv' ? 'Anställningsnummer' : 'Employee number'}</th><th>${lang === 'sv' ? 'Enhet' : 'Unit'}</th><th>${lang === 'sv' ? 'Krav' : 'Requirement'}</th><th>${lang === 'sv' ? 'Ska vara klar' : 'Due'}</th></tr></thead><tbody>${p.table
          .map(
            (l) =>
              `<tr><td>${escape(l.name)}</td><td>${escape(l.employeeNumber)}</td><td>${escape(l.unitName)}</td><td>${escape(l.requirementTitle)}</td><td>${lang === 'sv' ? swedishDate(l.dueDate) : englishDate(l.dueDate)}${l.overdue ? (lang === 'sv' ? ' (försenad)' : ' (overdue)') : ''}</td></tr>`,
          )
          .join('')}</tbody></table>`
      : '';
  const para = (lines: string[]) => lines.map((l) => `<p>${escape(l)}</p>`).join('');
  const html = `<!doctype html><html lang="sv"><body>
<div lang="sv">${para(p.sv)}${courseHtml}${tableHtml('sv')}${para(sourceSv)}</div>
<hr>
<div lang="en">${para(p.en)}${courseHtml}${tableHtml('en')}${para(sourceEn)}</div>
<p>Kompetenskoll, Stockholms stad</p>
</body></html>`;
  return { subject: p.subject, text, html };
}

/** The mail of a decided message. */
export function composeMail(m: Decided): MailContent {
  if (m.kind === 'digest') {
    const n = m.lines!.length;
    return render({
      subject: `Påminnelse: ${n} medarbetare behöver gå utbildning / Reminder: ${n} of your staff need training`,
      sv: [`Hej ${m.name}!`, `${n === 1 ? 'En medarbetare' : `${n} medarbetare`} i dina enheter har en obligatorisk utbildning som är försenad eller ska vara klar inom 30 dagar:`],
      en: [`Hello ${m.name},`, `${n === 1 ? 'One person' : `${n} people`} in your units have mandatory training that is overdue or due within 30 days:`],
      courses: [],
      source: null,
      table: m.lines,
    });
  }
  const r = m.spec!;
  const courses = r.courses.map((c) => ({ title: c.titleSv, url: c.url }));
  const d = m.dueDate!;
  const [sv, en, subject] = (() => {
    switch (m.kind) {
      case 'due_soon':
        return [
          [`Hej ${m.name}!`, `Du behöver gå utbildningen "${r.title}" senast ${swedishDate(d)}.`],
          [`Hello ${m.name},`, `Please complete the training "${r.title}" by ${englishDate(d)}.`],
          `Påminnelse: ${r.title} senast ${swedishDate(d)} / Reminder: due ${englishDate(d)}`,
        ];
      case 'overdue':
      case 'nudge':
        return [
          [`Hej ${m.name}!`, m.kind === 'overdue' ? `Utbildningen "${r.title}" skulle ha varit klar ${swedishDate(d)}. Gå den så snart du kan.` : `Din chef påminner dig om utbildningen "${r.title}"${d ? `, som ska vara klar ${swedishDate(d)}` : ''}.`],
          [`Hello ${m.name},`, m.kind === 'overdue' ? `The training "${r.title}" was due on ${englishDate(d)}. Please complete it as soon as you can.` : `You are reminded of the training "${r.title}"${d ? `, due ${englishDate(d)}` : ''}.`],
          m.kind === 'overdue' ? `Försenad: ${r.title} / Overdue: ${r.title}` : `Påminnelse: ${r.title} / Reminder: ${r.title}`,
        ];
      case 'expiring':
        return [
          [`Hej ${m.name}!`, `Din utbildning "${r.title}" gäller till och med ${swedishDate(addDay(d, -1))}. Gå den igen innan dess.`],
          [`Hello ${m.name},`, `Your training "${r.title}" is valid until ${englishDate(addDay(d, -1))}. Please renew it before then.`],
          `Förnya: ${r.title} / Renew: ${r.title}`,
        ];
    }
  })();
  return render({ subject, sv, en, courses, source: r.source });
}

function addDay(d: string, n: number): string {
  const t = new Date(Date.UTC(+d.slice(0, 4), +d.slice(5, 7) - 1, +d.slice(8, 10) + n));
  return t.toISOString().slice(0, 10);
}
