import { afterEach, expect, it } from 'vitest';
import { startServer, type ServerProcess } from './server-process.ts';

// Over real HTTP: a 100 MB upload streamed in chunks is refused with 413 once it passes the
// limit, the rest of it is never read, and the server answers others meanwhile and after.

let server: ServerProcess | undefined;
afterEach(() => server?.stop());

it('answers 413 to a streamed 100 MB upload and keeps serving', async () => {
  server = await startServer({ KK_MAX_UPLOAD_MB: '5' });
  const token = await server.token();
  const boundary = 'kkboundary';
  const head = new TextEncoder().encode(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n`);
  const chunk = new Uint8Array(1 << 20).fill(0x41);
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 0) controller.enqueue(head);
      if (sent >= 100) {
        controller.enqueue(new TextEncoder().encode(`\r\n--${boundary}--\r\n`));
        controller.close();
        return;
      }
      sent++;
      controller.enqueue(chunk);
    },
  });
  const upload = fetch(`${server.base}/api/imports/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    body,
    // @ts-expect-error Node's fetch needs this for a streamed body; the DOM types lack it.
    duplex: 'half',
  }).then(async (r) => ({ status: r.status, type: r.headers.get('content-type'), body: await r.json() }));
  const health = await fetch(`${server.base}/api/health`);
  expect(health.status).toBe(200);
  const answer = await upload;
  expect(answer.status).toBe(413);
  expect(answer.type).toMatch(/problem\+json/);
  expect(answer.body).toMatchObject({ status: 413, code: 'body.tooLarge' });
  expect(sent).toBeLessThan(100);
  expect((await fetch(`${server.base}/api/health`)).status).toBe(200);
});
