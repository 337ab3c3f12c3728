/**
 * The newsroom's refusals by meaning (src/refusal.ts: a root module, so that ingest, which the newsroom imports,
 * throws them too without an import cycle), as the newsroom and its front doors import them.
 */
export { RefusedError, refusalIn } from '../refusal.js';
