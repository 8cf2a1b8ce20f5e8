/**
 * Talking to the Kompetenskoll API from an element: the bearer token, the language, and
 * problem+json errors turned into messages a person can read.
 *
 * The token: an element uses its `token` property when set. Otherwise it fires
 * `kk-token-request` (bubbles, composed) with `detail: { resolve(token), reject(reason?) }`;
 * the portal calls `resolve` (at once or later) with a bearer token. Within 5 seconds, or the element
 * reports that nobody is signed in. A token from the event is kept until the API answers 401;
 * then the element asks again once.
 */
import { hc, type ClientResponse, type InferResponseType } from 'hono/client';
// The server's routes as a type only (erased at build time): answers are typed from the handlers.
import type { AppType } from '../server/app.ts';
import { en } from './strings/en.ts';
import { sv, type StringKey } from './strings/sv.ts';

export type Lang = 'sv' | 'en';

export interface TokenRequestDetail {
  resolve(token: string): void;
  reject(reason?: unknown): void;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: { field: string; message: string }[];
  [extra: string]: unknown;
}

/** What an element needs to make a call. */
export interface ApiHost extends HTMLElement {
  apiBase: string;
  token?: string;
  lang: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problem?: Problem,
  ) {
    super(message);
  }
}

export function langOf(value: string | null | undefined): Lang {
  return value === 'en' ? 'en' : 'sv';
}

/** A string in the element's language, `{name}` filled from params. */
export function t(lang: string, key: StringKey, params: Record<string, string | number> = {}): string {
  const text = (langOf(lang) === 'en' ? en : sv)[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k: string) => (k in params ? String(params[k]) : `{${k}}`));
}

const eventTokens = new WeakMap<HTMLElement, string>();
const TOKEN_WAIT_MS = 5_000;

function requestToken(host: HTMLElement): Promise<string> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => finish(() => reject(new Error('no-token'))), TOKEN_WAIT_MS);
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    const detail: TokenRequestDetail = {
      resolve: (token) => finish(() => (token ? resolve(token) : reject(new Error('no-token')))),
      reject: () => finish(() => reject(new Error('no-token'))),
    };
    host.dispatchEvent(new CustomEvent('kk-token-request', { bubbles: true, composed: true, detail }));
  });
}

async function tokenFor(host: ApiHost, fresh = false): Promise<string> {
  if (host.token) return host.token;
  const kept = eventTokens.get(host);
  if (kept && !fresh) return kept;
  try {
    const token = await requestToken(host);
    eventTokens.set(host, token);
    return token;
  } catch {
    throw new ApiError(401, t(host.lang, 'errorNoToken'));
  }
}

/** Forgets a token got from the event (the portal signed someone else in). */
export function forgetToken(host: HTMLElement) {
  eventTokens.delete(host);
}

export function url(host: ApiHost, path: string, query: Record<string, string | number | boolean | null | undefined> = {}): string {
  const base = (host.apiBase || '').replace(/\/$/, '');
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return `${base}${path}${qs ? `?${qs}` : ''}`;
}

/** The message to show for a failed answer: the server's own words (in our language) when it sent them. */
export async function errorFrom(host: ApiHost, res: Response): Promise<ApiError> {
  let problem: Problem | undefined;
  try {
    const type = res.headers.get('content-type') ?? '';
    if (type.includes('json')) problem = (await res.json()) as Problem;
  } catch {
    problem = undefined;
  }
  return new ApiError(res.status, problem?.detail || problem?.title || t(host.lang, 'errorUnexpected', { status: res.status }), problem);
}

