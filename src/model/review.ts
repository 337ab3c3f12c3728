/** An article from a source that waits for an editor: nothing is queued before «نشر». */
export type ReviewState = 'pending' | 'published' | 'dismissed';

export interface Review {
  articleId: number;
  state: ReviewState;
  /** Random, part of the buttons' data: a forged or guessed article id alone does nothing. */
  token: string;
  createdAt: Date;
  /** When the editors were sent it; undefined until a running platform has asked them. */
  askedAt?: Date;
  /** Who decided (the actor's platform and id) and when; undefined while pending. */
  decidedBy?: { platform: string; id: string };
  decidedAt?: Date;
  /** Deliveries queued when it was published. */
  queued?: number;
}

/** A message that asked one editor about a review (a photo's caption or a text), updated once someone decides. */
export interface ReviewMessage {
  articleId: number;
  platform: string;
  chatId: string;
  messageId: string;
  captioned: boolean;
}
