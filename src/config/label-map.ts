import { z } from 'zod';

/** Longest name or label kept: dashboards show them in legends and table headers. */
export const MAX_LABEL_LENGTH = 200;

/**
 * "101=Retail EU;103=Online Shop": names per integer code. Pairs are separated by
 * ";" because names may contain commas; a code named twice, an empty name or a code
 * out of range is an error naming the pair, so a typo never renames the wrong segment.
 */
export function labelMapVar(example: string, range: { readonly min: number; readonly max: number }) {
  return z
    .string()
    .trim()
    .transform((value, ctx) => {
      const labels = new Map<number, string>();
      for (const pair of value
        .split(';')
        .map((p) => p.trim())
        .filter((p) => p !== '')) {
        const eq = pair.indexOf('=');
        const code = eq < 0 ? '' : pair.slice(0, eq).trim();
        const label = eq < 0 ? '' : pair.slice(eq + 1).trim();
        const problem = pairProblem(code, label, range, labels);
        if (problem) {
          ctx.addIssue({ code: 'custom', message: `${problem} in "${pair}" (expected pairs such as "${example}")` });
          return z.NEVER;
        }
        labels.set(Number(code), label);
      }
      return labels;
    });
}

function pairProblem(
  code: string,
  label: string,
  range: { readonly min: number; readonly max: number },
  seen: ReadonlyMap<number, string>,
): string | undefined {
  if (!/^\d+$/.test(code)) return 'expected a whole number before "="';
  // Compared as BigInt: Number() would round a too-long code into range.
  if (BigInt(code) < BigInt(range.min) || BigInt(code) > BigInt(range.max))
    return `${code} is out of range (${range.min} to ${range.max})`;
  if (label === '') return 'expected a name after "="';
  if (label.length > MAX_LABEL_LENGTH) return `the name is longer than ${MAX_LABEL_LENGTH} characters`;
  if (seen.has(Number(code))) return `${code} is named twice`;
  return undefined;
}
