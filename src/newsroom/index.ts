/**
 * The newsroom: every action an editor or a subscriber can take, once, for every front door (the CLI, Telegram,
 * WhatsApp, the desk). Each action takes the actor, checks the permission itself (PermissionError), does its work
 * in one transaction where it writes, writes the audit entry, and returns a typed result that each front door
 * puts in its own words.
 */
export {
  CLI_OPERATOR,
  EditorDirectory,
  OutletAdminError,
  requireEditor,
  requireOutletAdmin,
  SYSTEM,
  type Actor,
} from './actor.js';
export { countAudience, queueAudience, type AudienceCount } from './audience.js';
export {
  broadcastStatus,
  cancelBroadcast,
  composeUrgent,
  confirmBroadcast,
  paidBroadcastOffers,
  paidEstimates,
  previewBroadcast,
  setBroadcastPaid,
  stopBroadcast,
  URGENT_PRIORITY,
  findBroadcast,
  placeProgress,
  type ProgressPlaceResult,
  type BroadcastPreview,
  type BroadcastStatus,
  type DecisionResult,
  type PaidEstimate,
} from './broadcasts.js';
export {
  listScheduled,
  rescheduleBroadcast,
  scheduleBroadcast,
  SendTimeError,
  sendTimeOf,
  unscheduleBroadcast,
  type RescheduleResult,
  type ScheduleRefusal,
  type ScheduleResult,
  type UnscheduleResult,
} from './scheduled.js';
export {
  cancelCorrection,
  confirmCorrection,
  confirmRetraction,
  correctionReport,
  postCounts,
  previewCorrection,
  previewRetraction,
  reviseFromSource,
  visibleText,
  type CorrectionDecision,
  type CorrectionPreview,
  type PostCounts,
  type RetractionDecision,
  type RetractionPreview,
  type SourceRevisionResult,
} from './corrections.js';
export { platformLabel, platformRefusal, type Refusal } from './correction-words.js';
export { resendBroadcastFailed, resendFailed, resolveInDoubt, type ResendResult } from './deliveries.js';
export { cleanEdit, draftEdit, editArticle, EDIT_LIMITS, type ArticleEditInput } from './edit-article.js';
export type { ChatRules, NewsroomDeps, PaidBroadcastOffer } from './deps.js';
export { findArticle, routeArticle, storeArticle } from './pipeline.js';
export {
  exportOpml,
  importOpml,
  readOpml,
  OPML_MAX_BYTES,
  type OpmlFeed,
  type OpmlOutcome,
  type OpmlReport,
} from './opml.js';
export {
  addSource,
  AlreadyFollowedError,
  formatInterval,
  listSources,
  parseInterval,
  pollSourceNow,
  removeSource,
  setSourceActive,
  sourceHook,
  type AddSourceInput,
  type AddSourceResult,
  type SourceHook,
} from './sources.js';
export {
  decideReview,
  holdForReview,
  listPendingReviews,
  recordReviewCopy,
  reviewAnnouncer,
  reviewCopies,
  type PendingReview,
  type ReviewCopyResult,
  type Reviewer,
  type ReviewResult,
  type ReviewVerdict,
} from './review.js';
export {
  addOutlet,
  checkSlug,
  defaultEnvPrefix,
  listOutlets,
  OutletExistsError,
  outletNewsrooms,
  removeOutlet,
  type OutletNewsrooms,
} from './outlets.js';
export { searchArticles, type SearchHit } from './search.js';
export { collectStats, viewStats, type Stats, type WaitReason } from './stats.js';
export { chatWaits, type ChatWaits } from './waiting.js';
export { describeFilter, matchesTopics, parseTopicFilter, topicChoices } from './topics.js';
export {
  activeSubscriptions,
  changeSubscription,
  findSubscription,
  migrateChat,
  setTopics,
  subscribe,
  subscriptionLost,
  subscriptionSettings,
  unsubscribe,
  type MigrationResult,
  type SubscriptionChange,
  type SubscriptionSettings,
  type ChatAuthority,
  type ChatRef,
  type SubscribeRequest,
  type SubscribeResult,
  type UnsubscribeResult,
} from './subscriptions.js';
export {
  ARABIC as ARABIC_DELIVERY_WORDS,
  DeliveryWordsError,
  deliveryOf,
  deliveryPatchFromWords,
  describeDelivery,
  ENGLISH as ENGLISH_DELIVERY_WORDS,
  parseDigest,
  parseQuiet,
  parseQuietMode,
  setDelivery,
  type DeliveryPatch,
  type DeliveryResult,
  type DeliveryWords,
} from './delivery-settings.js';
export { buildDigest, digestCloser, type DigestCloser, type DigestMessage } from './digests.js';
export {
  addDeskEditor,
  addFirstDeskEditor,
  changeDeskPassword,
  DeskAccountExistsError,
  deskSession,
  deskSignIn,
  deskSignOut,
  hasDeskEditors,
  listDeskEditors,
  removeDeskEditor,
  removeDeskMembership,
  setDeskMembership,
  deskOutlet,
  switchDeskOutlet,
  type DeskAccount,
  type DeskAccountWithOutlets,
  type DeskOutlet,
  type NewMembership,
  type SignedInEditor,
  type OpenedSession,
  type SessionLookup,
  type SignInResult,
} from './desk-accounts.js';
export {
  checkPasswordRules,
  checkUsername,
  normalUsername,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
} from './password.js';
export { ingestArticle, type IngestResult } from './ingest-article.js';
export { backupNewsroom } from './backup.js';
export {
  articleOfCode,
  countFullRead,
  countFullReadSoon,
  flushFullReads,
  fullReads,
  fullStoryCode,
  fullStoryOf,
  readFullStory,
  type FullStoryRead,
} from './full-story.js';
export { storyForReply, type ReplyRef, type ReplyStory } from './story-replies.js';
export {
  allSubscriptions,
  articleById,
  articlePosts,
  articlesPerDay,
  audienceCount,
  auditChoices,
  auditEntries,
  broadcastById,
  broadcastsOfArticle,
  findSubscriptions,
  followedSources,
  latestArticles,
  newsroomOpen,
  recentTopics,
  revisionById,
  sourceById,
  subscribedPlatforms,
  subscriptionByChat,
  subscriptionById,
  todayArticles,
  type TodayFilter,
} from './queries.js';
export {
  articleDeliveries,
  articleDeliveryCounts,
  jobById,
  deliveryCountsOf,
  failuresByReason,
  inDoubtDeliveries,
  inDoubtOutbox,
  postOfMessage,
  queueDepth,
  sentPerHour,
  waitingForChats,
  type ArticleDelivery,
  type DeliveryCounts,
  type InDoubtDelivery,
  type QueueDepth,
} from './outbox-queries.js';
export {
  articleReactions,
  isReactionKey,
  reactionTotals,
  recordReactions,
  MAX_REACTION_COUNT,
  type ReactionChangeReport,
  type ReactionCountReport,
  type ReactionOutcome,
  type ReactionReport,
} from './reactions.js';
export { ClickCounter, isReader, postLinks, type ClickAnswer } from './clicks.js';
export {
  articleReach,
  csvCell,
  parseWindow,
  reachCsv,
  reachReport,
  suggestSendHour,
  VIEWS_NOTE,
  type ChatReach,
  type HourSuggestion,
  type PlatformReach,
  type ReachReport,
  type StoryReach,
} from './reach.js';
