/**
 * How one chat wants its messages (issue 12, section 4). Every field is optional: undefined means "the environment's
 * default" (Config.template), so an operator's change of NASHRA_FOOTER still reaches every chat that never chose.
 */
export type LinkPreview = 'none' | 'small' | 'large';
export const LINK_PREVIEWS: readonly LinkPreview[] = ['none', 'small', 'large'];

export interface MessageTemplate {
  /** A line above the headline, as written; '' is a choice: no header. */
  headerMark?: string;
  /** A closing line, as written; '' is a choice: no footer. */
  footer?: string;
  showHashtags?: boolean;
  showSource?: boolean;
  showDate?: boolean;
  /** An article with a lead image goes as a photo with the summary as its caption (where the platform can). */
  leadPhoto?: boolean;
  /**
   * The link preview under a text message: none, small, or large above the text (Telegram's link_preview_options);
   * a platform with only on/off (WhatsApp) shows it for small and large.
   */
  linkPreview?: LinkPreview;
  /**
   * A «النص الكامل» button under the post that gives the reader the whole article in the chat (where the platform
   * can). Undefined: on for channels and groups when the article has more than its summary, off in a private chat.
   */
  fullStory?: boolean;
  /**
   * A group's members may ask for a story's full text in the group itself (WhatsApp: a reply «المزيد» to its post).
   * Off unless the group chose it: the story runs to several long messages that every member receives. A reader may
   * always ask in a private chat.
   */
  fullStoryInGroup?: boolean;
}

export const TEMPLATE_FIELDS = [
  'headerMark',
  'footer',
  'showHashtags',
  'showSource',
  'showDate',
  'leadPhoto',
  'linkPreview',
  'fullStory',
  'fullStoryInGroup',
] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

/** A change to a template: a value sets the field, null resets it to the environment's default, undefined keeps it. */
export type TemplateChange = { [K in TemplateField]?: MessageTemplate[K] | null };