/** fetch with the token and language; throws ApiError with a readable message when not ok. */
export async function apiFetch(host: ApiHost, path: string, init: RequestInit = {}): Promise<Response> {
  const attempt = async (fresh: boolean) => {
    const token = await tokenFor(host, fresh);
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token}`);
    headers.set('accept-language', langOf(host.lang));
    try {
      return await fetch(path, { ...init, headers });
    } catch {
      throw new ApiError(0, t(host.lang, 'errorNetwork'));
    }
  };
  let res = await attempt(false);
  if (res.status === 401 && !host.token) res = await attempt(true);
  if (!res.ok) throw await errorFrom(host, res);
  return res;
}

/** The API as hono/client sees the server's routes: `client(this).api.coverage.$get({ query })`. */
export type Client = ReturnType<typeof hc<AppType>>;
/** The JSON a call answers when it succeeds, e.g. `Answer<Client['api']['coverage']['$get']>`. */
export type Answer<F extends (...args: never[]) => unknown> = InferResponseType<F, 200>;

/**
 * A typed client on the element's api-base, calling through apiFetch (token, language, a readable
 * ApiError when not ok). Path parameters are not encoded by hono/client: pass them encoded.
 */
export function client(host: ApiHost): Client {
  return hc<AppType>((host.apiBase || '').replace(/\/$/, ''), {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      if (!headers.has('accept')) headers.set('accept', 'application/json');
      return apiFetch(host, String(input), { ...init, headers });
    },
  });
}

/** The parsed JSON of a call through `client` (which has thrown already when it was not ok). */
export async function ok<T>(call: Promise<ClientResponse<T>>): Promise<T> {
  return (await call).json() as Promise<T>;
}

/** Saves a blob under a file name through a temporary link (no navigation, the token stays in memory). */
export function saveBlob(blob: Blob, filename: string) {
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 30_000);
}

/** The file name from Content-Disposition, else the fallback. */
export function fileNameOf(res: { headers: Headers }, fallback: string): string {
  const cd = res.headers.get('content-disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(cd);
  return plain ? plain[1] : fallback;
}

export interface ImportResult {
  batchId: string | number;
  rowsTotal: number;
  rowsAccepted: number;
  rowsRejected: number;
  errors: { row: number; column: string | null; message: string }[];
  changes?: Record<string, number>;
  /** Headers as written in the file that no field took. */
  ignoredColumns?: string[];
  /** The kind's field keys that no column took: what an ignored column can be mapped to. */
  unmappedFields?: string[];
  /** Blank and total rows, skipped rather than rejected. */
  skippedRows?: number;
  /** A staff list's changes one by one. */
  changeList?: RosterChange[];
  /** A snapshot's check before commit; null for other imports. */
  safety?: ImportSafety | null;
}

export interface RosterChange {
  change: 'started' | 'ended' | 'moved' | 'changed';
  employeeNumber: string;
  name: string | null;
  from: { code: string; name: string } | null;
  to: { code: string; name: string } | null;
  startDate: string | null;
  endDate: string | null;
}

export interface ImportSafety {
  /** Nothing would be accepted: the server refuses the commit (422). */
  blocked: boolean;
  /** The commit must carry `confirmEnded` = this many ended employments (409 otherwise). */
  confirmEnded: number | null;
  reasons: ('noAcceptedRows' | 'rejectedRows' | 'manyEnded')[];
  activeInScope: number;
}

export interface Progress {
  phase: string;
  done: number;
  total: number | null;
}

/**
 * A 202 from the stream path (Workers, a CSV over KK_STREAM_IMPORT_MB): the file is taken and the
 * queue imports it; its progress and outcome are on `GET /api/imports/<batchId>` (import-poll.ts).
 */
export interface QueuedImport {
  batchId: number;
  state: 'queued';
  kind: string;
  dryRun: boolean;
  fileBytes: number;
  slices: number;
}

/** What an upload gave: the import's answer, or a queued import to follow. */
export type Uploaded = { result: ImportResult } | { queued: QueuedImport };

/**
 * Uploads a file with XHR (fetch has no upload progress), asking for the ndjson progress stream:
 * `{"phase","done","total"}` lines, then `{"result"}` or `{"problem"}`. A plain JSON answer is
 * accepted too, and a 202 (a queued import) is handed back as such. `fields` go in the form
 * beside the file (e.g. `mapping`).
 */
export async function uploadImport(
  host: ApiHost,
  target: string,
  file: File,
  onUpload: (loaded: number, total: number) => void,
  onProgress: (p: Progress) => void,
  fields: Record<string, string> = {},
): Promise<Uploaded> {
  const token = await tokenFor(host);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    let seen = 0;
    let result: ImportResult | undefined;
    let problem: Problem | undefined;
    const readLines = () => {
      const text = xhr.responseText;
      const end = text.lastIndexOf('\n');
      if (end < seen) return;
      for (const line of text.slice(seen, end).split('\n')) handle(line);
      seen = end + 1;
    };
    const handle = (line: string) => {
      if (!line.trim()) return;
      let msg: { phase?: string; done?: number; total?: number | null; result?: ImportResult; problem?: Problem };
      try {
        msg = JSON.parse(line);
      } catch {
        return;
      }
      if (msg.result) result = msg.result;
      else if (msg.problem) problem = msg.problem;
      else if (msg.phase) onProgress({ phase: msg.phase, done: msg.done ?? 0, total: msg.total ?? null });
    };
    xhr.open('POST', target);
    xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('accept', 'application/x-ndjson, application/json;q=0.5');
    xhr.setRequestHeader('accept-language', langOf(host.lang));
    xhr.upload.onprogress = (e) => onUpload(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onprogress = () => {
      if ((xhr.getResponseHeader('content-type') ?? '').includes('ndjson')) readLines();
    };
    xhr.onerror = () => reject(new ApiError(0, t(host.lang, 'errorNetwork')));
    xhr.onload = () => {
      const type = xhr.getResponseHeader('content-type') ?? '';
      let body: unknown;
      if (type.includes('ndjson')) {
        readLines();
        handle(xhr.responseText.slice(seen));
      } else {
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          body = undefined;
        }
      }
      if (xhr.status >= 400 || problem) {
        const p = problem ?? (body as Problem | undefined);
        reject(new ApiError(p?.status ?? xhr.status, p?.detail || p?.title || t(host.lang, 'errorUnexpected', { status: xhr.status }), p));
        return;
      }
      const queued = xhr.status === 202 ? (body as QueuedImport | undefined) : undefined;
      if (queued && typeof queued.batchId === 'number') {
        resolve({ queued });
        return;
      }
      const r = result ?? (body as ImportResult | undefined);
      if (!r) reject(new ApiError(xhr.status, t(host.lang, 'errorUnexpected', { status: xhr.status })));
      else resolve({ result: r });
    };
    const form = new FormData();
    form.append('file', file, file.name);
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    xhr.send(form);
  });
}

/** GET /api/me: who is signed in, the units they follow and what they may do. */
export interface Me {
  employeeNumber: string;
  name: string | null;
  roles: { role: string; unit: string | null }[];
  units: { code: string; name: string }[];
  capabilities: string[];
}

// One question per sign-in and API, however many elements ask: keyed by api-base and token.
const answers = new Map<string, Promise<Me>>();

/** Who is signed in; asked once per token (an element without a token of its own asks itself). */
export function whoAmI(host: ApiHost): Promise<Me> {
  const key = host.token ? `${host.apiBase}|${host.token}` : null;
  const kept = key ? answers.get(key) : undefined;
  if (kept) return kept;
  // Typed as the interface above: the elements compare capabilities with plain strings.
  const asked = ok(client(host).api.me.$get()) as Promise<Me>;
  if (key) {
    answers.set(key, asked);
    asked.catch(() => answers.delete(key));
  }
  return asked;
}

/** Today in Stockholm as YYYY-MM-DD (the API's calendar). */
export function todayStockholm(): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

export function formatPercent(lang: string, rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return t(lang, 'none');
  return new Intl.NumberFormat(langOf(lang) === 'en' ? 'en-GB' : 'sv-SE', { style: 'percent', maximumFractionDigits: 1 }).format(rate);
}

export function formatNumber(lang: string, n: number): string {
  return new Intl.NumberFormat(langOf(lang) === 'en' ? 'en-GB' : 'sv-SE').format(n);
}
