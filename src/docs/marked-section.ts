/**
 * Generated parts of a Markdown page sit between `<!-- name:start -->` and
 * `<!-- name:end -->`, so `npm run docs` rewrites them and leaves the prose around
 * them as written.
 */

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->`. */
export function replaceSection(document: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from < 0 || to < from) throw new Error(`the page has no ${start} ... ${end} section`);
  return `${document.slice(0, from + start.length)}\n${content}${document.slice(to)}`;
}

/** The text between `<!-- name:start -->` and `<!-- name:end -->`, as replaceSection wrote it. */
export function readSection(document: string, name: string): string {
  const start = `<!-- ${name}:start -->`;
  const from = document.indexOf(start);
  const to = document.indexOf(`<!-- ${name}:end -->`);
  if (from < 0 || to < from) throw new Error(`the page has no ${name} section`);
  return document.slice(from + start.length + 1, to);
}
