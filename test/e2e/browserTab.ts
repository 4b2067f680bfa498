/**
 * One page of the app in one engine, through what the end-to-end test needs and every driver has:
 * Playwright for Chromium and Firefox (over WebDriver BiDi), WebdriverIO and WebKitWebDriver for
 * WebKitGTK (Playwright drives only its own WebKit build, which cannot be downloaded here).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, firefox, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { remote } from 'webdriverio';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/chromium';
import { FIREFOX_LAUNCH, webkitCapabilities, type Engine } from '../support/engines';
import { startWebKitDriver, type WebKitDriver } from '../support/webkitDriver';

export interface ChosenFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

export interface Tab {
  /** Picks files in the page's `<input type="file">`, as the file dialog does. */
  chooseFile(files: ChosenFile | ChosenFile[]): Promise<void>;
  /** Runs `fn` (serialised: it sees only its argument) in the page and gives its result. */
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  /** Waits until `fn` gives a truthy value in the page. */
  waitUntil<A = undefined>(fn: (arg: A) => unknown, arg?: A): Promise<void>;
  /** Addresses of the workers the page started; `undefined` where the driver cannot see workers (WebKit). */
  workers(): string[] | undefined;
  /** The Playwright page, in the engines Playwright drives. */
  page?: Page;
}

export interface EngineSession {
  /** A fresh page on `url`; `initScript` runs before the page's own scripts where the driver can (else just after). */
  open(url: string, initScript: () => void, use: (tab: Tab) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

const WAIT_MS = 30_000;

export async function startEngine(engine: Engine): Promise<EngineSession> {
  return engine === 'webkit' ? startWebKit() : startPlaywright(engine);
}

async function startPlaywright(engine: 'chromium' | 'firefox'): Promise<EngineSession> {
  const browser: Browser =
    engine === 'chromium'
      ? await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
      : await firefox.launch(FIREFOX_LAUNCH);
  return {
    async open(url, initScript, use) {
      const context: BrowserContext = await browser.newContext();
      try {
        const page = await context.newPage();
        const workers: string[] = [];
        page.on('worker', (worker) => workers.push(worker.url()));
        await page.addInitScript(initScript);
        await page.goto(url);
        await use({
          page,
          chooseFile: (file) => page.locator('input[type=file]').setInputFiles(file),
          evaluate: (fn, arg) => page.evaluate(fn, arg as never),
          waitUntil: async (fn, arg) => {
            await page.waitForFunction(fn, arg as never, { timeout: WAIT_MS });
          },
          workers: () => workers,
        });
      } finally {
        await context.close();
      }
    },
    close: () => browser.close(),
  };
}

async function startWebKit(): Promise<EngineSession> {
  const driver: WebKitDriver = await startWebKitDriver();
  const files = await mkdtemp(join(tmpdir(), 'rtu-e2e-files-'));
  try {
    const browser = await remote({
      logLevel: 'silent',
      hostname: '127.0.0.1',
      port: driver.port,
      capabilities: { browserName: 'MiniBrowser', 'wdio:enforceWebDriverClassic': true },
      transformRequest: webkitCapabilities,
    });
    // WebDriver serialises the function and its argument as Playwright does; its typings want elements.
    const execute = browser.execute.bind(browser) as unknown as <R>(fn: unknown, arg: unknown) => Promise<R>;
    const evaluate = <R, A>(fn: (arg: A) => R | Promise<R>, arg?: A) => execute<R>(fn, arg);
    return {
      async open(url, initScript, use) {
        // A new document for each test, as a new context is elsewhere.
        await browser.url('about:blank');
        await browser.url(url);
        await browser.execute(initScript);
        await use({
          chooseFile: async (chosen) => {
            // WebDriver classic sets a file input from paths on the driver's machine (this one), one per line.
            const paths = [];
            for (const file of [chosen].flat()) {
              paths.push(join(files, file.name));
              await writeFile(paths.at(-1)!, file.buffer);
            }
            await browser.$('input[type=file]').addValue(paths.join('\n'));
          },
          evaluate,
          waitUntil: async (fn, arg) => {
            await browser.waitUntil(async () => Boolean(await evaluate(fn, arg)), {
              timeout: WAIT_MS,
              interval: 100,
            });
          },
          workers: () => undefined,
        });
      },
      async close() {
        try {
          await browser.deleteSession();
        } finally {
          await driver.stop();
          await rm(files, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await driver.stop();
    await rm(files, { recursive: true, force: true });
    throw error;
  }
}
