import type { Mailer } from './mailer.ts';

/**
 * SMTP from Workers over `cloudflare:sockets` with worker-mailer (ports 587 or 465: Workers block
 * 25). The package imports only inside workerd, so it is loaded here, on the Workers path alone.
 */
export function workersMailer(smtpUrl: string, from: string): Mailer {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  const port = Number(url.port || (secure ? 465 : 587));
  return {
    async send(m) {
      const { WorkerMailer } = await import('worker-mailer');
      await WorkerMailer.send(
        {
          host: url.hostname,
          port,
          secure,
          credentials: url.username ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } : undefined,
          // worker-mailer tries no method unless told which (its default is none: "No supported
          // auth method found"); these are what submission servers offer, the server's choice first.
          authType: url.username ? ['plain', 'login', 'cram-md5'] : undefined,
        } as never,
        { from, to: m.to, subject: m.subject, text: m.text, html: m.html },
      );
    },
  };
}
