// The console in Debian's Chromium (playwright-core): launching it, opening a signed-in tab (a supervisor with
// account credentials, or an agent with a worker sign-in token), and what each tab reports that a test must
// not ignore: page errors and Content-Security-Policy refusals.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Locally the browser tests skip without Chromium; under CI they must run. */
export const skipWithoutChromium = !existsSync(CHROMIUM) && !process.env.CI ? `no Chromium at ${CHROMIUM} (apt-get install chromium)` : false;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

export type ConsoleCredentials = { accountSid: string; authToken: string } | { workerToken: string };

export interface OpenOptions {
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
  /** Every path the tab requests (to check it uses only public endpoints). */
  requested?: Set<string>;
}

/** What went wrong in a tab: uncaught errors and CSP refusals (Chromium logs both as console errors). */
export const problems = new WeakMap<Page, string[]>();

export async function openConsole(browser: Browser, origin: string, credentials: ConsoleCredentials, options: OpenOptions = {}): Promise<Page> {
  // A context per tab (axe-core's audit needs one it can open a page in); closing the tab closes it.
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1200, height: 800 }, colorScheme: options.colorScheme ?? 'light' });
  const page = await context.newPage();
  page.on('close', () => void context.close().catch(() => undefined));
  const seen: string[] = [];
  problems.set(page, seen);
  page.on('pageerror', (err) => seen.push(`page error: ${err.message}`));
  page.on('console', (m) => {
    if (process.env.DEBUG_BROWSER) console.error('page:', m.text());
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) seen.push(m.text());
  });
  if (options.requested) page.on('request', (r) => options.requested!.add(new URL(r.url()).pathname));
  await page.goto(`${origin}/console`);
  // Each tab signs in for itself: the credentials live in that tab's sessionStorage only.
  if ('workerToken' in credentials) {
    await page.getByLabel('Sign-in token from your supervisor').fill(credentials.workerToken);
    await page.getByRole('button', { name: 'Sign in as an agent' }).click();
    await page.getByRole('heading', { name: /^Desk of / }).waitFor();
  } else {
    await page.getByLabel('Account SID or API key SID').fill(credentials.accountSid);
    await page.getByLabel('Auth token or API key secret').fill(credentials.authToken);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Workspaces' }).waitFor();
  }
  return page;
}

/** The problems a tab reported, for an assertion that there were none. */
export function problemsOf(page: Page): string[] {
  return problems.get(page) ?? [];
}
