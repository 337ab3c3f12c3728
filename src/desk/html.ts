/**
 * HTML templates as typed functions. Every value interpolated with `html` is escaped unless it is itself the
 * result of `html` (or `unsafeRaw`, used only for markup this code builds, such as SVG): article text, usernames,
 * error messages and URLs cannot open a tag or leave an attribute.
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Interpolation = Html | string | number | boolean | null | undefined | Interpolation[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

function render(value: Interpolation): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false || value === true) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

/** Markup built by this code from escaped parts (SVG charts). Never pass text from outside through it. */
export const unsafeRaw = (markup: string): Html => new Html(markup);

/** A URL for an href: only http(s), relative paths and t.me links; anything else (javascript:, data:) becomes '#'. */
export function safeHref(url: string): string {
  return /^(https?:\/\/|\/(?!\/))/i.test(url) ? url : '#';
}
