import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { PROJECT_ROOT } from '../../src/project-root.js';

/**
 * The README is the front door and docs/ the reference behind it: the README stays
 * short, and every relative link of either leads somewhere, to the heading it names.
 */
const README_MAX_LINES = 300;

const pages = [
  'README.md',
  ...readdirSync(path.join(PROJECT_ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => path.join('docs', name)),
];

/** The page's lines outside fenced code blocks, where a `#` or `[x](y)` is text, not Markdown. */
function proseLines(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').filter((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return false;
    }
    return !fenced;
  });
}

/** GitHub's anchor for a heading: the text as shown, lower case, punctuation dropped, spaces as hyphens. */
function githubSlug(heading: string): string {
  const shown = heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .trim();
  return shown
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a page offers, a repeated heading numbered as GitHub numbers it (-1, -2, ...). */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = githubSlug(heading[1]!);
    const count = seen.get(slug) ?? 0;
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
    seen.set(slug, count + 1);
  }
  return anchors;
}

/** Relative link targets of a page (inline code and fenced blocks left out); web and mail links are not followed. */
function relativeLinks(markdown: string): string[] {
  return proseLines(markdown)
    .map((line) => line.replace(/`[^`]*`/g, ''))
    .flatMap((line) => [...line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!))
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** Why a link from `page` does not lead where it says, or undefined when it does. */
function brokenBecause(page: string, target: string): string | undefined {
  const [file = '', anchor] = target.split('#', 2);
  const resolved = file === '' ? path.join(PROJECT_ROOT, page) : path.resolve(path.dirname(path.join(PROJECT_ROOT, page)), file);
  if (!resolved.startsWith(PROJECT_ROOT)) return 'points outside the repository';
  if (!existsSync(resolved)) return 'no such file';
  if (anchor === undefined) return undefined;
  if (!resolved.endsWith('.md') || statSync(resolved).isDirectory()) return 'an anchor into a file that is not Markdown';
  return anchorsOf(readFileSync(resolved, 'utf8')).has(anchor) ? undefined : `no heading #${anchor}`;
}

describe('the README', () => {
  test(`when its lines are counted, then there are at most ${README_MAX_LINES}: reference belongs in docs/`, () => {
    const lines = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8').trimEnd().split('\n').length;
    expect(lines).toBeLessThanOrEqual(README_MAX_LINES);
  });

  test('when it is read, then it links every page of docs/', () => {
    const links = relativeLinks(readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8')).map((l) => l.split('#')[0]);
    const unlinked = pages.filter((page) => page !== 'README.md' && !links.includes(page.split(path.sep).join('/')));
    expect(unlinked).toEqual([]);
  });
});

describe('relative links of README.md and docs/', () => {
  test('when every relative link is followed, then it reaches a file that exists, and the heading its anchor names', () => {
    const broken = pages.flatMap((page) =>
      relativeLinks(readFileSync(path.join(PROJECT_ROOT, page), 'utf8')).flatMap((target) => {
        const reason = brokenBecause(page, target);
        return reason === undefined ? [] : [`${page}: (${target}) ${reason}`];
      }),
    );
    expect(broken).toEqual([]);
  });

  test('when the pages are read, then they hold relative links to check (the check can fail)', () => {
    const count = pages.reduce((n, page) => n + relativeLinks(readFileSync(path.join(PROJECT_ROOT, page), 'utf8')).length, 0);
    expect(count).toBeGreaterThan(20);
    expect(brokenBecause('README.md', 'docs/no-such-page.md')).toBe('no such file');
    expect(brokenBecause('README.md', 'docs/design.md#no-such-heading')).toBe('no heading #no-such-heading');
    expect(brokenBecause('README.md', '#connect-your-account')).toBeUndefined();
  });

  test('when headings are turned into anchors, then they are spelled as GitHub spells them', () => {
    expect(githubSlug("Servers, lists and processes that get in each other's way")).toBe(
      'servers-lists-and-processes-that-get-in-each-others-way',
    );
    expect(githubSlug('What `rating` is, and what it is not')).toBe('what-rating-is-and-what-it-is-not');
    expect(githubSlug('Without personal data (`--no-pii`)')).toBe('without-personal-data---no-pii');
    expect(githubSlug('`v_sync_health` (view)')).toBe('v_sync_health-view');
    expect(githubSlug('Scale: one list from 10k to 1M tickets')).toBe('scale-one-list-from-10k-to-1m-tickets');
    expect([...anchorsOf('# A\n## B\n```\n# not a heading\n```\n## B\n')]).toEqual(['a', 'b', 'b-1']);
  });
});
