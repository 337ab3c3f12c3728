import type { CorrectionTally } from '../model/correction.js';
import type {
  ChatIdForm,
  ConfigProblem,
  CopyMismatch,
  CopyProblem,
  DatabaseOpenProblem,
  DeliveryWordsProblem,
  NewsroomRefusal,
  OpmlCounts,
  PostsSent,
  ReachSaid,
  Refusal,
  StatsReport,
  StatsSaid,
} from './values.js';
import { localClock, localDateTime } from '../text/schedule.js';
import { tallyParts, type Catalogue } from './ar.js';

/** The catalogue in English (a Telegram user whose language_code starts with «en», the desk's English pages). */

/** What became of the posts, by outcome: «3 deleted». */
const OUTCOMES: Record<string, string> = {
  edited: 'edited',
  unchanged: 'already correct',
  replied: 'answered with the correction',
  deleted: 'deleted',
  notice: 'replaced by the notice',
  failed: 'could not be touched',
  waiting: 'waiting',
  inDoubt: 'in doubt',
  skipped: 'superseded',
};
const tallyPart = (outcome: string, n: number): string => `${n} ${OUTCOMES[outcome] ?? outcome}`;

/** «a number such as -1001234567890», «…@g.us for a group»: a chat id's form, said with its example. */
const EN_CHAT_ID_FORMS: Record<ChatIdForm['shape'], (example: string) => string> = {
  number: (e) => `a number such as ${e}`,
  handle: (e) => `or ${e}`,
  group: (e) => `${e} for a group`,
  channel: (e) => `${e} for a channel`,
  person: (e) => `${e} for a person`,
};

/** Digest and quiet-hours words refused, in the words of the CLI's --digest and --quiet (a chat's reply: delivery.problem). */
function deliveryRefusal(p: DeliveryWordsProblem): string {
  switch (p.kind) {
    case 'time':
      return `${p.setting === 'digest' ? 'digest' : 'quiet hours'}: "${p.text}" is not a time of day (HH:MM, 00:00 to 23:59)`;
    case 'digest':
      return `digest: "${p.text}" is not hourly, daily@HH:MM or off`;
    case 'window':
      return `quiet hours: "${p.text}" is not a window such as 00:00-07:00, or off`;
    case 'same-times':
      return 'quiet hours must start and end at different times';
    case 'mode':
      return `quiet mode: "${p.text}" is not silent or wait`;
    case 'no-digest':
      return 'digest: hourly, daily@HH:MM or off';
    case 'no-window':
      return 'quiet hours: a window such as 00:00-07:00, or off';
  }
}

const countEnglish = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

const VIEWS_NOTE =
  'Bots cannot read view counts; reach here is the posts sent, the clicks on their links and the click-through.';

