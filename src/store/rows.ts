/** Small helpers shared by the table modules: JSON columns and booleans. */
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
