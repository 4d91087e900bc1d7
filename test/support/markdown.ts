/**
 * Markdown as GitHub renders it, for the link checks: the anchors of a page's
 * headings (GitHub's slugs), and the relative links of a page outside its code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** GitHub's anchor of a heading: lower case, punctuation dropped (hyphens and underscores kept), spaces to hyphens. */
export const slug = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');

const withoutCode = (text: string): string => text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');

/** Every anchor of a page, with GitHub's -1, -2 for repeated headings. */
export function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, heading] of withoutCode(readFileSync(file, 'utf8')).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(heading as string);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** What is wrong with a link to `target` (path#anchor, relative to `from`'s directory), or undefined. */
export function brokenLink(root: string, from: string, target: string): string | undefined {
  const [path, anchor] = target.split('#') as [string, string | undefined];
  const file = path === '' ? from : join(dirname(from), path);
  const shown = relative(root, file);
  if (!existsSync(file)) return `${shown} does not exist`;
  if (anchor === undefined || anchor === '') return undefined;
  if (!file.endsWith('.md')) return `${shown} is not a page with headings (#${anchor})`;
  return anchors(file).has(anchor) ? undefined : `${shown} has no heading #${anchor}`;
}

/** The relative links of a page (not http:, mailto:...), outside code blocks. */
export function relativeLinks(file: string): string[] {
  const links = [...withoutCode(readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string);
  return links.filter((l) => !/^[a-z][a-z+.-]*:/i.test(l));
}
