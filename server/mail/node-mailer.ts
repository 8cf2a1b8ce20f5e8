import nodemailer from 'nodemailer';
import type { Mailer } from './mailer.ts';

/** SMTP from Node (KK_SMTP_URL: smtp://host:port, smtps://user:pass@host:465), from KK_MAIL_FROM. */
export function nodeMailer(smtpUrl: string, from: string): Mailer {
  // A pooled transport keeps a few connections open across a run's messages.
  const transport = nodemailer.createTransport(smtpUrl.includes('?') ? `${smtpUrl}&pool=true` : `${smtpUrl}?pool=true`);
  return {
    async send(m) {
      await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text, html: m.html });
    },
    close() {
      transport.close();
    },
  };
}
