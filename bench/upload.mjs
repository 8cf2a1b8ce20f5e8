// One upload from a process of its own (bench/load.ts importFile): the bench process holds the
// generated city, and its collections paused its uploads, which the server then waited for.
// Prints {status, ms, text}; ms is from the request's start to the answer's last byte.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const [url, token, file] = process.argv.slice(2);
const form = new FormData();
form.append('file', new Blob([readFileSync(file)]), basename(file));
const started = performance.now();
const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
const text = await res.text();
process.stdout.write(JSON.stringify({ status: res.status, ms: performance.now() - started, text }));
