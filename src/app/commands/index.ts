/** Every command's handler, loaded on first use by cli.ts. Each only translates words: the work is the newsroom's. */
export { backupCommand } from './backup.js';
export { broadcastCommand, urgentCommand } from './broadcast.js';
export { correctCommand, correctionsCommand, retractCommand } from './corrections.js';
export { dbCopy } from './db.js';
export { editorsAdd, editorsGrant, editorsList, editorsPasswd, editorsRemove, editorsRevoke } from './editors.js';
export { outletsAdd, outletsList, outletsRemove } from './outlets.js';
export { inDoubtList, inDoubtResolve, resendCommand } from './in-doubt.js';
export { ingestCommand } from './ingest.js';
export { latestCommand } from './latest.js';
export { previewCommand } from './preview.js';
export { reachCommand } from './reach.js';
export { reviewDecide, reviewList } from './review.js';
export { runCommand } from './run.js';
export { scheduledCancel, scheduledList, scheduledMove } from './scheduled.js';
export { sourcesAdd, sourcesChange, sourcesExport, sourcesHook, sourcesImport, sourcesList } from './sources.js';
export { statsCommand } from './stats.js';
export { subsAdd, subsList, subsRemove, subsSet } from './subs.js';
export { summarizeCommand } from './summarize.js';
