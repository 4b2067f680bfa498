/**
 * WebKitGTK under test: it has no headless mode, so a virtual X display (Xvfb) is started for it, and
 * WebKitWebDriver on that display, which opens the MiniBrowser for each session. Both are started on a
 * display and a port no other run holds (Xvfb picks a free display itself with -displayfd), and
 * stopped with the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { WEBKIT_WEBDRIVER } from './engines.ts';
import { freePort } from './ports.ts';

export interface WebKitDriver {
  /** WebDriver's address: `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const READY_MS = 30_000;

export async function startWebKitDriver(): Promise<WebKitDriver> {
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1600x1200x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let driver: ChildProcess | undefined;
  const stop = async () => {
    await Promise.all([driver, xvfb].map((child) => child && ended(child)));
  };
  try {
    const display = await displayOf(xvfb);
    const listening = await freePort();
    driver = spawn(WEBKIT_WEBDRIVER, [`--port=${listening}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, DISPLAY: `:${display}` },
    });
    const url = `http://127.0.0.1:${listening}`;
    await untilReady(url, driver);
    return { url, port: listening, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The display number Xvfb writes on fd 3 once it accepts connections. */
function displayOf(xvfb: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let written = '';
    let errors = '';
    const timer = setTimeout(() => reject(new Error(`Xvfb did not start in ${READY_MS} ms: ${errors}`)), READY_MS);
    xvfb.stderr!.on('data', (chunk: Buffer) => (errors += chunk));
    xvfb.stdio[3]!.on('data', (chunk: Buffer) => {
      written += chunk;
      if (!written.includes('\n')) return;
      clearTimeout(timer);
      resolve(written.trim());
    });
    xvfb.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb did not start (apt-get install xvfb): ${error.message}`));
    });
    xvfb.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited with ${code}: ${errors}`));
    });
  });
}

async function untilReady(url: string, driver: ChildProcess): Promise<void> {
  let errors = '';
  driver.stderr!.on('data', (chunk: Buffer) => (errors += chunk));
  const failed = new Promise<never>((_, reject) => {
    driver.once('error', (error) =>
      reject(new Error(`${WEBKIT_WEBDRIVER} did not start (apt-get install webkit2gtk-driver): ${error.message}`)),
    );
    driver.once('exit', (code) => reject(new Error(`${WEBKIT_WEBDRIVER} exited with ${code}: ${errors}`)));
  });
  failed.catch(() => undefined);
  const deadline = Date.now() + READY_MS;
  while (Date.now() < deadline) {
    const ready = await Promise.race([
      fetch(`${url}/status`).then(
        (answer) => answer.ok,
        () => false,
      ),
      failed,
    ]);
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${WEBKIT_WEBDRIVER} did not answer at ${url} in ${READY_MS} ms: ${errors}`);
}

function ended(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
