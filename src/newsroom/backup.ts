import { requireEditor, type Actor } from './actor.js';
import type { NewsroomDeps } from './deps.js';

/** A consistent copy of the newsroom's database, safe while `nashra run` uses it. */
export async function backupNewsroom(
  deps: Pick<NewsroomDeps, 'data' | 'editors'>,
  actor: Actor,
  destination: string,
): Promise<void> {
  await requireEditor(deps, actor, 'backup');
  await deps.data.backup(destination);
}
