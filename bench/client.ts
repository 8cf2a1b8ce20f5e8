import { readFileSync } from 'node:fs';
import http from 'node:http';
import { basename } from 'node:path';

/** A small HTTP client for the server under test. */
export class Client {
  #agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  constructor(readonly url: string) {}

  async token(employeeNumber: string, roles: { role: string; unit?: string | null }[] = []): Promise<string> {
    const res = await fetch(`${this.url}/api/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ employeeNumber, roles }),
    });
    if (!res.ok) throw new Error(`dev token: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { token: string }).token;
  }

  async get(path: string, token: string): Promise<Response> {
    const go = () => fetch(`${this.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    try {
      return await go();
    } catch {
      // A pooled keep-alive socket the server closed while the bench did other work (the server's
      // keep-alive timeout is 5 s): a GET is safe to send again once on a fresh connection.
      return go();
    }
  }

  /**
   * GET and parse JSON over node:http on one kept-alive socket: the latencies the bench reports
   * are the server's, and fetch() spent ~0.4 ms of its own on each (median, measured beside it).
   */
  async getJson<T = any>(path: string, token: string): Promise<T> {
    const once = () =>
      new Promise<T>((resolve, reject) => {
        const req = http.get(`${this.url}${path}`, { agent: this.#agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) reject(new Error(`GET ${path}: ${res.statusCode} ${text.slice(0, 500)}`));
            else resolve(JSON.parse(text) as T);
          });
        });
        req.on('error', reject);
      });
    try {
      return await once();
    } catch (e) {
      // A kept-alive socket the server closed meanwhile (see get()): a GET is safe to send again.
      if ((e as NodeJS.ErrnoException).code === 'ECONNRESET') return once();
      throw e;
    }
  }

  async postJson(path: string, token: string, body: unknown): Promise<Response> {
    return fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  async upload(path: string, token: string, file: string): Promise<Response> {
    const form = new FormData();
    form.append('file', new Blob([readFileSync(file)]), basename(file));
    const go = () => fetch(`${this.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    try {
      return await go();
    } catch (e) {
      // A pooled keep-alive socket the server closed while this process was busy (the bench's own
      // reminders decision blocks its event loop for seconds) fails the write with EPIPE before the
      // server has read a request. Sent again once on a fresh connection: the bench's imports are
      // dry runs or files whose second import changes nothing.
      if (!(e instanceof TypeError)) throw e;
      return go();
    }
  }

  /** Whether a route is mounted: an unmounted path answers 404 with the problem code route.unknown. */
  async exists(method: 'GET' | 'POST', path: string, token: string): Promise<boolean> {
    const res = await fetch(`${this.url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    if (res.status !== 404) return true;
    try {
      return (JSON.parse(text) as { code?: string }).code !== 'route.unknown';
    } catch {
      return false;
    }
  }
}
