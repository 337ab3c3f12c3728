import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installation's root (the folder with package.json), whether running from src/ (tests) or dist/src/ (built). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'db'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the Nashra installation folder (package.json beside db/)');
}
