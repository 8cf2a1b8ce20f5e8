// The worker's parse, in Node under a capped V8 heap (run.mjs passes --max-old-space-size).
import * as XLSX from 'xlsx';
import { readFileSync } from 'node:fs';
const bytes = new Uint8Array(readFileSync(process.argv[2]));
const wb = XLSX.read(bytes, { type: 'array', dense: true, cellNF: true, cellHTML: false, cellFormula: false, sheets: 0 });
const data = wb.Sheets[wb.SheetNames[0]]['!data'] ?? [];
const rows = [];
for (let r = 1; r < data.length; r++) if (data[r]) rows.push({ row: r + 1, cells: data[r].map((c) => (c ? c.v : null)) });
console.log(JSON.stringify({ rows: rows.length, heapUsedMB: Math.round(process.memoryUsage().heapUsed / 2 ** 20) }));
