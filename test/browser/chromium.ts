// Debian's chromium driven by playwright-core (no browser download: see README "Browser test").
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that keep it headless, offline and quiet (docs: platform notes, "Browser tests here"). */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * `scale` is the screen's device scale factor: forced for the whole browser, not only emulated in
 * a context, since Chromium computes the navigation's own Sec-CH-DPR from the real screen.
 */
export async function launchChromium(scale = 1): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the browser test needs it. Install it with \`apt-get update && apt-get install -y chromium\` (.ci/run does), or set CHROMIUM_PATH.`,
    );
  // launch() gives it a new empty profile (--user-data-dir in a temporary folder) every time.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...FLAGS, `--force-device-scale-factor=${scale}`] });
}
