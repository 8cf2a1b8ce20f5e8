import { en } from './en.ts';
import { sv } from './sv.ts';

export type MessageKey = keyof typeof sv;
export type Lang = 'sv' | 'en';

const catalogs: Record<Lang, Record<MessageKey, string>> = { sv, en };

export function message(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  return catalogs[lang][key].replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`));
}

/** Swedish unless the caller prefers English (Accept-Language or ?lang=en). */
export function pickLang(acceptLanguage: string | undefined | null, explicit?: string | null): Lang {
  if (explicit === 'en' || explicit === 'sv') return explicit;
  if (!acceptLanguage) return 'sv';
  const first = acceptLanguage
    .split(',')
    .map((part) => {
      const [tag, q] = part.trim().split(';q=');
      return { tag: tag.toLowerCase(), q: q === undefined ? 1 : Number(q) };
    })
    .filter((x) => x.tag.startsWith('sv') || x.tag.startsWith('en'))
    .sort((a, b) => b.q - a.q)[0];
  return first?.tag.startsWith('en') ? 'en' : 'sv';
}
