/**
 * The one filter of `%awsrole --list WORDS`, the picker and this switcher, said as the kernel's
 * listing.matching says it (a test runs both on the same cases): the rows whose name holds every
 * word of the query, ignoring case.
 */

/** The characters Python's str.split() splits on, which JavaScript's `\s` does not quite match. */
// eslint-disable-next-line no-control-regex -- Python's str.split() splits on \x1c-\x1f too
const SPACES = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

export function matching<T extends { name: string }>(rows: readonly T[], query: string): T[] {
  const words = query.toLowerCase().split(SPACES).filter(Boolean);
  return rows.filter(row => {
    const name = row.name.toLowerCase();
    return words.every(word => name.includes(word));
  });
}
