// Writes roster-like xlsx files (8 columns, as an HR export) of the given row counts.
import * as XLSX from 'xlsx';
import { writeFileSync, mkdirSync } from 'node:fs';
const dir = process.argv[2];
mkdirSync(dir, { recursive: true });
for (const n of process.argv.slice(3).map(Number)) {
  const aoa = [['Anställningsnummer', 'Namn', 'E-post', 'Enhetskod', 'Befattning', 'Anställningsform', 'Anställd från', 'Chef']];
  for (let i = 0; i < n; i++) {
    const no = String(100000 + i);
    aoa.push([no, `Förnamn${i} Efternamnsson`, `person.${no}@stockholm.se`, `E${(i % 3000) + 1000}`, ['Socialsekreterare', 'Förskollärare', 'Undersköterska', 'Handläggare'][i % 4], ['tillsvidare', 'visstid', 'timavlönad'][i % 3], new Date(Date.UTC(2010 + (i % 14), i % 12, (i % 28) + 1)), i % 25 === 0 ? 'ja' : 'nej']);
  }
  const ws = XLSX.utils.aoa_to_sheet(aoa, { cellDates: true, dense: true });
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, ws, 'Personal');
  writeFileSync(`${dir}/roster-${n}.xlsx`, XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', compression: true }));
}
