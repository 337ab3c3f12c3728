/**
 * A PostgreSQL URL's password, wherever it is written: in the user part (`postgres://u:secret@host/db`) or as a
 * parameter (`postgres://u@host/db?password=secret`, which libpq and pg both read). Each as written and decoded, so
 * the logger and the errors mask it whichever form a message repeats. No pg import: the CLI reads it before any
 * connection is made.
 */
export function urlPasswords(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const found = new Set<string>();
  const add = (raw: string, decoded: string) => {
    if (raw !== '') found.add(raw);
    if (decoded !== '') found.add(decoded);
  };
  add(parsed.password, safeDecode(parsed.password));
  for (const value of parsed.searchParams.getAll('password')) add(encodeURIComponent(value), value);
  return [...found].sort((a, b) => b.length - a.length);
}

/** The text with every form of the URL's password masked. */
export function redact(text: string, url: string): string {
  return urlPasswords(url).reduce((masked, password) => masked.split(password).join('***'), text);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
