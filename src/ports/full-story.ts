/**
 * The full story read in the chat (src/story, src/newsroom/full-story.ts): how many times each story was read whole,
 * and the key the links to it are signed with.
 */
export interface FullStoryRepository {
  /** How many times the article's full story was read (0 when never). */
  reads(articleId: number): Promise<number>;
  /** The same for a set of articles (the Reach page's stories); an article never read is absent. */
  readsOf(articleIds: readonly number[]): Promise<Map<number, number>>;
  /** `reads` more reads (one, or a batch counted meanwhile). */
  addReads(articleId: number, reads: number, now: number): Promise<void>;
  /** The installation's secret key for the links' codes (32 bytes, made by the migration, never shown). */
  linkKey(): Promise<Uint8Array>;
}
