import type { FastifyInstance } from 'fastify';
import type { DeskDeps } from './server.js';

/** The desk's state-changing routes: each one calls one newsroom action (src/newsroom/) and redirects. */
export async function registerActions(_app: FastifyInstance, _deps: DeskDeps): Promise<void> {
}
