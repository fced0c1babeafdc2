// The test SMTP peer itself: other suites' end-to-end tests lean on its waiting and failure injection.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testLog } from '../helpers/db.ts';
import { PermanentError } from '../../src/errors.ts';
import { createTransport, type MailTransport } from '../../src/notify/transport.ts';
import { startSmtpPeer, type SmtpPeer } from '../helpers/smtp-peer.ts';
import { sampleMail } from './mail-fixture.ts';

let peer: SmtpPeer;
let transport: MailTransport;

beforeAll(async () => {
  peer = await startSmtpPeer();
  transport = createTransport({ smtpUrl: peer.url, outboxDir: '/nonexistent-never-used', log: testLog });
});

afterAll(async () => {
  await transport.close();
  await peer.close();
  await peer.close();
});

beforeEach(() => {
  peer.messages.length = 0;
});

describe('SMTP peer', () => {
  it('listens on 127.0.0.1 at the port it reports', () => {
    expect(peer.url).toBe(`smtp://127.0.0.1:${peer.port}`);
    expect(peer.port).toBeGreaterThan(0);
  });

  it('waitFor resolves for a message that arrives later, and for one already there', async () => {
    const mail = sampleMail({ to: 'later@example.com' });
    const waiting = peer.waitFor((m) => m.envelopeTo.includes('later@example.com'));
    await transport.send(mail);
    expect((await waiting).parsed.messageId).toBe(`<${mail.messageId}>`);
    expect((await peer.waitFor((m) => m.envelopeTo.includes('later@example.com'), 10)).parsed.messageId).toBe(`<${mail.messageId}>`);
  });

  it('waitFor and waitForCount time out with what was received so far', async () => {
    await transport.send(sampleMail({ subject: 'the only one' }));
    await expect(peer.waitFor((m) => m.envelopeTo.includes('nobody@example.com'), 100)).rejects.toThrow(
      /timed out after 100 ms waiting for a matching message; received so far: "the only one" to maria@example.com/,
    );
    await expect(peer.waitForCount(2, 100)).rejects.toThrow('waiting for 2 messages');
  });

  it('failNext refuses exactly as many messages as asked, then accepts again', async () => {
    peer.failNext(452, '4.3.1 Insufficient storage', 2);
    const mail = sampleMail();
    for (let i = 0; i < 2; i++) await expect(transport.send(mail)).rejects.toThrow('452 4.3.1 Insufficient storage');
    await transport.send(mail);
    expect(peer.messages).toHaveLength(1);
  });

  it('failNext queues failures in order', async () => {
    peer.failNext(421, '4.7.0 Slow down');
    peer.failNext(550, '5.7.1 Go away');
    await expect(transport.send(sampleMail())).rejects.not.toBeInstanceOf(PermanentError);
    await expect(transport.send(sampleMail())).rejects.toBeInstanceOf(PermanentError);
    await transport.send(sampleMail());
    expect(peer.messages).toHaveLength(1);
  });

  it('failNext refuses codes that are not failures', () => {
    expect(() => peer.failNext(250, 'OK')).toThrow(RangeError);
  });
});
