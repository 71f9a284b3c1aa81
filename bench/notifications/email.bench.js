// Notifications: e-mails to a local SMTP receiver (smtp-server, in this process). 1,000
// key.registered events (BENCH_EMAILS), each with a recipient of its own, are published onto
// the run's Kafka topics; the clock runs from the first publish until the receiver has every
// key letter (consumer claims and renders → mail worker → pooled nodemailer, MAIL_CONCURRENCY
// = 5 connections). Reported in messages/s next to the ceiling measured in the same run:
// nodemailer sending the very same messages (read back from the service's database) bare,
// through a transport of the same settings with 5 in flight. Doubles are counted by the
// X-Licensing-Notification header.
const { Client } = require('pg');
const { randomUUID } = require('node:crypto');
const { createTransport } = require('nodemailer');
const { SMTPServer } = require('smtp-server');
const { round } = require('../lib/stats');
const { createVendor, eventPublisher, startWebhookPlatform, until } = require('./webhook-bed');

const EMAILS = Number(process.env.BENCH_EMAILS || 1_000);
const CONCURRENCY = 5; // the service's MAIL_CONCURRENCY default

/** An SMTP receiver on loopback that counts messages by their X-Licensing-Notification header. */
async function startSmtpReceiver() {
  const seen = new Map();
  let total = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    maxClients: 100,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (chunk) => {
        if (head.length < 8192) head += chunk.toString('latin1');
      });
      stream.on('end', () => {
        total++;
        const id = /^X-Licensing-Notification: *(\S+)/im.exec(head)?.[1] ?? `none-${total}`;
        seen.set(id, (seen.get(id) || 0) + 1);
        callback();
      });
    },
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: server.server.address().port,
    seen,
    get total() {
      return total;
    },
    reset() {
      seen.clear();
      total = 0;
    },
    doubled: () => [...seen.values()].filter((n) => n > 1).length,
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

function keyRegistered(events, vendorId, i) {
  const keyId = randomUUID();
  return events.createEvent(events.KeyRegistered, {
    vendorId,
    subject: keyId,
    data: {
      keyId,
      code: `BEML-${String(i).padStart(5, '0')}-A1B2C-D3E4F-G5H6J`,
      productCode: 'PBX',
      company: `Bench client ${i}`,
      contactName: 'Jane Doe',
      email: `client-${i}@bench.example`,
      hostFingerprint: 'c3a0f1e2d4b5a6978812',
      trialExpiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    },
  });
}

/** Sends `messages` through a pooled nodemailer transport like the service's, `concurrency` in flight. */
async function bareNodemailer(port, messages, concurrency) {
  const transport = createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    pool: true,
    maxConnections: concurrency,
    tls: { rejectUnauthorized: false },
  });
  try {
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < messages.length) {
          const m = messages[next++];
          await transport.sendMail({
            from: { name: m.sender_name, address: 'no-reply@licensing.localhost' },
            to: m.recipient,
            subject: m.subject,
            text: m.body_text,
            html: m.body_html,
            messageId: `<${m.id}@notifications.licensing>`,
            headers: { 'X-Licensing-Notification': m.id },
          });
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return { seconds, perSecond: messages.length / seconds };
  } finally {
    transport.close();
  }
}

async function run({ root }) {
  const smtp = await startSmtpReceiver();
  const platform = await startWebhookPlatform(root, {
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    MAIL_POLL_MS: '500',
  });
  const db = new Client({ connectionString: platform.databaseUrl('notifications') });
  const publisher = await eventPublisher(root, platform.topicPrefix);
  try {
    await db.connect();
    const events = require(require('node:path').join(root, 'dist/libs/events/src/index.js'));
    const vendor = await createVendor(platform, 'BEML', 'Bench mail');
    // The vendor's name reaches the service's read model before the letters (sender name).
    await until(
      async () =>
        (await db.query(`SELECT 1 FROM known_vendors WHERE vendor_id = $1`, [vendor.id]).catch(() => ({ rowCount: 0 })))
          .rowCount,
      'vendor in the notifications read model',
      60_000,
      100,
    ).catch(() => undefined);

    const warm = Array.from({ length: 10 }, (_, i) => keyRegistered(events, vendor.id, EMAILS + i));
    await publisher.publish(warm);
    await until(() => smtp.seen.size >= warm.length, 'warm-up e-mails', 120_000);
    smtp.reset();

    const letters = Array.from({ length: EMAILS }, (_, i) => keyRegistered(events, vendor.id, i));
    const started = performance.now();
    await publisher.publish(letters);
    await until(() => smtp.seen.size >= EMAILS, `${EMAILS} e-mails`, 600_000, 50);
    const seconds = (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 1_000)); // late copies would show here
    const doubled = smtp.doubled();
    const received = smtp.seen.size;

    // The same messages, bare.
    const { rows } = await db.query(
      `SELECT id, sender_name, recipient, subject, body_text, body_html FROM emails
        WHERE vendor_id = $1 AND caused_by_event_id = ANY($2::uuid[]) ORDER BY seq`,
      [vendor.id, letters.map((e) => e.id)],
    );
    if (rows.length !== EMAILS) throw new Error(`${rows.length} e-mails stored, not ${EMAILS}`);
    await bareNodemailer(smtp.port, rows.slice(0, 20), CONCURRENCY); // warm-up
    smtp.reset();
    const bare = await bareNodemailer(smtp.port, rows, CONCURRENCY);
    const rate = EMAILS / seconds;

    return {
      name: `notifications: ${EMAILS.toLocaleString('en-US')} key letters to a local SMTP receiver`,
      metrics: {
        seconds: round(seconds, 2),
        messagesPerSecond: round(rate, 1),
        shareOfBareNodemailer: round(rate / bare.perSecond, 3),
        lost: EMAILS - received,
        doubled,
      },
      ceiling: {
        bareNodemailerSeconds: round(bare.seconds, 2),
        bareNodemailerPerSecond: round(bare.perSecond, 1),
        connections: CONCURRENCY,
      },
    };
  } finally {
    await publisher.stop().catch(() => undefined);
    await db.end().catch(() => undefined);
    await platform.stop();
    await smtp.stop();
  }
}

module.exports = { name: 'notifications: e-mails vs bare nodemailer', timeoutSeconds: 900, run };
