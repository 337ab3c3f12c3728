/**
 * Every command's handler, each loaded from its module when its command runs (cli.ts loads this table on first use).
 * Each only translates words: the work is the newsroom's. One module per command, not all of them: loading every
 * command's module made `nashra run` load the OPML and source-detection code (the feed parser, the HTML reader: 300
 * of its 530 files) and `nashra latest` the run's pollers.
 */

/** A module's export `name`, as a handler that loads the module on its first call. */
const onUse = <M, K extends keyof M>(load: () => Promise<M>, name: K): M[K] =>
  (async (...args: unknown[]) => ((await load())[name] as (...a: unknown[]) => Promise<void>)(...args)) as M[K];

/** A module's handler factory (`sources pause`, `in-doubt sent`): the handler it makes loads the module when called. */
const factoryOnUse = <M, K extends keyof M>(load: () => Promise<M>, name: K): M[K] =>
  ((...made: unknown[]) =>
    async (...args: unknown[]) =>
      ((await load())[name] as (...a: unknown[]) => (...b: unknown[]) => Promise<void>)(...made)(...args)) as M[K];

const backup = () => import('./backup.js');
const broadcast = () => import('./broadcast.js');
const corrections = () => import('./corrections.js');
const db = () => import('./db.js');
const editors = () => import('./editors.js');
const outlets = () => import('./outlets.js');
const inDoubt = () => import('./in-doubt.js');
const ingest = () => import('./ingest.js');
const latest = () => import('./latest.js');
const preview = () => import('./preview.js');
const reach = () => import('./reach.js');
const review = () => import('./review.js');
const run = () => import('./run.js');
const scheduled = () => import('./scheduled.js');
const sources = () => import('./sources.js');
const stats = () => import('./stats.js');
const subs = () => import('./subs.js');
const summarize = () => import('./summarize.js');

export const backupCommand = onUse(backup, 'backupCommand');
export const broadcastCommand = onUse(broadcast, 'broadcastCommand');
export const urgentCommand = onUse(broadcast, 'urgentCommand');
export const correctCommand = onUse(corrections, 'correctCommand');
export const correctionsCommand = onUse(corrections, 'correctionsCommand');
export const retractCommand = onUse(corrections, 'retractCommand');
export const dbCopy = onUse(db, 'dbCopy');
export const editorsAdd = onUse(editors, 'editorsAdd');
export const editorsGrant = onUse(editors, 'editorsGrant');
export const editorsList = onUse(editors, 'editorsList');
export const editorsPasswd = onUse(editors, 'editorsPasswd');
export const editorsRemove = onUse(editors, 'editorsRemove');
export const editorsRevoke = onUse(editors, 'editorsRevoke');
export const outletsAdd = onUse(outlets, 'outletsAdd');
export const outletsList = onUse(outlets, 'outletsList');
export const outletsRemove = onUse(outlets, 'outletsRemove');
export const inDoubtList = onUse(inDoubt, 'inDoubtList');
export const inDoubtResolve = factoryOnUse(inDoubt, 'inDoubtResolve');
export const resendCommand = onUse(inDoubt, 'resendCommand');
export const ingestCommand = onUse(ingest, 'ingestCommand');
export const latestCommand = onUse(latest, 'latestCommand');
export const previewCommand = onUse(preview, 'previewCommand');
export const reachCommand = onUse(reach, 'reachCommand');
export const reviewDecide = factoryOnUse(review, 'reviewDecide');
export const reviewList = onUse(review, 'reviewList');
export const runCommand = onUse(run, 'runCommand');
export const scheduledCancel = onUse(scheduled, 'scheduledCancel');
export const scheduledList = onUse(scheduled, 'scheduledList');
export const scheduledMove = onUse(scheduled, 'scheduledMove');
export const sourcesAdd = onUse(sources, 'sourcesAdd');
export const sourcesChange = factoryOnUse(sources, 'sourcesChange');
export const sourcesExport = onUse(sources, 'sourcesExport');
export const sourcesHook = onUse(sources, 'sourcesHook');
export const sourcesImport = onUse(sources, 'sourcesImport');
export const sourcesList = onUse(sources, 'sourcesList');
export const statsCommand = onUse(stats, 'statsCommand');
export const subsAdd = onUse(subs, 'subsAdd');
export const subsList = onUse(subs, 'subsList');
export const subsRemove = onUse(subs, 'subsRemove');
export const subsSet = onUse(subs, 'subsSet');
export const summarizeCommand = onUse(summarize, 'summarizeCommand');
