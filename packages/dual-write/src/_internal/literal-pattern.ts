/**
 * Texts as a regular expression's alternatives, each matched literally (its `.`, `$`, `(` and
 * the like escaped): names read from a catalog or given in options, put into a pattern.
 *
 * @example
 * ```ts
 * new RegExp(`^(?:${literalPattern('a.b', 'c$')})$`).test('a.b'); // true, and not 'axb'
 * ```
 */
export function literalPattern(...texts: string[]): string {
  return texts.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}
