/**
 * README.md and docs/: every relative link names a file of the repository, and
 * every #anchor a heading of that page (as GitHub renders it); README stays
 * sized for a first read, the long parts in docs/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchors, brokenLink, relativeLinks, slug } from '../support/markdown.js';
import { ROOT } from '../support/run.js';

const pages = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

describe('links of README.md and docs/', () => {
  it.each(pages)('%s: every relative link resolves', (page) => {
    const file = join(ROOT, page);
    const broken = relativeLinks(file)
      .map((link) => [link, brokenLink(ROOT, file, link)] as const)
      .filter(([, why]) => why !== undefined);
    expect(broken).toEqual([]);
  });

  it("GitHub's slugs, the checker's own cases", () => {
    expect(slug('The weighted shift and the drain check (`--weights`, `bascule drain`)')).toBe('the-weighted-shift-and-the-drain-check---weights-bascule-drain');
    expect(slug('`bascule drain`')).toBe('bascule-drain');
    expect(slug("The operator's terminal")).toBe('the-operators-terminal');
    expect(brokenLink(ROOT, join(ROOT, 'README.md'), 'docs/nowhere.md')).toBe('docs/nowhere.md does not exist');
    expect(brokenLink(ROOT, join(ROOT, 'README.md'), 'docs/token.md#no-such-heading')).toBe('docs/token.md has no heading #no-such-heading');
    expect(anchors(join(ROOT, 'docs/token.md')).has('the-token-cache')).toBe(true);
  });
});

describe('README.md, for a first read', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  it('holds the install, the two commands, the quick start, the command table, the bench and the docs index, in that order', () => {
    const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings).toEqual(['Install', 'The two commands', 'Quick start', 'Every command', 'Speed', 'Documentation']);
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toMatch(/^npm test {2,}#/m);
    expect(readme.split('\n').length).toBeLessThan(200);
  });

  it('links every page of docs/', () => {
    for (const page of pages.filter((p) => p.startsWith('docs/'))) expect(readme, page).toContain(`](${page})`);
  });

  it("names the commit, date and machine of the bench run, and the binary's size", () => {
    expect(readme).toMatch(/^Latest run: \d{4}-\d{2}-\d{2}, commit [0-9a-f]{7,}.*, on .+cores/m);
    expect(readme).toMatch(/one file of \d+ MiB \(\d+ MiB gzipped\): the Bun runtime/);
  });

  it('its doctor example is the example platform (api.devinfra.local, the TXT record at eks.devinfra.info)', () => {
    const platform = readFileSync(join(ROOT, 'examples/platform.yaml'), 'utf8');
    const server = /^\s+record: (\S+)/m.exec(platform)?.[1];
    expect(server).toBe('api.devinfra.local');
    const session = readme.slice(readme.indexOf('$ bascule doctor'));
    expect(session).toContain(`https://${server}`);
    expect(session).not.toMatch(/https:\/\/api\.devinfra\.info/);
  });
});
