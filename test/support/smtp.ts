import { SMTPServer } from 'smtp-server';

/** A received mail, its MIME parts decoded (enough of MIME for what nodemailer writes). */
export interface Received {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  raw: string;
}

export interface SmtpSink {
  port: number;
  url: string;
  /** The mails received and acknowledged (250). */
  mails: Received[];
  /** With `holdAfter`: mails received whole but not (yet) acknowledged: in flight for the sender. */
  held: Received[];
  /** Stops holding: later mails are acknowledged at once (the held ones stay unanswered). */
  acceptAll(): void;
  close(): Promise<void>;
}

/**
 * A real SMTP server on the loopback interface (no TLS, no auth), keeping what it receives. With
 * `holdAfter: n`, every mail after the first n is read whole and kept in `held`, but its
 * acknowledgement never comes (until `acceptAll()` for later mails): the sender sees it in flight.
 * With `auth`, only a client that signs in with that user and password may send.
 */
export async function startSmtp(port = 0, opts: { holdAfter?: number; auth?: { user: string; pass: string } } = {}): Promise<SmtpSink> {
  const mails: Received[] = [];
  const held: Received[] = [];
  let holding = opts.holdAfter !== undefined;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1000,
    // With `auth`: AUTH PLAIN/LOGIN required and checked (no TLS on the loopback interface).
    ...(opts.auth
      ? {
          authOptional: false,
          allowInsecureAuth: true,
          onAuth(a, _session, callback) {
            if (a.username === opts.auth!.user && a.password === opts.auth!.pass) callback(null, { user: a.username });
            else callback(new Error('Invalid username or password'));
          },
        }
      : {}),
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const mail = { ...parse(raw), from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw };
        if (holding && mails.length >= opts.holdAfter!) {
          held.push(mail);
          return;
        }
        mails.push(mail);
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.server.address() as { port: number }).port;
  return {
    port: actual,
    url: `smtp://127.0.0.1:${actual}`,
    mails,
    held,
    acceptAll: () => {
      holding = false;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function decodeWords(s: string): string {
  return s.replace(/=\?utf-8\?([QB])\?([^?]*)\?=\s*/gi, (_, enc: string, text: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : qp(text.replace(/_/g, ' ')),
  );
}

function qp(s: string): string {
  const bytes: number[] = [];
  const body = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '=' && /^[0-9A-F]{2}$/i.test(body.slice(i + 1, i + 3))) {
      bytes.push(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(body[i], 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

function headersOf(block: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  return out;
}

function parse(raw: string): Omit<Received, 'from' | 'to' | 'raw'> {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = headersOf(head);
  const out = { subject: decodeWords(headers.get('subject') ?? ''), text: '', html: '' };
  bodies(headers, rest.join('\r\n\r\n'), out);
  return out;
}

/** The text and HTML parts of an entity, inside multiparts nested any depth (worker-mailer nests alternative in mixed). */
function bodies(h: Map<string, string>, content: string, out: { text: string; html: string }) {
  const type = (h.get('content-type') ?? 'text/plain').toLowerCase();
  const boundary = /boundary="?([^";]+)"?/i.exec(h.get('content-type') ?? '')?.[1];
  if (type.startsWith('multipart/') && boundary) {
    for (const part of content.split(`--${boundary}`).slice(1, -1)) {
      const [ph, ...pb] = part.replace(/^\r?\n/, '').split(/\r?\n\r?\n/);
      bodies(headersOf(ph), pb.join('\r\n\r\n'), out);
    }
    return;
  }
  const enc = (h.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const decoded = enc === 'base64' ? Buffer.from(content.replace(/\s+/g, ''), 'base64').toString('utf8') : enc === 'quoted-printable' ? qp(content) : content;
  if (type.startsWith('text/html')) out.html = decoded;
  else if (type.startsWith('text/plain')) out.text = decoded;
}
