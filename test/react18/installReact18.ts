import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Installs test/react18/ if `npm test`'s pretest has not (a no-op when it is up to date). */
export default function installReact18(): void {
  execFileSync('bash', [fileURLToPath(new URL('../../scripts/ensure-react18.sh', import.meta.url))], {
    stdio: 'inherit',
  });
}