export const en = {
  chat: {
    start:
      'Welcome to Nashra: short summaries of the news that matters.\n/subscribe to subscribe, /latest for the latest news, /help for help.',
    help: 'Commands:\n/latest [n] — latest news (1 to 10)\n/search words — search the news\n/subscribe [topics] — subscribe\n/unsubscribe — unsubscribe\n/topics [topics] — the filter: see and change it\n/settings — how messages look, link previews\n/digest — an hourly or daily digest\n/quiet — quiet hours',
    deliveryNow: (what: string) => `Settings now: ${what}.`,
    deliveryUsage:
      'Examples:\n/digest 08:00 — a daily digest at 8 am\n/digest 08:00 urgent — and urgent alerts at once\n/digest hourly — an hourly digest\n/digest off — each story as it comes\n/quiet 00:00-07:00 — no notification at night\n/quiet 00:00-07:00 wait urgent — held until 7, except urgent alerts\n/quiet off',
    deliveryNeedsSubscription: 'Subscribe first with /subscribe, then choose when the news arrives.',
    editorHelp:
      '\n\nEditors:\n/broadcast link or id — broadcast an article\n/urgent text — urgent alert\n/scheduled — scheduled broadcasts\n/correct id — correct a sent story\n/retract id — retract a story\n/addchannel @channel — add a channel\n/sources — sources\n/stats — statistics',
    nothingYet: 'No news yet.',
    searchUsage: 'Type the words after the command, e.g. /search Damascus',
    noResults: (q: string) => `No results for “${q}”.`,
    tooFast: 'You are sending commands too fast; wait a moment and try again.',
    subscribed: 'Subscribed. News will arrive here.',
    subscribedTopics: (t: string) => `Subscribed to: ${t}`,
    filterWords: { except: 'except:', separator: ', ', between: '; ' },
    unsubscribed: 'Unsubscribed. No more news will be sent.',
    notSubscribed: 'You are not subscribed.',
    adminsOnly: 'Sorry, only the group’s admins can change its subscription.',
    topicsTitle: 'Choose topics (none = all news):',
    topicsNeedSubscription: 'Subscribe first with /subscribe, then choose topics.',
    topicsSaved: 'Saved.',
    topicsCurrent: (f: string) => `Current filter: ${f}`,
    topicsAll: 'You receive all the news now, no filter.',
    topicsHowTo:
      'To change it: /topics Raqqa "Deir ez-Zor" -sport (a leading «-» excludes a word or phrase), or /topics all for all the news.',
    notEditor: 'This command is for editors only.',
    privateOnly: 'Use this command in a private chat with the bot.',
    broadcastUsage: 'Usage: /broadcast article link or id',
    correctUsage:
      'Usage: /correct article id or link\nthe corrected headline\nthe summary, one sentence per line (left as it is if omitted)',
    retractUsage: 'Usage: /retract article id or link',
    correctPreview: (posts: string) =>
      `Correction preview — ${posts ? `posts already sent that will be edited: ${posts}` : 'nothing has been sent yet'}. The story after the correction:`,
    correctUnchanged: 'A reader would see no difference: nothing to correct.',
    correctQueued: (n: number) => `Corrected; ${n} post${n === 1 ? '' : 's'} being edited.`,
    retractPreview: (title: string, posts: string, queued: number) =>
      `Retract «${title}»: ${posts ? `deletes ${posts}` : 'nothing was sent'}${queued ? `, cancels ${queued} not sent yet` : ''}. It is never sent again.`,
    retracted: (n: number, cancelled: number) =>
      `Retracted: ${n} post${n === 1 ? '' : 's'} being deleted${cancelled ? `, ${cancelled} cancelled` : ''}.`,
    alreadyRetracted: 'This story was already retracted.',
    correctionCancelled: 'Cancelled; nothing changed.',
    correctionReport: (lines: string) => `Correction or retraction result:\n${lines}`,
    tallyLine: (platform: string, parts: string, reasons: string) =>
      `${platform}: ${parts}${reasons ? `\nreasons: ${reasons}` : ''}`,
    platform: (label: { ar: string; en: string } | undefined, name: string) => label?.en ?? name,
    urgentUsage: 'Usage: /urgent text of the alert',
    previewHeader: (n: number, already: number, failed: number) =>
      `Preview — will be sent to ${n} subscriber${n === 1 ? '' : 's'} as follows${already ? ` (${already} already have it)` : ''}${failed ? `; it failed for ${failed} before` : ''}:`,
    previewNobody: (already: number, failed: number) =>
      `This would reach nobody new: no matching subscription is waiting for it${already ? ` (${already} already have it)` : ''}${failed ? `. It failed for ${failed} before: use «Send the failed ones again» under the progress message, or nashra resend` : ''}.`,
    urgentTooLong: (max: number) => `An urgent alert is at most ${max} characters; shorten it.`,
    subscribedAlready: 'You are already subscribed.',
    subscriptionUpdated: 'Subscription updated.',
    send: 'Send',
    cancel: 'Cancel',
    paidOff: (stars: string) => `⭐ Paid broadcast (up to ${stars} Stars)`,
    paidOn: (stars: string) => `★ Paid: up to ${stars} Stars — press to undo`,
    paidSet: (stars: string, rate: string) =>
      `Paid broadcast: up to ${stars} Stars from the bot's balance, up to ${rate} messages a second.`,
    paidUnset: 'The broadcast goes at the free rate.',
    stop: 'Stop',
    schedule: '🕒 Schedule',
    scheduleBack: 'Back',
    scheduleAsk: (zone: string) =>
      `When should it go? Pick a time, or send one as a reply to this message: 18:00 (the next 18:00) or 2026-12-08 18:00, ${zone} time.`,
    scheduleToday: (clock: string) => `Today ${clock}`,
    scheduleBest: (hour: number, perPost: number) =>
      `⭐ ${String(hour).padStart(2, '0')}:00 is the hour this audience's posts got the most clicks per post over the last four weeks (${perPost} clicks per post).`,
    scheduleTomorrow: (clock: string) => `Tomorrow ${clock}`,
    scheduled: (id: number, when: string, zone: string, n: number) =>
      `🕒 Broadcast #${id} scheduled: ${when} ${zone} time, to ${n} subscriber${n === 1 ? '' : 's'}. /scheduled lists, moves and cancels it.`,
    scheduledTitle: (n: number) => `Scheduled (${n}):`,
    scheduledNone: 'Nothing is scheduled.',
    scheduledLine: (id: number, when: string, title: string, n: number, urgent: boolean) =>
      `#${id} ${when}${urgent ? ' 🔴' : ''} — ${title} (to ${n} subscriber${n === 1 ? '' : 's'})`,
    scheduledUsage: (zone: string) =>
      `/scheduled move id time — another time (18:00 or 2026-12-08 18:00, ${zone} time)\n/scheduled cancel id — cancel it`,
    scheduledCancelButton: (id: number) => `Cancel #${id}`,
    scheduledMoved: (id: number, when: string, zone: string) => `🕒 Broadcast #${id} moved to ${when} ${zone} time.`,
    scheduledCancelled: (id: number) => `Scheduled broadcast #${id} cancelled; nothing of it will be sent.`,
    scheduleNotFound: (id: string) => `No scheduled broadcast #${id}. /scheduled lists them.`,
    scheduleStarted: (id: string, when: string) =>
      `Broadcast #${id} began at its time (${when}); it can no longer be moved or cancelled. What went stays sent; «Stop» stops what has not gone.`,
    scheduleCancelledBefore: (id: string) =>
      `Broadcast #${id} was cancelled before (or its article retracted); nothing of it will be sent.`,
    timeMalformed: (text: string, zone: string) =>
      `«${text}» is not a time. Write 18:00 (the next 18:00, ${zone} time) or a date and time such as 2026-12-08 18:00.`,
    timePast: (text: string, now: string, zone: string) =>
      `«${text}» is in the past (it is ${now} ${zone} time). Pick a later time.`,
    timeTooFar: (text: string, days: number) => `«${text}» is more than ${days} days ahead. Pick an earlier time.`,
    resendFailed: 'Send the failed ones again',
    resent: (n: number) =>
      n === 0
        ? 'Nothing to send again: the failures were refusals for good, or the chats unsubscribed.'
        : `Queued again: ${n}.`,
    confirm: 'Confirm',
    cancelled: 'Broadcast cancelled; nothing was sent.',
    alreadyDecided: 'This broadcast was already handled.',
    progress: (sent: string, failed: string, remaining: string) =>
      `Sending — sent: ${sent}, failed: ${failed}, remaining: ${remaining}`,
    done: (sent: string, failed: string) => `Broadcast finished — sent: ${sent}, failed: ${failed}`,
    stopped: (sent: string, skipped: string) => `Broadcast stopped — sent: ${sent}, cancelled: ${skipped}`,
    waitingForChats: (n: number, until: string) =>
      `, waiting for the chat's quiet hours or digest: ${n} until ${until}`,
    addChannelUsage: 'Usage: /addchannel @channel_name or its id',
    channelNotFound: (c: string) => `Channel ${c} not found. Check the name and that the bot was added to it.`,
    channelNotAdmin: (c: string) => `The bot is not an administrator of ${c}. Make it an admin first.`,
    channelNoPost: (c: string) =>
      `The bot is an admin of ${c} but lacks the “Post messages” right. Enable it and try again.`,
    channelAdded: (c: string) => `Channel ${c} subscribed.`,
    channelJoined: (c: string) => `The bot was made an admin of channel ${c}. Subscribe it to the news?`,
    sourcesTitle: (n: string) => `Sources (${n}):`,
    sourcesNone: 'No sources.',
    sourcesUsage:
      'Sources:\n/sources — list\n/sources add url [10m] [review] — add a site or feed; with “review” its new items wait for an editor\n/sources remove id — remove a source',
    sourcesAddedReview: (name: string, id: string, seen: number) =>
      `Source #${id} added: ${name}. ${seen} existing item${seen === 1 ? '' : 's'} marked as seen. Its new items wait for an editor before they are sent.`,
    reviewPublish: 'Publish',
    reviewDismiss: 'Dismiss',
    reviewPublished: (who: string, n: number) => `✅ Published by ${who} (to ${n} subscriber${n === 1 ? '' : 's'}):`,
    reviewDismissed: (who: string) => `🚫 Dismissed by ${who}, not sent:`,
    reviewPublishedToast: (n: number) => `Published: it goes to ${n} subscriber${n === 1 ? '' : 's'}.`,
    reviewDismissedToast: 'Dismissed; it will not be sent.',
    reviewAlready: (who: string) => `${who} already decided.`,
    reviewGone: 'This item is no longer waiting for review.',
    reviewOperator: 'the operator (command line)',
    reviewEditor: (id: string) => `editor ${id}`,
    sourcesAdded: (name: string, id: string, seen: number, sent: number) =>
      `Source #${id} added: ${name}. ${seen} existing item${seen === 1 ? '' : 's'} marked as seen, ${sent} sent.`,
    sourcesAddedPollFailed: (name: string, id: string, error: string) =>
      `Source #${id} added: ${name}, but the first fetch failed (${error}); it will be retried.`,
    sourcesRemoved: (name: string, id: string) => `Source #${id} removed: ${name}. Its articles stay stored.`,
    sourcesRefused: (why: string) => `Could not do that: ${why}`,
    notFound: (r: string) => `Article ${r} not found.`,
    error: 'Something went wrong; please try again later.',
    notACommand: 'I did not understand. Send /help for the commands, or /latest for the latest news.',
    stats: (st: StatsSaid, timeZone: string, label: (platform: string) => string) =>
      [
        '📊 Statistics',
        `Articles stored: ${st.articles}`,
        `Subscriptions: ${st.subscriptions.map((p) => `${label(p.platform)} ${p.active} active, ${p.inactive} inactive`).join('; ') || 'none'}`,
        `Deliveries: ${
          Object.entries(st.deliveries)
            .map(
              ([p, by]) =>
                `${label(p)}: sent ${by.sent ?? 0}, failed ${by.failed ?? 0}, waiting ${(by.queued ?? 0) + (by.sending ?? 0)}`,
            )
            .join('; ') || 'none yet'
        }`,
        `Queue: ${st.queueDepth}${st.oldestQueuedSeconds !== null ? `, oldest ${st.oldestQueuedSeconds} s` : ''}`,
        ...st.waiting.map((w) => `⏳ ${label(w.platform)}: ${w.count} waiting — ${w.reason}`),
        ...st.waitingForChats.map(
          (w) =>
            `🌙 ${label(w.platform)}: waiting for the chat's quiet hours or digest: ${w.count} until ${localClock(Date.parse(w.until), timeZone)}`,
        ),
        ...st.scheduled.map(
          (w) =>
            `🕒 ${label(w.platform)}: scheduled: ${w.count} message${w.count === 1 ? '' : 's'}, the first going at ${localDateTime(Date.parse(w.next), timeZone)}`,
        ),
        ...(st.inDoubt.length
          ? [
              `⚠️ In doubt (the process stopped while sending): ${st.inDoubt.map((d) => `#${d.id}`).join(', ')} — check those chats, then nashra in-doubt`,
            ]
          : []),
        `Sources: ${st.sources.total} (${st.sources.active} active)`,
        ...st.sources.failingForADay.map(
          (f) => `❌ Source #${f.id} ${f.name} failing since ${f.since}: ${f.error ?? ''}`,
        ),
      ].join('\n'),
    settings: {
      title: (name: string) => `⚙️ Settings of ${name}`,
      header: 'Header',
      footer: 'Footer',
      none: 'none',
      byDefault: ' (default)',
      hashtags: 'Hashtags',
      source: 'Source line',
      date: 'Date',
      photo: 'Photo',
      fullStory: 'Full story button',
      preview: 'Link preview',
      previews: { default: 'automatic', none: 'none', small: 'small', large: 'large, above the text' },
      reset: '↺ Default settings',
      pick: 'Choose the chat:',
      nothing: 'No subscriptions for you to manage here. Add a channel with /addchannel or subscribe with /subscribe.',
      saved: 'Saved.',
      notAllowed: 'Sorry, only this chat’s admins and the editors can change its settings.',
      gone: 'This subscription is no longer active.',
      usage: (id: number) =>
        `Header and footer: /settings ${id} header text, or /settings ${id} footer text («-» for none, «default» for the default). A filter for one source: /settings ${id} source source-id Syria -sport (no words: removed).`,
      filter: 'Filter',
      all: 'all news',
    },
    opml: {
      working: (name: string) => `Importing ${name}… (each new source is fetched once to check it)`,
      tooLarge: (mb: number) => `The file is larger than ${mb} MB: not a list of sources.`,
      unreadable: (platform: string) => `Could not download the file from ${platform}; send it again.`,
      notEditor: 'Importing sources is for editors only.',
      report: (r: OpmlCounts) =>
        `Import finished: ${r.added} added, ${r.already} already followed, ${r.refused} refused.`,
      added: '✅ added',
      already: '↩️ already followed',
      refused: '❌ refused',
    },
    fullStoryUnknown: 'This story could not be found. Open the button again from a post in the channel or group.',
  },
  chatMenu: [
    { command: 'latest', description: 'Latest news' },
    { command: 'search', description: 'Search the news' },
    { command: 'subscribe', description: 'Subscribe' },
    { command: 'unsubscribe', description: 'Unsubscribe' },
    { command: 'topics', description: 'Choose topics' },
    { command: 'settings', description: 'How messages look' },
    { command: 'digest', description: 'Hourly or daily digest' },
    { command: 'quiet', description: 'Quiet hours' },
    { command: 'help', description: 'Help' },
  ],
  chatDescription: 'Nashra: short summaries of Arabic news, delivered once.',
  replies: {
    commands: {
      adminsOnly: "Sorry, only the group's admins can add or stop the news here.",
      subscribed: '✅ The group is subscribed: news summaries will arrive here as they come.',
      subscribedDigest: '✅ The group is subscribed as a digest: the news arrives gathered in one message every hour.',
      deliveryUsage:
        'I did not understand.\n\nExamples:\n/digest — an hourly digest\n/digest 08:00 — a daily digest at 8 am\n/digest 08:00 urgent — and urgent alerts at once\n/digest off — each story as it comes\n/quiet 00:00-07:00 — no notification at night\n/quiet 00:00-07:00 wait urgent — held until 7, except urgent alerts\n/quiet off',
      deliveryNow: (what: string) => `✅ Settings now: ${what}.`,
      alreadySubscribed: 'The group is already subscribed.',
      unsubscribed: 'The news stopped in this group.',
      notSubscribed: 'This group is not subscribed.',
      noArticles: 'No news yet.',
      editorsOnly: 'Sorry, this command is for editors only.',
      broadcastInPrivate: 'Send the broadcast command in a private chat with this number.',
      broadcastUsage: 'Usage: /broadcast <article link or id>',
      broadcastNobody:
        'This would reach nobody: no matching subscription is waiting for it, so no broadcast was opened.',
      cancelled: 'Broadcast cancelled; nothing was sent.',
      expired: 'The confirmation timed out (5 minutes): the broadcast was cancelled and nothing was sent.',
      channelUsage: 'To add a channel: /subscribe <channel id>@newsletter (this account must be its admin).',
      channelNotAdmin: 'This account is not an admin of that channel, so it cannot post there.',
      fullTextOn: "✅ The group's members can now ask for a story's full text by replying «المزيد» to it.",
      fullTextOff: '✅ The full text is not sent in the group; whoever wants it replies «المزيد» privately.',
      fullTextUsage:
        'Usage: /fulltext on (the full text in the group for whoever asks) or /fulltext off (in private chats only).',
      welcome:
        "Hello! I am the Nashra bot. The group's admins can send /subscribe for news summaries, and /latest for the latest news.",
      failed: 'The command could not run now; try again later.',
      topics: (filter: string) => `\nTopics: ${filter}`,
      channelSubscribed: (name: string) => `✅ Channel «${name}» subscribed.`,
      channelUnsubscribed: 'The news stopped in this channel.',
      channelNotSubscribed: 'This channel is not subscribed.',
      notFound: (why: string) => `Article not found. Send an article's link or id.\n(${why})`,
      preview: (story: string, willReceive: number, already: number, failed: number) =>
        `Broadcast preview:\n\n${story}\n\n━━━━━━━━\nTo send it to ${countEnglish(willReceive, 'subscription')}` +
        `${already ? ` (${already} already have it)` : ''}${failed ? ` (it failed for ${failed} before)` : ''} reply «نعم» within 5 minutes, or «جدولة 18:00» to send it at a time. Any other reply cancels it.`,
      queued: (n: number) =>
        n > 0
          ? `✅ Broadcast queued: ${countEnglish(n, 'message')}.`
          : '✅ Confirmed, but every subscription has this story already.',
      scheduled: (id: number, when: string, zone: string, n: number) =>
        `🕒 Broadcast #${id} scheduled: ${when} ${zone} time, to ${countEnglish(n, 'subscription')}. ` +
        'Move or cancel it from «Scheduled» on the desk, or with nashra scheduled.',
      timePast: (text: string, now: string, zone: string) =>
        `«${text}» is in the past (it is ${now} ${zone} time): send «جدولة» with a later time, or «نعم» to send now.`,
      timeTooFar: (text: string, days: number) =>
        `«${text}» is more than ${days} days ahead: send «جدولة» with an earlier time, or «نعم» to send now.`,
      timeMalformed: (text: string, zone: string) =>
        `«${text}» is not a time. For example «جدولة 18:00» (the next 18:00) or «جدولة 2026-12-08 18:00», ${zone} time.`,
    },
    corrections: {
      correctUsage:
        'Usage:\n/correct <article id or link>\nthe corrected headline\nthe summary, one sentence per line (left as it is if omitted)',
      retractUsage: 'Usage: /retract <article id or link>',
      unchanged: 'A reader would see no difference: nothing to correct.',
      cancelled: 'Cancelled; nothing changed.',
      expired: 'The confirmation timed out (5 minutes): cancelled, nothing changed.',
      alreadyRetracted: 'This story was already retracted.',
      reportUsage: 'Usage: /corrections <article id>',
      refused: (why: string) => `Could not do that: ${why}`,
      correctPreview: (story: string, posts: string) =>
        `Correction preview:\n\n${story}\n\n━━━━━━━━\n` +
        `${posts ? `Posts already sent that will be edited: ${posts}.` : 'Nothing has been sent yet.'} Reply «نعم» within 5 minutes to correct. Any other reply cancels.`,
      retractPreview: (title: string, posts: string, queued: number) =>
        `Retract «${title}»: ${posts ? `deletes ${posts}` : 'nothing was sent'}` +
        `${queued ? `, cancels ${queued} not sent yet` : ''}. It is never sent again.\nReply «نعم» within 5 minutes to retract. Any other reply cancels.`,
      corrected: (queued: number, articleId: number) =>
        `✅ Corrected; ${queued ? `${countEnglish(queued, 'post')} being edited` : 'nothing was sent yet, so it goes out corrected'}. The result: /corrections ${articleId}`,
      retracted: (queued: number, cancelled: number, articleId: number) =>
        `✅ Retracted: ${countEnglish(queued, 'post')} being deleted${cancelled ? `, ${cancelled} cancelled` : ''}. The result: /corrections ${articleId}`,
      none: 'No correction or retraction of this story.',
      tally: (platform: string, kind: string, parts: string, reasons: string) =>
        `${platform} (${kind}): ${parts}${reasons ? `\nreasons: ${reasons}` : ''}`,
    },
    fullStory: {
      retracted: 'This story was retracted.',
      busy: 'A full story is being sent to this chat now; ask for another once it is done.',
      notAReply: 'To read a story in full, reply «المزيد» to its message.',
      notAStory: "The message you replied to holds no Nashra story. Reply «المزيد» to the story's own message.",
      several: "This message holds several stories; reply «المزيد» to the story's own message, or open its link.",
      capReached: "Today's sending limit is reached; ask for the full text tomorrow.",
      cut: '… and the story goes on, longer than can be sent here.',
    },
    account: {
      notLoggedIn: (platform: string, platformEn: string, login: string) =>
        `⚠️ ${platformEn}: the account is not logged in, so nothing is sent to ${platform}. Run ${login}, then restart.`,
      loggedOut: (platform: string, platformEn: string, why: string, login: string) =>
        `⚠️ ${platformEn}: the account was logged out (${why}). Sending to ${platform} stopped; the news waits in the queue. Log in again: ${login}, then restart.`,
    },
  },
  post: {
    fullStoryButton: 'Full story',
    retractionNotice: 'This story was retracted',
    correctionPrefix: 'Correction:',
    digestTitle: '📰 News digest',
    urgentMark: '🔴 Urgent',
    urgentSource: 'Urgent',
    defaultSource: 'Nashra',
    source: (name: string) => `Source: ${name}`,
    originalLink: 'The story on its own site',
  },
  refusals: {
    deleteRefused: (platform: string) =>
      `${platform} refused to delete the post (older than 48 hours, or the bot lacks the right), so it became the retraction notice`,
    postGone: 'the post was deleted from the chat',
    editRefused: (platform: string) => `${platform} refused to edit the post`,
    blocked: 'the subscriber blocked the bot',
    kicked: 'the bot was removed from the chat',
    chatGone: 'the chat no longer exists',
    noRights: 'the bot has no rights in the chat',
  },
  links: {
    retractedTitle: 'This story was retracted',
    retracted: 'This story was retracted: the newsroom withdrew it after publishing, so it is no longer available.',
    notFound: 'This link does not exist.',
  },
  viewsNote: VIEWS_NOTE,
  /** What the newsroom refuses of what a person typed (src/refusal.ts): its message in the logs, the CLI's line. */
  refused: (r: NewsroomRefusal): string => {
    switch (r.kind) {
      case 'interval':
        return `--interval must be between 1m and 24h (e.g. 10m, 90s, 1h), not "${r.raw}"`;
      case 'not-a-url':
        return `"${r.input}" is not a URL; give the full address, e.g. https://www.example.com/feed/`;
      case 'not-http':
        return `${r.input}: only http and https URLs can be sources`;
      case 'cannot-add':
        return `cannot add ${r.url}: ${r.why}`;
      case 'window':
        return `"${r.text}" is not a window: write it as 24h, 7d or 4w (at most a year)`;
      case 'opml-too-large':
        return `the OPML file is larger than ${r.mb} MB`;
      case 'not-opml':
        return `not an OPML file (${r.xml})`;
      case 'opml-no-body':
        return 'not an OPML file (no <body>)';
      case 'opml-too-many':
        return `the OPML file lists ${r.feeds} feeds; import at most ${r.max} at a time`;
      case 'send-time': {
        const shown = JSON.stringify(r.text.slice(0, 40));
        if (r.reason === 'past') return `${shown} is in the past (it is ${r.now} in ${r.timeZone}): give a later time`;
        if (r.reason === 'too-far')
          return `${shown} is more than ${r.days} days ahead (latest: ${r.latest}): give an earlier time`;
        return `${shown} is not a time: give HH:MM (the next such time in ${r.timeZone}) or YYYY-MM-DD HH:MM`;
      }
      case 'no-article':
        return `no stored article ${r.id}${r.broadcastOf === undefined ? '' : `; ${r.id} is the id of a broadcast, of article ${r.broadcastOf}`}`;
      case 'no-article-ref':
        return `no stored article ${r.ref} (give an id from nashra latest, or the URL of an ingested article)`;
      case 'not-held':
        return `article ${r.articleId} is not held for review (see nashra review list)`;
      case 'retracted-not-corrected':
        return `article ${r.articleId} was retracted; it cannot be corrected`;
      case 'retracted-not-sent':
        return `article ${r.articleId} was retracted; it is never sent again`;
      case 'already-retracted':
        return `article ${r.articleId} was already retracted (by ${r.by})`;
      case 'no-broadcast-sent':
        return `no broadcast ${r.broadcastId} was sent (nashra resend <article-id> takes an article)`;
      case 'no-job':
        return `no job ${r.jobId}`;
      case 'not-in-doubt':
        return `${r.job} ${r.jobId} is ${r.state}, not in doubt`;
      case 'paid-off':
        return 'paid broadcasts are off: no platform has a paid rate configured';
      case 'urgent-empty':
        return 'an urgent alert needs its text';
      case 'urgent-too-long':
        return `an urgent alert is at most ${r.max} characters (this one has ${r.length})`;
      case 'unknown-platform':
        return `unknown platform "${r.platform}" (known: ${r.known.join(', ')})`;
      case 'title-empty':
        return 'the title cannot be empty';
      case 'title-too-long':
        return `the title is longer than ${r.max} characters`;
      case 'summary-too-many':
        return `the summary has more than ${r.max} sentences`;
      case 'summary-too-long':
        return `the summary is longer than ${r.max} characters`;
      case 'hashtags-too-many':
        return `more than ${r.max} hashtags`;
      case 'hashtag-too-long':
        return `a hashtag is longer than ${r.max} characters`;
      case 'already-followed':
        return `${r.url} is already followed as #${r.id} (${r.name}, polling ${r.polling})`;
      case 'no-source':
        return `no source #${r.id} (see nashra sources list)`;
      case 'source-already':
        return `source #${r.id} is already ${r.active ? 'active' : 'paused'}`;
      case 'source-paused':
        return `source #${r.id} is paused: resume it first`;
      case 'no-subscription':
        return `no subscription with id ${r.id} (see nashra subs list)`;
      case 'subscription-inactive':
        return `subscription ${r.id} is not active`;
      case 'template-line':
        return `the ${r.field === 'headerMark' ? 'header mark' : 'footer'} is one line of at most ${r.max} characters`;
      case 'link-preview':
        return `link preview "${r.value}" is not one of ${r.allowed.join(', ')}`;
      case 'time-zone':
        return `unknown time zone "${r.zone}" (an IANA name such as Asia/Damascus or Europe/Berlin)`;
      case 'quiet-same-times':
        return 'quiet hours must start and end at different times';
      case 'chat-id':
        return `"${r.chatId}" is not a ${r.platform.en} chat id (${r.forms.map((f) => EN_CHAT_ID_FORMS[f.shape](f.example)).join(', ')})`;
      case 'console-target':
        return `"${r.name}" is not a console target name (letters, digits, . _ -)`;
      case 'outlet-exists':
        return `outlet "${r.slug}" already exists`;
      case 'no-outlet':
        return `no outlet named ${JSON.stringify(r.slug)} (nashra outlets list)`;
      case 'outlet-slug':
        return `not an outlet name: ${JSON.stringify(r.slug)}; use 2–32 lower-case Latin letters, digits and hyphens (e.g. sy24)`;
      case 'outlet-name':
        return `an outlet's name is 1–${r.max} characters of text, without control or direction-override characters`;
      case 'env-prefix':
        return `--env-prefix is the start of environment variables' names, in capitals and ending in _ (e.g. SY24_), not ${JSON.stringify(r.value)}`;
      case 'env-prefix-taken':
        return `outlet "${r.slug}" already reads the variables ${r.prefix}…; each outlet needs a prefix of its own`;
      case 'main-outlet':
        return 'the outlet "main" holds the list of outlets and the desk\'s accounts; it cannot be removed';
      case 'editor-exists':
        return `desk editor "${r.username}" already exists`;
      case 'no-editor':
        return `no desk editor "${r.username}" (see nashra editors list)`;
      case 'not-member':
        return `desk editor "${r.username}" is not a member of the outlet "${r.outlet}"`;
      case 'role':
        return `a desk role is admin or editor, not ${JSON.stringify(r.role)}`;
      case 'username':
        return `"${r.name}" is not a valid username (2 to 40 letters, digits, ".", "-" or "_")`;
      case 'username-mixed':
        return `"${r.name}" mixes Latin, Cyrillic or Greek letters, which look alike: write it in one of them`;
      case 'password-short':
        return `the password must have at least ${r.min} characters`;
      case 'password-long':
        return `the password must have at most ${r.max} characters`;
      case 'not-an-article':
        return `${r.input}: not an article: ${r.why}`;
      case 'not-a-file':
        return `${r.path}: not a file`;
      case 'file-unreadable':
        return `${r.path}: cannot read the file (${r.code})`;
      case 'file-empty':
        return `${r.path}: the file is empty`;
      case 'fetch-failed':
        return r.why;
      case 'not-a-page':
        return `${r.url}: not an article page (content type ${r.contentType || 'unknown'})`;
      case 'not-text':
        return `${r.input}: not an article's text (${r.reason})`;
      case 'delivery-words':
        return deliveryRefusal(r.problem);
      case 'choose-chat':
        return 'choose at least one chat';
      case 'choose-verdict':
        return 'choose "mark as sent" or "send again"';
    }
  },
  /** How a chat's delivery settings are said (describeDelivery puts them together), and what was wrong with words typed. */
  delivery: {
    immediate: 'immediate',
    hourly: 'hourly digest',
    daily: (at: string) => `daily digest at ${at}`,
    urgentNow: ', urgent alerts at once',
    noQuiet: 'no quiet hours',
    quiet: (from: string, to: string) => `quiet ${from}-${to}`,
    silent: 'silently',
    wait: 'held until it ends',
    quietUrgent: 'urgent alerts ignore it',
    separator: '; ',
    problem: (p: DeliveryWordsProblem) => {
      switch (p.kind) {
        case 'time':
          return `“${p.text}” is not a time of day: hours go from 00:00 to 23:59.`;
        case 'digest':
          return `“${p.text}” is not a digest time: write a time such as 08:00, “hourly” or “off”.`;
        case 'window':
          return `“${p.text}” is not a window: write it from one time to another, such as 00:00-07:00, or “off”.`;
        case 'same-times':
          return 'Quiet hours must start and end at different times.';
        case 'mode':
          return `“${p.text}” is neither “silent” nor “wait”.`;
        case 'no-digest':
          return 'Say when after the command: a time such as 08:00, “hourly” or “off”.';
        case 'no-window':
          return 'Say the quiet hours after the command, such as 00:00-07:00, or “off”.';
      }
    },
  },
  report: {
    kind: { edit: 'correction', delete: 'retraction' },
    separator: ', ',
    part: tallyPart,
    parts: (t: CorrectionTally) => tallyParts(t, tallyPart),
    /** A reason in the words the worker or the platform's API wrote it (already English). */
    reason: (why: string, _platform: string, _label: (platform: string) => string, _refusal?: Refusal) => why,
    reasons: (t: CorrectionTally, _label: (platform: string) => string, _refusal?: Refusal) =>
      t.reasons.map((r) => `${r.reason} (${r.count})`).join('; '),
    /** «Telegram 22, Console 1». */
    posts: (posts: readonly PostsSent[], label: (platform: string) => string) =>
      posts
        .filter((p) => p.sent > 0)
        .map((p) => `${label(p.platform)} ${p.sent}`)
        .join(', '),
  },
  /**
   * The `nashra` command line's words: --help (commander's descriptions), results, refusals and the errors it explains.
   * English by default, Arabic with NASHRA_CLI_LANGUAGE=ar; machine-readable output (--json, OPML, ids) is not here.
   */
  cli: {
    /** Commander's --help: the program, each command's description, its arguments and options. */
    help: {
      /** `platforms`: the chat apps installed, by their labels. */
      program: (platforms: readonly string[]) =>
        `Arabic news summaries, delivered exactly once to ${new Intl.ListFormat('en').format(platforms)}`,
      db: 'the SQLite database (default: DATABASE_PATH, or ./data/nashra.db)',
      outlet: 'the outlet (newsroom) a command acts on (default: the only one; nashra outlets list)',
      yes: 'queue without asking',
      id: (command: string) => `from nashra ${command}`,
      articleRef: 'an id from nashra latest, or the URL of a stored article',
      run: 'poll sources and send queued deliveries through every configured platform',
      runOnce: 'one poll of every active source, send until the queue is empty, exit',
      preview: 'the message exactly as it would be sent; nothing is stored',
      previewInput: 'a text or HTML file, or an article URL',
      previewPlatform: "which platform's markup",
      previewJson: "every platform's message, the summary and hashtags as JSON",
      ingest: 'store articles (duplicates are reported, not stored) and queue them for matching subscribers',
      ingestSourceName: (byDefault: string) =>
        `who published it (a file has no site to name; default «${byDefault}» or the byline)`,
      ingestUrl:
        "the article's public address, shown as its link (one input); a file without it is sent without a link",
      ingestPublishedAt: 'when it was published, ISO 8601 (2026-11-25T14:05+03:00); default: no date',
      subs: 'subscriptions: which chats receive the news',
      subsAdd: 'subscribe a chat, or change what it receives and when (settings not given are kept)',
      subsPlatform: (names: string) => `one of: ${names}`,
      /** Platforms by the labels of their descriptors (the catalogue names none): the bot app, the phone app. */
      subsChat: (botApp: string, phoneApp: string) =>
        `e.g. -1001234567890 or @channel (${botApp}), 1203…@g.us (${phoneApp})`,
      subsTopics:
        'comma-separated words or phrases; only matching articles are sent (default: everything); «-word» excludes',
      subsExclude: 'comma-separated words or phrases: articles that mention any of them are never sent',
      subsKind: 'what the chat is (default: from the id)',
      subsThread: (botApp: string) => `a forum topic (${botApp} message_thread_id)`,
      subsSet: 'change what an existing subscription receives, how and when (settings not given are kept)',
      subsSetTopics: 'comma-separated words or phrases to include (replaces the included half; "" for everything)',
      subsSetExclude: 'comma-separated words or phrases to exclude (replaces the excluded half)',
      subsSetSource: '--topics/--exclude set the filter for this source only (an article from it must pass both)',
      header: 'a line above the headline, as written',
      noHeader: 'no header line',
      footer: 'a closing line, as written',
      noFooter: 'no footer line',
      hashtags: 'show the hashtag line',
      noHashtags: 'no hashtag line',
      sourceLine: 'show the source line',
      noSourceLine: 'no source line',
      date: 'show the date',
      noDate: 'no date',
      photo: 'send the lead image as a photo with the summary as caption',
      noPhoto: 'text only, even with a lead image',
      fullStory: (button: string) => `a «${button}» button under posts: the whole article in the chat`,
      noFullStory: (button: string) => `no «${button}» button`,
      linkPreview: (phoneApp: string) => `link preview under a text message (${phoneApp}: small and large = on)`,
      fullStoryInGroup: (phoneApp: string) =>
        `a group's members may ask for a story's full text in the group (${phoneApp}: reply «المزيد»)`,
      noFullStoryInGroup: "full text only in a reader's private chat (the default)",
      defaults: (fields: string) => `back to the environment's default: all, or some of ${fields}`,
      subsList: 'every subscription with its state',
      subsRemove: 'deactivate (history is kept, so a chat re-added later never gets an article twice)',
      digest: 'hourly, daily@HH:MM (local time, e.g. daily@08:00), or off (each article at once)',
      urgentWhen: "a digest subscription's urgent alerts: now (at once) or digest (in it)",
      timeZone: 'IANA zone of the digest time and quiet hours (default NASHRA_TIME_ZONE, Asia/Damascus)',
      quiet: 'quiet hours, local HH:MM-HH:MM (e.g. 00:00-07:00), or off',
      quietMode: 'inside quiet hours: silent (no notification) or wait (sent when they end)',
      quietUrgent: 'urgent alerts ignore the quiet hours',
      latest: 'the n newest summaries',
      latestN: 'how many (1 to 50)',
      broadcast: 'preview an article, then queue it for every matching active subscription',
      broadcastArticle: 'an id from nashra latest, or a URL (fetched and stored when it is not stored yet)',
      broadcastAll: 'every active subscription, whatever its topics',
      broadcastPlatform: 'every active subscription on one platform',
      paid: 'send above the free rate where a platform offers it for a fee (the preview states the cost)',
      at: (days: number) =>
        `schedule it: 18:00 (the next 18:00 in NASHRA_TIME_ZONE) or "2026-12-08 18:00", at most ${days} days ahead`,
      urgent: (mark: string) => `compose an «${mark}» alert and send it first, to everyone`,
      urgentPaid:
        'send above the free rate where a platform offers it for a fee (the default when configured for urgent alerts)',
      urgentFree: 'never above the free rate, even when urgent alerts are configured paid',
      scheduled: 'broadcasts and urgent alerts scheduled with --at that have not gone yet',
      scheduledList: 'what is scheduled, soonest first',
      scheduledMove: 'another time, before its time comes',
      scheduledId: 'from nashra scheduled (b12)',
      scheduledTime: 'as --at: 18:00 or 2026-12-08 18:00',
      scheduledCancel: 'nothing of it goes, before its time comes',
      correct: 'correct a story: every post already sent is edited (preview, then confirm)',
      correctTitle: 'the corrected headline',
      correctSummary: 'the corrected summary (one sentence per line)',
      correctSummaryFile: 'the corrected summary from a file, one sentence per line (- for stdin)',
      correctHashtags: 'comma-separated hashtags',
      correctYes: 'correct without asking',
      retract: 'pull a story: queued deliveries cancelled, every sent post deleted (or replaced by a notice)',
      retractYes: 'retract without asking',
      corrections: "what became of an article's posts after a correction or a retraction, per platform",
      sources: 'the feeds and sites Nashra follows',
      sourcesAdd: 'follow a feed (RSS, Atom, JSON Feed), a WordPress site or an article page',
      sourcesName: "shown as the source (default: the feed's title)",
      sourcesInterval: 'how often to poll: 90s, 10m, 1h',
      sourcesCategory: 'a category for its articles',
      sourcesBackfill: 'send the newest n items already in the feed (default 0: mark them seen)',
      sourcesReview: (publish: string, botApp: string) =>
        `hold new items for an editor: nothing is sent before «${publish}» (${botApp}) or nashra review publish`,
      sourcesImport:
        "follow every feed of an OPML file (a feed reader's export), with a report: added, already followed, refused and why",
      sourcesImportInterval: 'how often to poll the new sources: 90s, 10m, 1h',
      sourcesExport: 'every source as OPML, in folders by category (to the file, or to standard output)',
      force: 'overwrite the file',
      sourcesList: 'with last fetch, status, error count and articles found',
      sourcesRemove: 'stop following a source (its articles stay stored)',
      sourcesPause: 'stop polling a source for now',
      sourcesResume: 'poll a paused source again (what was published meanwhile is marked seen)',
      sourcesPoll: 'poll a source now (the running nashra run takes it within a second)',
      sourcesHook: 'the publish hook of a source: its address and secret, for the site to call when it publishes',
      sourcesHookRotate: 'a new secret (the old one stops working at once)',
      sourcesHookOff: 'turn the hook off (every call is refused)',
      resend:
        'send the failed deliveries of an article or a broadcast again (those that failed for a temporary reason)',
      resendId: "an article id (from nashra latest), or b<N> for broadcast N (the desk's «#N»)",
      resendFailed: 'every failed delivery to a chat still subscribed, also those the platform refused for good',
      inDoubt: 'posts, digest messages, edits and deletions a crash left in doubt (they may or may not have arrived)',
      inDoubtList: 'every job in doubt, of every kind',
      inDoubtMarkSent: 'the chat shows it: close it as sent (done)',
      inDoubtSendAgain: 'it did not arrive: queue it again',
      inDoubtId: 'a job id from nashra in-doubt list',
      review: 'items from sources added with --review, waiting for an editor',
      reviewList: 'the items waiting, oldest first',
      reviewPublish: 'queue it for every matching subscription',
      reviewDismiss: 'never send it',
      stats: 'articles, subscriptions, deliveries per state, queue depth and age, in-doubt deliveries, failing sources',
      json: 'as JSON',
      reach:
        'what each story did: posts, clicks on their links and clicks per post, per platform and chat; the top stories of the day and week; clicks by hour and weekday',
      reachSince: 'how far back: 24h, 7d, 4w (a bare number is days)',
      summarize: 'JSON lines {"id", "title"?, "text"} on stdin → {"id", "summary": [...]} per line',
      summarizeJsonl: 'read and write JSON lines',
      summarizeSentences: 'exactly n sentences, no length budget (the evaluation setting)',
      summarizeMaxChars: 'the length budget',
      backup: 'a consistent copy of the database, safe while nashra run is using it',
      dbGroup: 'the database itself: moving it to PostgreSQL',
      dbCopy:
        'copy every row of the SQLite database (--db, DATABASE_PATH) into a new, empty PostgreSQL database, and check the copy',
      dbCopyTo: 'the PostgreSQL database: postgres://user:password@host:5432/database',
      outlets: 'the newsrooms this installation serves, each with its own sources, chats, bot and editors',
      outletsList: (phoneApp: string) =>
        `every outlet, where its rows are, and where its bot token and ${phoneApp} session come from`,
      outletsAdd: 'a new outlet (its database is made now)',
      outletsSlug: 'its short name: lower-case letters, digits, hyphens (e.g. sy24)',
      outletsName: 'its full name, as editors see it (default: the short name)',
      outletsEnvPrefix:
        "its platforms' variables start with this (default: the name in capitals and _, SY24_TELEGRAM_BOT_TOKEN)",
      outletsRemove: 'take an outlet out of the list; its rows are kept',
      editors: "the web desk's editor accounts (username and password)",
      editorsAdd:
        'create an account in an outlet (--outlet, default: the only one); the password is asked twice on a terminal',
      passwordStdin: 'read the password from standard input',
      editorsRole: "admin (also manages the outlet's sources, chats and accounts) or editor",
      editorsList: 'every desk account, with its outlets and role in each',
      editorsGrant: 'let an account work in an outlet (--outlet), or change its role there',
      editorsGrantRole: 'admin or editor',
      editorsRevoke: 'an account no longer works in an outlet (--outlet); its desk leaves that outlet at its next page',
      editorsRemove: 'delete an account and end its sessions',
      editorsPasswd: "change a password and end that editor's sessions",
      platformCommands: (platform: string, commands: string) => `${platform}: ${commands}`,
      /** A phone app linked as a device (cli.phoneApp): its \`login\` and \`doctor\`, the app by its label. */
      phoneLogin: (app: string) =>
        `link the ${app} number (QR code in the terminal, or a pairing code), then exit with the session saved`,
      phoneLoginPairing: 'log in with a pairing code for this number (country code first) instead of a QR code',
      phoneLoginTimeout: 'give up after this many seconds (30 to 3600, default 300)',
      phoneDoctor:
        'check Chromium (launches it), the session folder and the saved session; says how to fix what is wrong',
      /** Commander's headings, by the English it writes them in («Usage:», «Options:»…). */
      titles: {
        usage: 'Usage:',
        arguments: 'Arguments:',
        options: 'Options:',
        globalOptions: 'Global Options:',
        commands: 'Commands:',
      },
      /** What commander adds after a description: «(choices: "a", "b", default: "x")». */
      extras: { choices: 'choices:', default: 'default:' },
      helpOption: 'display help for command',
      helpCommand: 'display help for command',
    },
    /** An argument commander refused (it prints «nashra: error: option '--x <n>' argument 'y' is invalid. …»). */
    invalid: {
      wholeNumber: (min: number, max: number, raw: string) =>
        `must be a whole number from ${min} to ${max}, not "${raw}"`,
      resendId: (raw: string) => `must be an article id (12) or a broadcast id (b12), not "${raw}"`,
      inDoubtId: (raw: string) => `must be a job id (12) from nashra in-doubt list, not "${raw}"`,
    },
    /** What is wrong with a configuration variable, after its name (src/config.ts ConfigValueError). */
    config: (p: ConfigProblem): string => {
      switch (p.kind) {
        case 'whole-number':
          return `"${p.value}" is not a whole number ${p.max === Infinity ? `at least ${p.min}` : `from ${p.min} to ${p.max}`}`;
        case 'duration':
          return `"${p.value}" is not a duration (write it as 48h, 90m, 2d or 30s)`;
        case 'boolean':
          return `"${p.value}" is not 1/0, true/false, yes/no or on/off`;
        case 'one-of':
          return `"${p.value}" is not one of ${p.allowed.join(', ')}`;
        case 'url':
          return `"${p.value}" is not a URL`;
        case 'time-zone':
          return `"${p.value}" is not an IANA time zone such as Asia/Damascus`;
        case 'database-url':
          return 'is not a URL; give postgres://user:password@host:5432/database, or leave it unset for SQLite (DATABASE_PATH)';
        case 'database-protocol':
          return `names a ${p.protocol} database; only postgres:// is served over the network (leave it unset for SQLite: DATABASE_PATH)`;
        case 'more-than':
          return `is ${p.value}, more than ${p.other} (${p.otherValue}); make it at most that`;
        case 'less-than':
          return `must be at least ${p.other} (${p.otherValue})`;
        case 'paid-rate-not-above':
          return `${p.value} is not above ${p.other} (${p.otherValue}): paying would change nothing`;
        case 'price':
          return `"${p.value}" is not a price in ${p.unit} (e.g. ${p.example})`;
        case 'user-id':
          return `"${p.value}" is not a numeric ${p.platform.en} user id (ask ${p.ask} for yours)`;
        case 'phone-number':
          return `"${p.value}" is not a phone number with its country code (e.g. ${p.example})`;
        case 'token':
          return `does not look like a bot token from ${p.issuer} (digits, a colon, then ${p.secretMin}+ letters, digits, _ or -)`;
        case 'token-refused':
          return `the Bot API refused the token (${p.method}: ${p.code} ${p.description}); check it with ${p.issuer}`;
        case 'clicks-without-public-url':
          return "is on but NASHRA_PUBLIC_URL is not set: set it to the address readers reach the desk's server at (https://desk.example.org), or turn tracking off";
        case 'plugin-unloadable':
          return `cannot load the plug-in ${p.spec}: ${p.why}`;
        case 'plugin-not-platform':
          return `${p.spec} does not export a platform descriptor as \`platform\` (name, markup, parseSettings, classifyChat, createAdapter)`;
        case 'plugin-duplicate':
          return `${p.spec}: a platform named "${p.name}" is already registered`;
      }
    },
    /** Why a PostgreSQL database could not be opened (DATABASE_URL; src/store/index.ts DatabaseOpenError). */
    databaseOpen: (p: DatabaseOpenProblem): string => {
      switch (p.kind) {
        case 'cannot-open':
          return `cannot open the PostgreSQL database ${p.target}: ${p.why}`;
        case 'schema-name':
          return `not a schema name: ${JSON.stringify(p.schema)}`;
        case 'cannot-open-file':
          return `cannot open the database ${p.path}: ${p.why}`;
        case 'disk-full':
          return `the disk holding the database ${p.path} is full (${p.what}); free some space and start again: nothing written is lost, and the next start finishes the work`;
        case 'read-only':
          return `the database ${p.path} is read-only (${p.what}); make the file, the -wal and -shm files beside it and their folder writable by this user, and start again`;
        case 'damaged':
          return `the database ${p.path} is damaged (${p.what}); stop, and restore it from a backup (README, Backup and restore)`;
        case 'unreadable':
          return `the database ${p.path} cannot be read or written (${p.what}); check its disk and start again`;
      }
    },
    /** Commander's own refusal (an unknown option or command, a value refused, an argument missing), as it wrote it. */
    commander: (message: string): string => message,
    /** A bug's report: the stack follows. */
    unexpected: 'unexpected error',
    /**
     * `nashra stats`: the platforms by their names and the states by the outbox's words (a script greps them), the
     * waiting reason as the newsroom wrote it (already English).
     */
    stats: (s: StatsReport, _label: (platform: string) => string): string => {
      const lines = [`articles: ${s.articles}`];
      lines.push('subscriptions:' + (s.subscriptions.length ? '' : ' none'));
      for (const p of s.subscriptions) lines.push(`  ${p.platform}: ${p.active} active, ${p.inactive} inactive`);
      lines.push('deliveries:' + (Object.keys(s.deliveries).length ? '' : ' none'));
      for (const [platform, states] of Object.entries(s.deliveries)) {
        lines.push(
          `  ${platform}: ${Object.entries(states)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
        );
      }
      lines.push(
        `queue: ${s.queueDepth} waiting${s.oldestQueuedSeconds !== null ? `, oldest ${s.oldestQueuedSeconds}s` : ''}`,
      );
      for (const w of s.waiting) lines.push(`  ${w.platform}: ${w.count} waiting: ${w.reason}`);
      for (const w of s.waitingForChats) {
        lines.push(
          `  ${w.platform}: ${w.count} waiting for their chats (quiet hours that hold messages, or a digest); the last goes at ${w.until}`,
        );
      }
      for (const w of s.scheduled)
        lines.push(`  ${w.platform}: ${w.count} scheduled (nashra scheduled); the first goes at ${w.next}`);
      if (s.inDoubt.length) {
        lines.push(
          `in doubt (sent when the process stopped, not resent — check these chats): ${s.inDoubt.map((d) => `#${d.id} (${d.kind}${d.article === null ? '' : ` of article ${d.article}`} → subscription ${d.subscription})`).join(', ')}`,
        );
      }
      if (Object.keys(s.corrections).length) {
        lines.push(
          `corrections (edits and deletions of sent posts): ${Object.entries(s.corrections)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}` +
            (s.corrections.in_doubt
              ? ' — those in doubt were on the wire when the process stopped: nashra in-doubt list shows them'
              : ''),
        );
      }
      lines.push(`sources: ${s.sources.total} (${s.sources.active} active)`);
      for (const f of s.sources.failingForADay)
        lines.push(`  FAILING since ${f.since}: #${f.id} ${f.name}: ${f.error ?? ''}`);
      return lines.join('\n');
    },
    /** `nashra reach`: the desk's Reach page in lines of text. */
    reach: (r: ReachSaid, _label: (platform: string) => string): string => {
      const ct = (x: number | null) => (x === null ? '-' : String(x));
      const posts = (n: number) => countEnglish(n, 'post');
      const clicks = (n: number) => countEnglish(n, 'click');
      const lines = [
        `reach from ${r.since} to ${r.until} (${r.timeZone}): ${clicks(r.clicks)}`,
        `note: ${VIEWS_NOTE}`,
        'per platform (posts, clicks, clicks per post):',
      ];
      if (r.platforms.length === 0) lines.push('  none');
      for (const p of r.platforms)
        lines.push(`  ${p.platform}: ${posts(p.posts)}, ${clicks(p.clicks)}, ${ct(p.clickThrough)}`);
      for (const [title, list] of [
        ['top stories, last 24 hours', r.topDay],
        ['top stories, last 7 days', r.topWeek],
      ] as const) {
        lines.push(`${title}:${list.length ? '' : ' none'}`);
        for (const s of list) {
          const reactions = Object.entries(s.reactions)
            .map(([emoji, n]) => `${emoji} ${n}`)
            .join(' ');
          lines.push(
            `  #${s.articleId} ${s.title}: ${clicks(s.clicksInWindow)} (all time: ${posts(s.posts)}, ${clicks(s.clicks)}, ${ct(s.clickThrough)} per post; ${s.platforms.map((p) => `${p.platform} ${p.clicks}/${p.posts}`).join(', ')}; full reads ${s.fullReads}${reactions ? `; reactions ${reactions}` : ''})`,
          );
        }
      }
      lines.push(`per chat:${r.chats.length ? '' : ' none'}`);
      for (const c of r.chats)
        lines.push(
          `  ${c.platform} ${c.title ?? c.chatId} (#${c.subscriptionId}): ${posts(c.posts)}, ${clicks(c.clicks)}, ${ct(c.clickThrough)}`,
        );
      if (r.clicks > 0) {
        lines.push(`by hour of day: ${r.byHourOfDay.map((n, h) => `${String(h).padStart(2, '0')}h ${n}`).join(', ')}`);
        lines.push(
          `by day of week: ${r.byDayOfWeek.map((n, d) => `${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d]} ${n}`).join(', ')}`,
        );
      }
      return lines.join('\n');
    },
    /** `nashra run` (and `npm start`): the demo's lines, and why a run cannot start. */
    run: {
      demoEnded: (articles: number) =>
        `Demo ended now that a platform is configured: its ${articles === 1 ? '1 sample article' : `${articles} sample articles`} and its console subscription are taken out of this newsroom (readers' /latest, the desk's Today).\n`,
      demoOn: (botApp: string, phoneApp: string) =>
        'No platform token is set (TELEGRAM_BOT_TOKEN, WHATSAPP_ENABLED): messages are printed here instead of sent.\n' +
        `See .env.example to connect ${botApp} or ${phoneApp}.\n`,
      demoSeeded: (articles: number) => `Demo: ${articles} sample articles queued for the console.\n`,
      demoAlreadyRan: (where: string, postgres: boolean) =>
        `The demo already ran on this database (${where}): its sample articles were printed the first time, and ` +
        'each article goes to a chat only once.\n' +
        `To see it again, start over with a new database: stop here (Ctrl-C), ${postgres ? 'point DATABASE_URL at a new, empty database' : `delete ${where}`}, and run npm start again ` +
        '(or keep it and try: npx nashra latest, npx nashra preview <file|url>, npx nashra sources add <feed-url>).\n',
      sameAccount: (other: string, outlet: string, platform: string, token: boolean) =>
        `the outlets "${other}" and "${outlet}" are both configured with the same ${platform} account (${token ? 'token' : 'session'}); ` +
        'each outlet needs its own, under its own prefix (nashra outlets list shows the prefixes)',
      leaseHeld: (where: string, pid: string, host: string, until: string) =>
        `another nashra run is already using ${where} (pid ${pid} on ${host}); stop it first, or wait until ${until} if it crashed`,
      desk: (url: string) => `Desk: ${url}\n`,
      deskSetup: (link: string) =>
        `Desk: no editor account yet. Create the first one at ${link} (this link works once), or run: nashra editors add <username>\n`,
      deskPortTaken: (port: number, host: string) =>
        `Desk: port ${port} on ${host} is not available; going on without the desk (set NASHRA_WEB_PORT to another port)\n`,
    },
    /** The outlet a command acts on (--outlet). */
    outlet: {
      unknown: (named: string, outlets: string) =>
        `no outlet named ${named}; the outlets: ${outlets} (nashra outlets list)`,
      several: (n: number, outlets: string) =>
        `this installation has ${n} outlets (${outlets}): name one with --outlet <name>`,
    },
    /** Between two options that cannot go together (`--paid --free`, `--rotate --off`). */
    contradict: (a: string, b: string) => `${a} and ${b} contradict each other: give one`,
    noTerminal: {
      queue: 'no terminal to confirm on: add --yes to queue without asking',
      goAhead: 'no terminal to confirm on: add --yes to go ahead without asking',
    },
    cancelledNothingChanged: 'cancelled: nothing changed',
    fileExists: (file: string) => `${file} exists; choose another file or add --force`,
    backedUp: (what: string, file: string) => `backed up ${what} to ${file}`,
    backupPostgres: 'the PostgreSQL database (pg_dump, custom format: restore with pg_restore)',
    backupSchema: (schema: string) =>
      `the schema ${schema} of the PostgreSQL database (pg_dump, custom format: restore with pg_restore)`,
    broadcast: {
      /** One clause per platform that charges: «at most 120 Stars on Telegram (1,200 messages × 0.1), up to 1,000/s». */
      paidEstimate: (cost: number, unit: string, platform: string, messages: number, price: number, rate: number) =>
        `at most ${cost.toLocaleString('en-US')} ${unit} on ${platform} (${messages.toLocaleString('en-US')} messages × ${price}), up to ${rate.toLocaleString('en-US')}/s`,
      paidSeparator: '; ',
      paid: (estimates: string) => `paid broadcast: ${estimates}`,
      alreadyHave: (n: number) => `; ${n} already ha${n === 1 ? 's' : 've'} it`,
      failedBefore: (n: number, article: number) => `; ${n} failed before (nashra resend ${article} sends them again)`,
      nobody: (already: string) =>
        `this would reach nobody: no active subscription is waiting for it${already} (nashra subs add …)`,
      at: (when: string, zone: string) => ` at ${when} (${zone})`,
      bestHour: (hour: string, clicksPerPost: number, posts: number) =>
        `best hour for this audience over the last four weeks: ${hour} (${clicksPerPost} clicks per post over ${posts} posts at that hour; --at ${hour} schedules it then)`,
      wouldBe: (scheduled: boolean, n: number, when: string, already: string) =>
        `this would be ${scheduled ? 'scheduled' : 'queued'} for ${countEnglish(n, 'subscription')}${when}${already}`,
      ask: (scheduled: boolean, n: number, when: string, already: string) =>
        `${scheduled ? 'Schedule' : 'Queue'} this for ${countEnglish(n, 'subscription')}${when}${already}? [y/N] `,
      cancelled: 'cancelled: nothing queued',
      decidedMeanwhile: (id: number) => `broadcast ${id} was decided meanwhile; nothing was scheduled`,
      scheduled: (id: number, n: number, article: number, when: string, zone: string, already: string) =>
        `scheduled broadcast b${id}: ${n} deliver${n === 1 ? 'y' : 'ies'} of article ${article} at ${when} (${zone})${already}; nashra run sends them then (nashra scheduled lists, moves and cancels it)`,
      queued: (n: number, article: number, already: string) =>
        `queued ${n} deliver${n === 1 ? 'y' : 'ies'} for article ${article}${already}; nashra run sends them`,
    },
    correct: {
      nothingAsked: 'say what to correct: --title, --summary, --summary-file or --hashtags',
      alreadyReads: (id: number) => `article ${id} already reads like this: nothing to correct`,
      willEdit: (posts: string) =>
        posts
          ? `the posts sent will be edited: ${posts}`
          : 'no post was sent yet: the queued deliveries carry the correction',
      ask: (id: number) => `Correct article ${id}? [y/N] `,
      done: (id: number, revision: number, n: number) =>
        `article ${id} is now revision ${revision}; ${countEnglish(n, 'post')} queued for editing (nashra run edits them; nashra corrections ${id} reports)`,
      unchanged: 'nothing to correct: a reader would see no difference',
      decided: 'already decided: nothing changed',
      willRetract: (posts: string, queued: number) =>
        `${posts ? `the posts sent will be deleted: ${posts}` : 'no post was sent'}${queued ? `; ${queued} queued deliver${queued === 1 ? 'y is' : 'ies are'} cancelled` : ''}; it is never sent again`,
      askRetract: 'Retract it? [y/N] ',
      retracted: (id: number, cancelled: number, queued: number) =>
        `article ${id} retracted: ${cancelled} queued deliver${cancelled === 1 ? 'y' : 'ies'} cancelled, ${countEnglish(queued, 'post')} queued for deletion (nashra run deletes them; nashra corrections ${id} reports)`,
      alreadyRetracted: (id: number, by: string) => `article ${id} was already retracted (by ${by})`,
      noArticle: (id: number) => `no stored article ${id} (see nashra latest)`,
      none: (id: number) => `article ${id}: no correction or retraction`,
      /** «5 on Telegram (1 in doubt, cannot be touched)», joined by «, ». */
      postsOn: (sent: number, platform: string, inDoubt: number) =>
        `${sent} on ${platform}${inDoubt ? ` (${inDoubt} in doubt, cannot be touched)` : ''}`,
      postsSeparator: ', ',
      nothingToDo: 'nothing to do',
      unreadable: (file: string, why: string) => `cannot read the summary file ${file}: ${why}`,
    },
    db: {
      copied: (ok: boolean, file: string, where: string) => `${ok ? 'copied' : 'NOT copied'} ${file} to ${where}`,
      schemaOf: (target: string, schema: string, outlet: string) => `${target}, schema ${schema} (outlet ${outlet})`,
      table: 'table',
      failed: (why: string, outlet: string, before: string[]) =>
        `check failed: ${why}; the copy${outlet ? ` of outlet ${outlet}` : ''} was rolled back, nothing of it was written${before.length ? ` (the outlets ${before.join(', ')} were copied before it)` : ''}`,
      checked: (jobs: number) =>
        `check: OK, every table's rows counted the same in both, and ${jobs} jobs identical column by column`,
      reindex: 'search: the articles are reindexed when Nashra first opens the PostgreSQL database',
      /** Why the copy was refused or failed; nothing of it was written. */
      refused: (p: CopyProblem): string => {
        switch (p.kind) {
          case 'not-postgres-url':
            return '--to must be a PostgreSQL URL: postgres://user:password@host:5432/database';
          case 'bad-url':
            return '--to is not a valid PostgreSQL URL (postgres://user:password@host:5432/database; a password with @, : or / must be percent-encoded)';
          case 'no-source':
            return `the database ${p.path} does not exist (give it with --db or DATABASE_PATH)`;
          case 'not-empty':
            return `the PostgreSQL database is not empty (${p.tables.join(', ')} ${p.tables.length === 1 ? 'has rows' : 'have rows'}): nashra db copy fills a new database only; nothing was written`;
          case 'nul':
            return `${p.table}${p.row === undefined ? '' : ` row ${p.row}`}, column ${p.column}, holds a NUL character, which PostgreSQL's text cannot store; nothing was written`;
          case 'failed':
            return `the copy to ${p.target} failed, nothing was written: ${p.why}`;
        }
      },
      /** What differs after the copy (the outbox, \`jobs\`, compared row by row). */
      mismatch: (m: CopyMismatch): string => {
        switch (m.kind) {
          case 'counts':
            return `rows counted differently in ${m.tables.join(', ')}`;
          case 'one-side-columns':
            return `jobs: column ${m.columns.join(', ')} is in one database only`;
          case 'job-missing':
            return `jobs: row ${m.id} is missing from PostgreSQL`;
          case 'job-differs':
            return `jobs: row ${m.id} differs in column ${m.column}`;
          case 'job-extra':
            return `jobs: row ${m.id} is in PostgreSQL only`;
        }
      },
    },
    /**
     * A phone app linked as a device through Chromium (its descriptor's \`login\` and \`doctor\` commands): \`app\` is
     * its label, \`variable\` and the commands as the platform names them (the catalogue names no platform).
     */
    phoneApp: {
      pairingNumber: (raw: string) =>
        `--pairing-number must be the full number with country code, e.g. 963944123456, not "${raw}"`,
      chromiumMissing: (path: string) =>
        `Chromium not found at ${path}: apt-get install chromium, or set CHROME_PATH to the browser's path`,
      starting: (app: string, chromium: string, sessionDir: string) =>
        `Starting ${app} Web in Chromium (${chromium}); the session will be saved in ${sessionDir} …`,
      noLogin: (seconds: number, login: string) => `no login within ${seconds} s; run ${login} again`,
      scan: (app: string) => `\nScan this code with the phone: ${app} → Settings → Linked devices → Link a device\n`,
      pairingCode: (app: string, code: string) =>
        `\nPairing code: ${code}\nOn the phone: ${app} → Settings → Linked devices → Link a device → Link with phone number instead, then type the code.`,
      authenticated: 'Authenticated; loading chats …',
      refused: (app: string, why: string) => `${app} refused the login: ${why}`,
      disconnected: (app: string, why: string) => `${app} disconnected during login: ${why}`,
      didNotStart: (app: string, why: string, doctor: string) =>
        `${app} Web did not start: ${why} (is the network up? run ${doctor})`,
      loggedIn: (who: string, sessionDir: string, enable: string) =>
        `\nLogged in as ${who}. The session is saved in ${sessionDir}; set ${enable}=1 and run nashra run.`,
      off: (variable: string, app: string) =>
        `note: ${variable} is off, so nashra run does not use ${app}; checking the settings it would use.`,
      /** One check of \`doctor\`, passed or failed. */
      check: (ok: boolean, line: string) => `${ok ? 'ok  ' : 'FAIL'}  ${line}`,
      noEditors: (variable: string, app: string) =>
        `note: ${variable} is empty: only group admins can subscribe groups, and nobody can /broadcast from ${app}`,
      checksFailed: (command: string, failed: number, checks: number) =>
        `${command}: ${failed} of ${checks} checks failed (see above)`,
      ready: (app: string) => `${app} is ready to run.`,
      chromiumStarts: (version: string, path: string) => `Chromium starts headless: ${version} (${path})`,
      chromiumFailed: (path: string, why: string) =>
        `Chromium at ${path} did not start: ${why}. Reinstall it (apt-get install --reinstall chromium) or point CHROME_PATH at a working Chromium`,
      sessionDirIsFile: (variable: string, dir: string) =>
        `${variable} ${dir} is a file, not a folder: remove it or choose another path`,
      sessionDirWritable: (dir: string) => `session folder ${dir} exists and is writable`,
      sessionDirNotWritable: (dir: string, variable: string) =>
        `session folder ${dir} is not writable by this user: chown it to the user that runs nashra, or set ${variable}`,
      sessionDirToCreate: (dir: string, parent: string) =>
        `session folder ${dir} does not exist yet; it will be created (${parent} is writable)`,
      sessionDirCannotCreate: (dir: string, parent: string, variable: string) =>
        `session folder ${dir} cannot be created: ${parent} is not writable; create it for the user that runs nashra, or set ${variable}`,
      noSession: (app: string, profile: string, login: string) =>
        `no saved ${app} session in ${profile}: run ${login} (QR code, or --pairing-number <phone>)`,
      sessionFound: (profile: string, inUse: boolean) =>
        `saved session found in ${profile}${inUse ? ' (in use by a running Chromium: nashra run or login)' : ''}`,
    },
    editors: {
      none: 'no desk editors yet: nashra editors add <username>',
      heading: ['username', 'outlets', 'created', 'password changed'],
      noOutlet: '(none: cannot use the desk)',
      added: (user: string, role: string, outlet: string) =>
        `added desk editor ${user}, ${role} of ${outlet}; sign in on the desk (NASHRA_WEB_PORT, or port 8080 when no platform is configured)`,
      exists: (why: string, user: string) => `${why}; change the password with nashra editors passwd ${user}`,
      granted: (user: string, role: string, outlet: string) => `${user} is now ${role} of ${outlet}`,
      revoked: (user: string, outlet: string) =>
        `${user} no longer works in ${outlet} (its desk leaves it at its next page)`,
      removed: (user: string) => `removed desk editor ${user} (signed out everywhere)`,
      passwd: (user: string) => `changed the password of ${user} (signed out everywhere)`,
      noTerminal: 'no terminal to ask for the password on: pipe it in with --password-stdin',
      password: 'Password: ',
      again: 'Again: ',
      differ: 'the two passwords differ; nothing changed',
    },
    inDoubt: {
      none: 'nothing is in doubt',
      heading: ['id', 'kind', 'platform', 'article', 'subscription', 'of', 'since'],
      /** A job's kind as a sentence names it: post, digest, edit, delete (the outbox's own words in English). */
      kind: (kind: string) => kind,
      markedSent: (kind: string, id: number) => `${kind} ${id} marked as sent`,
      queuedAgain: (kind: string, id: number) => `${kind} ${id} queued again; nashra run sends it`,
      resent: (n: number, what: string, left: number, everyFailure: boolean) =>
        `queued ${n} failed deliver${n === 1 ? 'y' : 'ies'} of ${what} again` +
        (left
          ? `; ${left} stay failed (${everyFailure ? 'their chats are no longer subscribed' : 'refused for good, or no longer subscribed: --failed sends those refused for good too'})`
          : '') +
        (n ? '; nashra run sends them' : ''),
      ofBroadcast: (id: string, article: number) => `broadcast ${id} (article ${article})`,
      ofArticle: (id: string) => `article ${id}`,
    },
    ingest: {
      fresh: 'new',
      queuedFor: (n: number) => `(queued for ${countEnglish(n, 'subscription')})`,
      duplicate: (reason: string) => `duplicate (${reason})`,
      failed: (failed: number, of: number) => `${failed} of ${of} inputs could not be ingested`,
      noSourceName: '--source-name needs a name',
      oneUrl: '--url names one article: give one input with it',
      badUrl: (raw: string) => `--url must be the article's http(s) address, not "${raw}"`,
      badDate: (raw: string) =>
        `--published-at must be a date such as 2026-11-25 or 2026-11-25T14:05+03:00, not "${raw}"`,
    },
    latestNone: 'no articles yet: nashra ingest <file|url> or nashra sources add <url>',
    outlets: {
      heading: ['outlet', 'name', 'variables', 'database'],
      noPrefix: '(no prefix)',
      schema: (schema: string) => `schema ${schema}`,
      added: (slug: string, where: string) => `added outlet ${slug} (${where}); its commands take --outlet ${slug}`,
      variables: (prefix: string) =>
        `its platforms: the variables of .env.example with the prefix ${prefix} (${prefix}TELEGRAM_BOT_TOKEN, …) on every machine that runs nashra run`,
      removed: (slug: string, where: string) =>
        `removed outlet ${slug}; its rows are kept (${where}): nashra outlets add ${slug} brings them back`,
    },
    previewPlatform: (names: string, raw: string) => `--platform must be one of ${names}, not "${raw}"`,
    review: {
      none: 'nothing is waiting for review',
      heading: ['id', 'since', 'source', 'title'],
      published: (id: string, n: number) =>
        `article ${id} published: queued for ${countEnglish(n, 'subscription')}; nashra run sends it`,
      dismissed: (id: string) => `article ${id} dismissed: it will not be sent`,
      someone: 'someone',
      already: (id: number, published: boolean, by: string, at: string) =>
        `article ${id} was already ${published ? 'published' : 'dismissed'} by ${by} at ${at}; nothing changed${published ? '' : ` (to send it anyway: nashra broadcast ${id})`}`,
    },
    scheduled: {
      none: 'nothing is scheduled (nashra broadcast <article> --at 18:00 schedules a broadcast)',
      heading: (zone: string) => ['id', `at (${zone})`, 'kind', 'posts', 'article', 'title'],
      kind: (urgent: boolean): string => (urgent ? 'urgent' : 'broadcast'),
      moved: (id: number, from: string, to: string, zone: string, n: number) =>
        `b${id} moved from ${from} to ${to} (${zone}), ${n} deliver${n === 1 ? 'y' : 'ies'}`,
      cancelled: (id: number, n: number) => `b${id} cancelled: ${n} deliver${n === 1 ? 'y' : 'ies'} will not go`,
      notAnId: (raw: string) => `"${raw}" is not a scheduled broadcast's id: give one from nashra scheduled (b12)`,
      /** `stop`: the button that stops a broadcast, as the bots and the desk show it. */
      started: (id: string, when: string, moving: boolean, stop: string) =>
        `broadcast ${id} began at ${when || 'its time'}: it is going out or went, so it can no longer be ${moving ? 'moved' : 'cancelled'} (what went stays sent; «${stop}» on the bot or the desk stops what has not gone)`,
      gone: (id: string) => `broadcast ${id} was cancelled (or its article retracted): nothing of it goes out`,
      notScheduled: (id: string) => `no scheduled broadcast ${id}: nashra scheduled lists them`,
    },
    sources: {
      pollFailed: (id: number, name: string, error: string) =>
        `source #${id} added (${name}), but the first poll failed: ${error}; it will be retried`,
      added: (id: number, name: string, every: string, category: string | undefined, seen: number) =>
        `source #${id} added: ${name}, every ${every}${category ? `, category ${category}` : ''}; ${seen} existing item${seen === 1 ? '' : 's'} marked as seen`,
      held: (n: number) => `, ${n} held for review; new items wait for an editor (nashra review list)`,
      backfill: (articles: number, subscriptions: number) =>
        articles === 0
          ? ', none queued as backfill'
          : subscriptions === 0
            ? `, ${articles} kept as backfill (no subscription to send ${articles === 1 ? 'it' : 'them'} to yet)`
            : `, ${articles} queued as backfill for ${countEnglish(subscriptions, 'subscription')}`,
      skipped: (n: number) => `, ${n} skipped`,
      none: 'no sources yet; add one with: nashra sources add <feed-or-site-url>',
      heading: ['id', 'kind', 'name', 'every', 'last fetch', 'status', 'errors', 'articles', 'polled URL'],
      inReview: ' (review)',
      paused: ' (paused)',
      never: 'never',
      failingFor: (hours: number) => `FAILING FOR ${hours} h: `,
      removed: (id: number, name: string) => `source #${id} removed (${name}); its articles stay stored`,
      due: (id: number, name: string) =>
        `source #${id} (${name}) is due now: a running nashra run polls it within a second`,
      resumed: (id: number, name: string) =>
        `source #${id} resumed: what was published meanwhile is marked seen (${name})`,
      pausedNow: (id: number, name: string) => `source #${id} paused (${name})`,
      tooLarge: (file: string, mb: number) => `${file} is larger than ${mb} MB: not a list of feeds`,
      unreadable: (file: string, why: string) => `cannot read ${file}: ${why}`,
      importRefused: 'refused',
      importAdded: 'added',
      importAlready: 'already followed',
      importSource: (id: number, name: string) => `source #${id} (${name})`,
      imported: (added: number, already: number, refused: number) =>
        `${added} added, ${already} already followed, ${refused} refused`,
      importSeen: 'what the feeds held is marked seen; only new items will be sent',
      exists: (file: string) => `${file} exists; add --force to overwrite it`,
      unwritable: (file: string, why: string) => `cannot write ${file}: ${why}`,
      exported: (n: number, file: string) => `${n} sources written to ${file}`,
      hookOff: (id: string, name: string) => `source #${id} (${name}): publish hook off`,
      hook: (id: string, name: string, rotated: boolean) =>
        `source #${id} (${name}) publish hook${rotated ? ' (new secret; the old one no longer works)' : ''}`,
      hookUrl: (url: string) => `url:    ${url}`,
      hookNoPublicUrl: (path: string) =>
        `<NASHRA_PUBLIC_URL>${path} (set NASHRA_PUBLIC_URL to the address sites reach this server at)`,
      hookSecret: (secret: string) => `secret: ${secret}`,
      hookSign:
        'sign: X-Nashra-Timestamp: <unix seconds>, X-Nashra-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">; or Authorization: Bearer <secret>',
    },
    subs: {
      allNews: '(all news)',
      subscribed: 'subscribed',
      already: 'already subscribed, nothing changed',
      changed: (reactivated: boolean, changes: string[]) =>
        `${reactivated ? 'reactivated' : 'updated'}${changes.length ? ` (changed: ${changes.join(', ')})` : ''}`,
      delivery: (what: string) => `delivery: ${what}`,
      none: 'no subscriptions yet: nashra subs add <platform> <chat-id>',
      heading: ['id', 'platform', 'chat', 'kind', 'topics', 'state', 'delivery'],
      active: 'active',
      inactive: (reason: string) => `inactive: ${reason}`,
      alreadyInactive: (id: string) => `subscription ${id} is already inactive`,
      noSuch: (id: string) => `no subscription with id ${id}`,
      removed: (id: string, platform: string, chat: string, cancelled: number) =>
        `removed subscription ${id} (${platform} ${chat})${cancelled ? `; ${cancelled} queued deliveries cancelled` : ''}`,
      notAField: (name: string, fields: string) => `--default ${name}: not a template field (one of all, ${fields})`,
      set: (id: number, platform: string, chat: string, changes: string[]) =>
        `subscription ${id} (${platform} ${chat}): ${changes.length ? `updated (changed: ${changes.join(', ')})` : 'nothing changed'}`,
      unknownZone: (zone: string) => `unknown time zone "${zone}" (an IANA name such as Asia/Damascus)`,
      /** `nashra subs set`: the settings in words, one a line; «(default)» marks what comes from the environment. */
      settings: {
        filterWords: { except: 'except:', separator: ', ', between: '; ' },
        byDefault: ' (default)',
        on: 'on',
        off: 'off',
        none: 'none',
        previews: { none: 'none', small: 'small', large: 'large, above the text' },
        filter: (filter: string) => `filter: ${filter || 'all news'}`,
        sourceFilter: (id: number, name: string | undefined, filter: string) =>
          `from source #${id}${name ? ` (${name})` : ''} only: ${filter}`,
        header: (v: string) => `header mark: ${v}`,
        footer: (v: string) => `footer: ${v}`,
        hashtags: (v: string) => `hashtag line: ${v}`,
        sourceLine: (v: string) => `source line: ${v}`,
        date: (v: string) => `date: ${v}`,
        photo: (v: string) => `lead image as a photo: ${v}`,
        preview: (v: string) => `link preview: ${v}`,
        platformPreview: "the platform's default",
        fullStory: (button: string, v: string) => `«${button}» button: ${v}`,
        fullStoryInGroup: (v: string) => `full text in the group on a reader's request: ${v}`,
      },
    },
  },
  desk: {
    age: { seconds: (n: number) => `${n} s`, minutes: (n: number) => `${n} min`, hours: (n: number) => `${n} h` },
    appName: 'Nashra · newsroom desk',
    skip: 'Skip to content',
    switchLang: 'العربية',
    nav: {
      today: 'Today',
      urgent: 'Urgent',
      scheduled: 'Scheduled',
      sources: 'Sources',
      subscriptions: 'Subscriptions',
      queue: 'Queue',
      activity: 'Activity',
      stats: 'Stats',
      reach: 'Reach',
    },
    signedInAs: 'Editor',
    logout: 'Log out',
    outlet: {
      label: 'Outlet',
      switch: 'Switch',
      roles: { admin: 'admin', editor: 'editor' },
      adminsOnly: "Adding, pausing and removing sources, and chats and their settings, are for the outlet's admins.",
    },
    login: {
      title: 'Sign in',
      username: 'Username',
      password: 'Password',
      submit: 'Sign in',
      wrong: 'Wrong username or password.',
      tooMany: 'Too many attempts. Wait a little and try again.',
      expired: 'Your session ended. Sign in again.',
      noOutlet:
        "Your account is no longer a member of any outlet, so your session ended. Ask an outlet's admin to add you.",
      sessionEnded:
        'Your session ended before this was saved (signed out, the password changed, or away too long), so nothing changed. Sign in again: what you typed goes back into the form for you to save.',
      kept: 'What you typed (not saved yet)',
    },
    setup: {
      title: 'First editor account',
      intro: 'There is no editor account yet. Create the first one; add others with nashra editors add.',
      again: 'Password again',
      differ: 'The two passwords differ.',
      submit: 'Create the account and sign in',
    },
    today: {
      title: 'Today',
      search: 'Search',
      searchPlaceholder: 'Search titles and summaries',
      source: 'Source',
      topic: 'Topic',
      state: 'State',
      any: 'Any',
      filter: 'Filter',
      none: 'No story matches.',
      older: 'Older',
      urgent: 'Urgent',
      notSent: 'Not sent yet',
      edited: 'edited',
      backlog: 'Backlog',
      withoutBacklog: 'Without the backlog',
      onlyBacklog: 'Backlog only',
      backlogMark: 'backlog',
      backlogHelp:
        "From the source's backlog: it was in the feed when the source was added, so it was marked seen and not sent by itself. It can be edited and sent from here.",
      states: {
        none: 'not sent',
        queued: 'queued',
        held: 'waiting for its digest',
        sending: 'sending',
        sent: 'sent',
        failed: 'failed',
        skipped: 'stopped',
        in_doubt: 'in doubt',
      },
      fullReads: (n: number) => `📖 full text read ${n} ${n === 1 ? 'time' : 'times'}`,
    },
    article: {
      back: 'Today',
      preview: 'Preview as the subscriber sees it',
      chars: 'characters of',
      overLimit: 'Over the platform limit: it will be shortened',
      edit: 'Edit before sending',
      titleField: 'Title',
      summaryField: 'Summary (one sentence per line)',
      hashtagsField: 'Hashtags (separated by spaces)',
      save: 'Save the edit',
      saved: 'Edit saved: this is what is previewed and sent.',
      editedBy: 'Edited by',
      showOriginal: 'Original text',
      send: 'Send',
      audience: 'Audience',
      audienceMatching: 'Every matching subscriber',
      audienceAll: 'Every subscriber',
      audiencePlatform: 'One platform:',
      audienceChats: 'Chosen chats:',
      paid: "Paid broadcast: faster, charged in Stars from the bot's balance",
      previewSend: 'Preview the send',
      where: 'Where it went',
      noDeliveries: 'Not sent to anyone yet.',
      openPost: 'Open the post',
      resendFailed: 'Send the failed ones again',
      broadcasts: 'Sends',
      reactions: 'Reactions',
      noReactions: 'No reactions yet.',
      customEmoji: 'custom emoji',
      paidReaction: 'Stars',
      viewsNote: 'Platforms do not give bots view counts, so none are shown here.',
      source: 'Source',
      published: 'Published',
      link: 'Link',
      restored: 'What you typed before the session ended is back in the form, not saved yet: check it, then save.',
      fullStory: 'The full text as readers get it',
      fullStoryRetracted: 'This story was retracted: whoever asks for its full text is told so, and nothing is sent.',
      photo: 'Photo',
      fullReads: (n: number) =>
        n === 0
          ? 'Its full text was not read in the chats yet.'
          : `Full text read in the chats: ${n} ${n === 1 ? 'time' : 'times'}.`,
    },
    corrections: {
      title: 'Corrections and retraction',
      correctSent: 'Save and correct the posts already sent',
      retract: 'Retract everywhere…',
      correctTitle: 'Correct a sent story',
      retractTitle: 'Retract the story',
      before: 'Before',
      after: 'After',
      willEdit: 'Posts already sent that will be edited',
      willDelete: 'Posts already sent that will be deleted (or replaced by the notice where the platform refuses)',
      noneSent: 'Nothing was sent yet.',
      queued: 'Waiting deliveries cancelled',
      inDoubt: 'in doubt, cannot be touched',
      never: 'Once retracted it is never sent again: not in the latest news, search, nor to a new subscriber.',
      confirmCorrect: 'Confirm the correction',
      confirmRetract: 'Confirm the retraction',
      cancel: 'Cancel',
      unchanged: 'A reader would see no difference: nothing to correct.',
      retracted: 'This story was retracted',
      report: 'What became of the posts',
      reasons: 'Reasons',
    },
    broadcast: {
      title: 'Send',
      willReceive: 'Will receive it',
      alreadyHave: 'Already have it',
      confirm: 'Confirm and send',
      cancel: 'Cancel',
      stop: 'Stop',
      progress: 'Progress',
      sent: 'Sent',
      failed: 'Failed',
      waiting: 'Waiting',
      skipped: 'Stopped',
      inDoubt: 'In doubt',
      forChats: 'Waiting for its chat (quiet hours or digest)',
      until: (time: string) => `until ${time}`,
      states: { preview: 'preview', queued: 'sending', cancelled: 'cancelled', stopped: 'stopped', done: 'done' },
      nobody: 'Nobody would receive it: every matching subscriber has it already, or no subscription is active.',
      paidCost: 'Paid broadcast, at most',
    },
    schedule: {
      suggested: (hour: number, perPost: number, posts: number) =>
        `The hour this audience's posts got the most clicks per post over the last four weeks: ${String(hour).padStart(2, '0')}:00 (${perPost} clicks per post, over ${posts} posts at that hour). The time above is set to it.`,
      title: 'Scheduled broadcasts',
      or: 'or schedule it:',
      at: 'Time',
      zone: (zone: string) => `${zone} time`,
      submit: 'Schedule',
      move: 'Move',
      cancel: 'Cancel',
      none: 'Nothing is scheduled.',
      article: 'Article',
      posts: 'Messages',
      urgent: 'Urgent',
      scheduledFor: 'Scheduled; it starts going out at',
      list: 'Everything scheduled',
      help: "It goes at its time to the subscribers counted now, and meets each chat's quiet hours and digest as any broadcast does. It can be moved or cancelled until its time.",
      refused: {
        malformed: 'Not a time: choose a date and an hour.',
        past: 'That time has passed: choose a later one.',
        'too-far': 'More than 30 days ahead: choose an earlier time.',
      },
      notes: {
        moved: 'Moved.',
        cancelled: 'Scheduled broadcast cancelled; nothing of it will be sent.',
        'not-scheduled': 'No scheduled broadcast of that number.',
        started: 'This broadcast began at its time: it can no longer be moved or cancelled, and what went stays sent.',
        gone: 'This broadcast was cancelled before (or its article retracted).',
      },
    },
    urgent: {
      title: 'Urgent alert',
      text: 'Alert text',
      intro: 'An urgent alert goes out before everything queued, to every active subscriber.',
      preview: 'Preview',
    },
    sources: {
      title: 'Sources',
      add: 'Add a source',
      url: 'Site or feed URL',
      interval: 'Every',
      name: 'Name (optional)',
      lastFetch: 'Last fetch',
      status: 'Status',
      errors: 'Errors',
      articles: 'Articles',
      nextPoll: 'Next poll',
      pause: 'Pause',
      resume: 'Resume',
      remove: 'Remove',
      pollNow: 'Poll now',
      paused: 'paused',
      failing: 'failing since',
      none: 'No sources yet.',
      confirmRemove: 'Remove this source? Its articles stay stored.',
      added: (id: number, name: string) => `Source #${id} added: ${name}`,
      every: (interval: string) => `· polled every ${interval}`,
      addedButFailed: (id: number, name: string, error: string) =>
        `Source #${id} added (${name}), but the first poll failed: ${error}. It will be retried.`,
      backlog: (n: number) =>
        `Backlog (in the feed already, not sent by itself, on Today marked «backlog»): ${countEnglish(n, 'item')}`,
      backfill: (sent: number, queued: number) =>
        `Sent from the feed now: ${countEnglish(sent, 'item')}; queued: ${countEnglish(queued, 'message')}`,
      held: (n: number) => `Held for review: ${countEnglish(n, 'item')}; new items wait for an editor to publish them`,
      skipped: (n: number) => `Skipped: ${countEnglish(n, 'item')}`,
      already: (id: number, name: string) => `Already followed as source #${id} (${name}).`,
    },
    subs: {
      title: 'Subscriptions',
      platform: 'Platform',
      kind: 'Kind',
      topics: 'Topics',
      stateCol: 'State',
      active: 'active',
      inactive: 'inactive',
      allTopics: 'all news',
      deactivate: 'Deactivate',
      none: 'No subscriptions.',
      kinds: { channel: 'channel', group: 'group', private: 'private' },
      settings: 'Settings',
    },
    settings: {
      title: (name: string) => `Settings of ${name}`,
      filter: 'Filter',
      filterHelp: 'Words or "phrases"; a leading «-» excludes: Raqqa "Deir ez-Zor" -sport. Empty: all news.',
      template: 'How messages look',
      header: 'Header mark above the headline',
      footer: 'Footer',
      byDefault: 'default',
      none: 'none',
      own: 'own text:',
      hashtags: 'Hashtag line',
      sourceLine: 'Source line',
      date: 'Date',
      photo: 'Lead image as a photo with the text',
      fullStory: 'A «النص الكامل» (full story) button under posts',
      on: 'shown',
      off: 'hidden',
      fullStoryInGroup: 'The full text in the group for a member who asks (a reply «المزيد» to the story)',
      allowed: 'allowed',
      notAllowed: 'not allowed',
      preview: 'Link preview',
      previews: { none: 'none', small: 'small', large: 'large, above the text' },
      save: 'Save',
      saved: 'Saved.',
      sources: 'Filter per source',
      sourcesHelp:
        "An article from this source must match both the subscription's filter and this one. Empty: removed.",
      source: 'Source',
      defaults: (v: string) => `(default now: ${v})`,
    },
    queue: {
      title: 'Queue',
      depth: 'Waiting',
      oldest: 'Oldest waiting for',
      retries: 'Retries scheduled',
      empty: 'The queue is empty.',
      forChats: 'Waiting for their chats (quiet hours or digest)',
      inDoubt: 'In doubt',
      inDoubtIntro:
        'Nashra stopped while sending these: they may or may not have arrived. Check the chat, then choose.',
      markSent: 'It arrived: mark as sent',
      sendAgain: 'It did not: send again',
      noneInDoubt: 'Nothing in doubt.',
      kinds: { post: 'story', digest: 'digest', edit: 'edit of a story', delete: 'deletion of a story' },
    },
    activity: {
      title: 'Activity',
      editor: 'Editor',
      action: 'Action',
      at: 'Time',
      detail: 'Detail',
      none: 'No activity.',
    },
    stats: {
      title: 'Stats',
      perHour: 'Messages sent per hour (last 48 hours)',
      perDay: 'Articles per source per day (last 14 days)',
      failures: 'Failures by reason (last 7 days)',
      noData: 'No data yet.',
      reason: 'Reason',
      count: 'Count',
    },
    errors: {
      notFound: 'Not found.',
      forbidden: 'Forbidden.',
      generic: 'Something went wrong.',
      adminOnly:
        'Sorry: managing this outlet (its sources, chats, their settings and its accounts) is for its admins. Your role here is editor: you can review, preview, fix, broadcast and correct its items. Nothing was changed.',
    },
    reach: {
      title: 'Reach',
      window: 'Window',
      show: 'Show',
      windows: { '24h': 'Last 24 hours', '7d': 'Last 7 days', '28d': 'Last 4 weeks' },
      perPlatform: 'Per platform',
      posts: 'Posts',
      clicks: 'Clicks',
      clickThrough: 'Clicks per post',
      topDay: 'Most clicked, last 24 hours',
      topWeek: 'Most clicked, last 7 days',
      story: 'Story',
      inWindow: 'Clicks in window',
      perChat: 'Per chat',
      chat: 'Chat',
      byHour: 'Clicks by hour of day',
      byDay: 'Clicks by day of week',
      days: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
      csv: 'Download CSV',
      noData: 'No clicks in this window yet.',
      reactions: 'Reactions',
      fullReads: 'Full reads',
      note: 'Bots cannot read view counts; reach here is the posts sent, the clicks on their links and the click-through. Nothing about readers is kept.',
      off: 'Click counting is off: it starts once NASHRA_TRACK_CLICKS=1 and NASHRA_PUBLIC_URL are set.',
      article: 'Reach of this story',
    },
  },
} satisfies Catalogue;
