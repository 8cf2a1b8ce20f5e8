/** Where a mail goes: nodemailer over SMTP on Node, worker-mailer on Workers. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close?(): void;
}
