import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The README and docs/ link to each other and to anchors (`#rule-3`) that code comments cite:
// a renamed heading or file must not leave a link pointing at nothing.
const root = fileURLToPath(new URL('../../', import.meta.url));
const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** GitHub's anchor for a heading: lower case, punctuation but '-' and '_' dropped, spaces to '-'. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}

function anchors(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/<a id="([^"]+)"><\/a>/g)) out.add(m[1]);
  const seen = new Map<string, number>();
  for (const m of text.replace(/```[\s\S]*?```/g, '').matchAll(/^#{1,6} (.+)$/gm)) {
    const s = slug(m[1]);
    const n = seen.get(s) ?? 0;
    seen.set(s, n + 1);
    out.add(n ? `${s}-${n}` : s);
  }
  return out;
}

function links(text: string): string[] {
  return [...text.replace(/```[\s\S]*?```/g, '').matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
}

describe('links in README.md and docs/', () => {
  it('finds GitHub anchors the way GitHub makes them', () => {
    expect(slug('Regel 3 · Rule 3: förfallodatum · due date')).toBe('regel-3--rule-3-förfallodatum--due-date');
    expect(slug('Run it locally (`npm run dev:worker`)')).toBe('run-it-locally-npm-run-devworker');
  });

  for (const file of files) {
    it(`${file}: every relative link names a file that exists and an anchor in it`, () => {
      const text = readFileSync(join(root, file), 'utf8');
      const broken: string[] = [];
      for (const link of links(text)) {
        const [path, anchor] = link.split('#');
        const target = path ? join(dirname(join(root, file)), path) : join(root, file);
        if (!existsSync(target)) broken.push(`${link} (no file ${relative(root, target)})`);
        else if (anchor && target.endsWith('.md') && !anchors(readFileSync(target, 'utf8')).has(anchor)) broken.push(`${link} (no anchor)`);
      }
      expect(broken).toEqual([]);
    });
  }

  it('docs/coverage-rules.md has rules 1 to 6 under #regel-N and #rule-N, which code comments cite', () => {
    const a = anchors(readFileSync(join(root, 'docs/coverage-rules.md'), 'utf8'));
    for (let n = 1; n <= 6; n++) {
      expect(a.has(`regel-${n}`)).toBe(true);
      expect(a.has(`rule-${n}`)).toBe(true);
    }
  });

  it('code comments that cite docs/ name files that exist, and coverage rules 1 to 6 only', () => {
    const cited: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
        const p = `${dir}/${e.name}`;
        if (e.isDirectory()) walk(p);
        else if (/\.(ts|mjs)$/.test(e.name)) {
          const text = readFileSync(join(root, p), 'utf8');
          for (const m of text.matchAll(/docs\/([a-z-]+\.md)(, rules? ([0-9]+)(?:[–-]([0-9]+)| and ([0-9]+))?)?/g)) {
            cited.push(p);
            if (!existsSync(join(root, 'docs', m[1]))) throw new Error(`${p} cites docs/${m[1]}, which does not exist`);
            for (const n of [m[3], m[4], m[5]].filter(Boolean).map(Number)) {
              if (m[1] !== 'coverage-rules.md' || n < 1 || n > 6) throw new Error(`${p} cites ${m[0]}`);
            }
          }
        }
      }
    };
    for (const dir of ['server', 'web-components', 'test', 'bench', 'scripts']) walk(dir);
    expect(cited).toContain('server/domain/coverage.ts');
  });

  it("the README's configuration table names every variable server/config.ts reads", () => {
    const config = readFileSync(join(root, 'server/config.ts'), 'utf8');
    const names = [...config.matchAll(/^\s+(PORT|KK_[A-Z_]+): z\./gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(10);
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
    expect(names.filter((n) => !table.includes(`\`${n}\``))).toEqual([]);
  });

  it('the README stays a front door: at most 200 lines', () => {
    expect(readFileSync(join(root, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(200);
  });
});
