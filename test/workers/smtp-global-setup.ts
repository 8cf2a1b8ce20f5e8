import { createServer } from 'node:http';
import type { TestProject } from 'vitest/node';
import { startSmtp } from '../support/smtp.ts';

/**
 * For the workers project: a real smtp-server on the loopback interface, in the Node process that
 * runs vitest, which worker-mailer inside workerd reaches over `cloudflare:sockets`; and a small
 * HTTP listing of what it received (workerd cannot read this process's memory), by recipient.
 * The ports reach the tests by `inject('smtp')`.
 */
export default async function setup(project: TestProject) {
  // Signed in, as a submission server on 587 wants (worker-mailer signs in whenever the server
  // offers AUTH, and smtp-server offers it).
  const auth = { user: 'kk-worker', pass: 'hemligt ord' };
  const smtp = await startSmtp(0, { auth });
  const http = createServer((req, res) => {
    const to = new URL(req.url ?? '/', 'http://x').searchParams.get('to');
    const mails = smtp.mails.filter((m) => !to || m.to.includes(to)).map(({ from, to, subject, text, html }) => ({ from, to, subject, text, html }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ mails }));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
  project.provide('smtp', { port: smtp.port, user: auth.user, pass: auth.pass, mailsUrl: `http://127.0.0.1:${(http.address() as { port: number }).port}/mails` });
  return async () => {
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await smtp.close();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    smtp: { port: number; user: string; pass: string; mailsUrl: string };
  }
}
