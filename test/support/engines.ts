/**
 * The three engines the tests run in, all from Debian's packages (scripts/ensure-browsers.sh installs
 * them; no test tool may download a browser): Chromium and Firefox ESR driven by Playwright, WebKitGTK's
 * MiniBrowser driven by WebKitWebDriver through WebdriverIO (Playwright drives only its own WebKit build).
 */
import { playwright } from '@vitest/browser-playwright';
import { webdriverio } from '@vitest/browser-webdriverio';
import type { BrowserProviderOption } from 'vitest/node';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.ts';
import { startWebKitDriver, type WebKitDriver } from './webkitDriver.ts';

export type Engine = 'chromium' | 'firefox' | 'webkit';

/** Debian's Firefox ESR (`apt-get install firefox-esr`). */
export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/** Debian's WebDriver for WebKitGTK (`apt-get install webkit2gtk-driver`); it starts the MiniBrowser. */
export const WEBKIT_WEBDRIVER = process.env.WEBKIT_WEBDRIVER_PATH ?? '/usr/bin/WebKitWebDriver';

/**
 * Playwright's `moz-firefox` channel drives a stock Firefox over WebDriver BiDi, with no geckodriver and
 * no Playwright-patched build. playwright(-core) is pinned to 1.64.1 in package.json: 1.65 sends
 * `emulation.setMediaFeaturesOverride`, which Firefox ESR answers "unknown command".
 */
export const FIREFOX_LAUNCH = { channel: 'moz-firefox', executablePath: FIREFOX } as const;

/**
 * Vitest scales its test iframe to fit the page, and Playwright's BiDi cannot click into an iframe
 * under a CSS transform: the page is made large enough for a scale of 1 (see firefoxFrameSetup.ts).
 */
export const FIREFOX_PAGE = { width: 1400, height: 900 } as const;
export const FIREFOX_FRAME = { width: 1280, height: 720 } as const;

/**
 * WebKitGTK's driver speaks classic WebDriver only, and knows its browser as "MiniBrowser": Vitest asks
 * for "safari" (the only WebKit name it has), which is renamed on the way; `webSocketUrl` (a BiDi
 * request) is dropped, or the session is refused.
 */
export function webkitCapabilities(init: RequestInit): RequestInit {
  if (typeof init.body !== 'string') return init;
  const body = JSON.parse(init.body) as {
    capabilities?: { alwaysMatch?: Record<string, unknown>; firstMatch?: Array<Record<string, unknown>> };
  };
  if (!body.capabilities) return init;
  for (const capabilities of [body.capabilities.alwaysMatch, ...(body.capabilities.firstMatch ?? [])]) {
    if (!capabilities) continue;
    if ('browserName' in capabilities) capabilities.browserName = 'MiniBrowser';
    delete capabilities.webSocketUrl;
  }
  return { ...init, body: JSON.stringify(body) };
}

/**
 * WebdriverIO's provider, with WebKitWebDriver (and the Xvfb display it needs) started on a free port
 * when the provider opens its first page, and stopped once the provider has closed its session: a
 * driver per project and run, so that runs and projects never share one.
 */
function webkitProvider(): BrowserProviderOption {
  const options = {
    hostname: '127.0.0.1',
    port: 0,
    capabilities: { 'wdio:enforceWebDriverClassic': true },
    transformRequest: webkitCapabilities,
  };
  const base = webdriverio(options);
  return {
    ...base,
    providerFactory(project) {
      const provider = base.providerFactory(project);
      const [openPage, close] = [provider.openPage.bind(provider), provider.close.bind(provider)];
      let driver: Promise<WebKitDriver> | undefined;
      provider.openPage = async (...args) => {
        driver ??= startWebKitDriver();
        // The provider reads its options when it opens the session, in openPage.
        options.port = (await driver).port;
        return openPage(...args);
      };
      provider.close = async () => {
        try {
          await close();
        } finally {
          await (await driver)?.stop();
        }
      };
      return provider;
    },
  };
}

/** The Vitest browser provider and instance of each engine. */
export function browserOf(engine: Engine) {
  if (engine === 'chromium')
    return {
      provider: playwright({ launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } }),
      instances: [{ browser: 'chromium' as const }],
      headless: true,
    };
  if (engine === 'firefox')
    return {
      provider: playwright({ launchOptions: FIREFOX_LAUNCH, contextOptions: { viewport: FIREFOX_PAGE } }),
      instances: [{ browser: 'firefox' as const }],
      viewport: FIREFOX_FRAME,
      headless: true,
    };
  return {
    provider: webkitProvider(),
    instances: [{ browser: 'safari' as const }],
    // WebKitGTK has no headless mode: it runs on the Xvfb display that webkitProvider starts.
    headless: false,
  };
}
