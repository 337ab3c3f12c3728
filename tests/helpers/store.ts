import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { openStore, type Store } from '../../src/store/index.js';
import { tempDir } from './tmp.js';

/**
 * A store on a new database in a folder of its own (`file` may name subfolders, which openStore creates); closed
 * and its folder removed when the test that asked for it has finished. Call it inside a test.
 */
export function freshStore(file = 'nashra.db'): Store {
  const { dir, cleanup } = tempDir('nashra-store-');
  const store = openStore(join(dir, file));
  onTestFinished(() => {
    store.close();
    cleanup();
  });
  return store;
}
