/** Small helpers shared by the table modules (JSON columns, booleans) and by both adapters of the ports (text without NUL). */
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
export const toBool = (value: unknown): boolean => value === 1 || value === true;
export const toDate = (value: unknown): Date | undefined =>
  typeof value === 'number' ? new Date(value) : undefined;

/**
 * A repository whose text arguments lose their NUL characters (U+0000), deep in lists and plain objects. PostgreSQL's
 * TEXT cannot hold one (it refuses the statement) and SQLite's can: both adapters wrap the ports that take text
 * from outside (a hub's reason, a chat's title, a username typed at the desk) in this, so a NUL is dropped on both
 * and both store, find and refuse the same. No meaningful text of Nashra's has a NUL.
 */
export function withoutNul<T extends object>(repository: T): T {
  return Object.fromEntries(Object.entries(repository).map(([name, method]) =>
    [name, (...args: unknown[]) => (method as (...a: unknown[]) => unknown)(...args.map(dropNul))])) as T;
}

function dropNul(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
  if (Array.isArray(value)) return value.map(dropNul);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, dropNul(v)]));
  }
  return value;
}
