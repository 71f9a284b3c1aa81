import { AddressInfo } from 'node:net';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { eventually } from '@licensing/testing';

/**
 * A real SMTP server in the test process that parses every message it accepts. It can be
 * started on a chosen port (to come back after being down) and told to refuse recipients.
 */
export class SmtpReceiver {
  readonly mails: ParsedMail[] = [];
  /** Recipients answered with 550. */
  readonly refuse = new Set<string>();
  private server?: SMTPServer;

  private constructor(public port: number) {}

  /** A receiver on a free port, not listening yet (an SMTP server that is down). */
  static async reserve(): Promise<SmtpReceiver> {
    const probe = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'] });
    const port = await new Promise<number>((resolve) =>
      probe.listen(0, '127.0.0.1', () => resolve((probe.server.address() as AddressInfo).port)),
    );
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return new SmtpReceiver(port);
  }

  static async start(): Promise<SmtpReceiver> {
    const receiver = await SmtpReceiver.reserve();
    await receiver.listen();
    return receiver;
  }

  async listen(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        if (this.refuse.has(address.address.toLowerCase())) {
          const error = new Error('mailbox unavailable') as Error & { responseCode: number };
          error.responseCode = 550;
          callback(error);
          return;
        }
        callback();
      },
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            this.mails.push(mail);
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  to(address: string): ParsedMail[] {
    return this.mails.filter((m) =>
      (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).some((t) => t.text.includes(address)),
    );
  }

  /** Waits until `count` messages to the address arrived; returns them. */
  waitFor(address: string, count = 1): Promise<ParsedMail[]> {
    return eventually(() => (this.to(address).length >= count ? this.to(address) : undefined), {
      what: `${count} message(s) to ${address}`,
      timeoutMs: 15_000,
    });
  }
}
