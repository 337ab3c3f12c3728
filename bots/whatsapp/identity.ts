import type { Actor } from '../../src/newsroom/index.js';
import type { WaClient } from './types.js';

/** "963944123456@c.us" → "963944123456"; "963944123456:12@c.us" (a device) → "963944123456". */
export const userPart = (id: string): string => id.split('@')[0]!.split(':')[0]!;

export const isGroupId = (id: string): boolean => id.endsWith('@g.us');
export const isChannelId = (id: string): boolean => id.endsWith('@newsletter');

export interface Identity {
  /** Every id this person may appear under: phone (@c.us) and, when WhatsApp uses them, the privacy id (@lid). */
  ids: string[];
  /** Digits of the phone number, when known: what WHATSAPP_EDITOR_NUMBERS lists. */
  phone?: string;
}

/**
 * WhatsApp increasingly names group members by a privacy id (…@lid) instead of their number, so a sender is
 * matched against editors and admins under both; the library maps one to the other (getContactLidAndPhone).
 */
export async function resolveIdentity(client: WaClient, id: string): Promise<Identity> {
  const ids = new Set([id]);
  let phone = id.endsWith('@c.us') ? userPart(id) : undefined;
  if (client.getContactLidAndPhone && (id.endsWith('@lid') || id.endsWith('@c.us'))) {
    try {
      const [mapping] = await client.getContactLidAndPhone([id]);
      if (mapping?.lid) ids.add(mapping.lid);
      if (mapping?.pn) {
        ids.add(mapping.pn);
        phone ??= userPart(mapping.pn);
      }
    } catch {
      // The mapping is a nicety; the id the message came with still works.
    }
  }
  return { ids: [...ids], phone };
}

/** The newsroom's view of a WhatsApp sender: their phone number (what WHATSAPP_EDITOR_NUMBERS lists). */
export const actorOf = (sender: Identity): Actor => ({
  platform: 'whatsapp',
  id: sender.phone ?? sender.ids[0] ?? '?',
});
