import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Where Debian's Chromium is (`tools/install-chromium.sh`), or MMSIM_CHROMIUM. */
export const chromiumPath = process.env.MMSIM_CHROMIUM ?? '/usr/bin/chromium';

/** Whether the browser is there. */
export const haveChromium = existsSync(chromiumPath);

/**
 * Launches Chromium headless through playwright-core (which never downloads a browser of its own), with nothing
 * that reaches for the network at start: this machine's network is closed, and a report must not need one.
 */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}
