/** WhatsApp's own name, as every word of the catalogue says it (the descriptor's label, platform.ts). */
export const WHATSAPP_LABEL = { ar: 'واتساب', en: 'WhatsApp' };
