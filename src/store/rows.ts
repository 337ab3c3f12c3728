/** Small helpers shared by the table modules (JSON columns, dates) and by both adapters of the ports (text without NUL characters). */
export function parseJsonArray(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}

export const toJson = (value: unknown): string => JSON.stringify(value ?? []);
export const toDate = (value: unknown): Date | undefined => (typeof value === 'number' ? new Date(value) : undefined);

/**
 * Every port with its text arguments' NULs (U+0000) replaced by U+FFFD, deep in lists and plain objects. PostgreSQL's
 * TEXT cannot hold a NUL (it refuses the statement: a platform's answer with one could not be written, and the
 * message that went out would be left in doubt) and SQLite's can: both adapters hand out their repositories through
 * this, so both store, find and refuse the same. Replaced rather than dropped: «\0admin» must not become the name
 * «admin», and U+FFFD is in no valid username, so a lookup with it finds nothing, as one with the NUL did.
 */
export function withoutNul<T extends object>(repositories: T): T {
  return Object.fromEntries(
    Object.entries(repositories).map(([slice, repository]) => [
      slice,
      Object.fromEntries(
        Object.entries(repository as object).map(([name, method]) => [
          name,
          (...args: unknown[]) => (method as (...a: unknown[]) => unknown)(...args.map(replaceNul)),
        ]),
      ),
    ]),
  ) as T;
}

function replaceNul(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value;
  if (Array.isArray(value)) return value.map(replaceNul);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceNul(v)]));
  }
  return value;
}
