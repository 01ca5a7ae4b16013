// /models page load time (issue 18, "the model page's load time"), production build, real server,
// Chromium (npm run bench:models-page):
//  - ttfb_ms: time to first byte of GET /models over plain HTTP (the server component reads
//    models/weights and renders the cards);
//  - html_ms: the whole HTML response;
//  - charts_ms: in a fresh browser context (empty cache), navigation start → every model section
//    has a recharts line path with data (charts hydrated and drawn), from the page's own clock;
//  - dcl_ms / load_ms: the navigation timing's DOMContentLoaded and load events;
//  - registry_ms: the same loads, navigation start → the model registry table (every built-in and
//    trained version, read by the browser from GET /api/studio/versions) is drawn;
//  - train_ttfb_ms / train_html_ms: GET /models/train over plain HTTP;
//  - train_ms: a fresh context, navigation start → the training form is drawn and the latest
//    trainings list (a client fetch of GET /api/studio/trainings) is in, i.e. the page is usable.
// RUNS loads each (default 10) after one warm-up; p50 and p95. Writes bench/results/models-page.json with --write (else a temporary file it prints);
// the last line printed is one JSON object with the figures.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MODEL_NAMES } from '@/lib/ai/contract';
import { ensureNextBuild } from '../tests/e2e/support/build';
import { launchBrowser } from '../tests/e2e/support/browser';
import { startTestServer } from '../tests/helpers/server';
import { writeResult } from '../models/cli/result-file';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10;
};

async function main() {
  ensureNextBuild();
  const server = await startTestServer({ next: true });
  const browser = await launchBrowser();
  try {
    const httpTimes = async (route: string) => {
      const ttfb: number[] = [];
      const html: number[] = [];
      let bytes = 0;
      for (let i = 0; i <= RUNS; i++) {
        const t0 = performance.now();
        const res = await fetch(`${server.url}${route}`);
        if (!res.ok || !res.body) throw new Error(`GET ${route} answered ${res.status}`);
        const reader = res.body.getReader();
        const first = await reader.read();
        const t1 = performance.now();
        let n = first.value?.length ?? 0;
        for (let r = await reader.read(); !r.done; r = await reader.read()) n += r.value.length;
        const t2 = performance.now();
        if (i === 0) continue; // warm-up: Next loads the route's modules on first use
        ttfb.push(t1 - t0);
        html.push(t2 - t0);
        bytes = n;
      }
      return { ttfb, html, bytes };
    };
    const { ttfb, html, bytes } = await httpTimes('/models');
    const trainHttp = await httpTimes('/models/train');

    const charts: number[] = [];
    const registry: number[] = [];
    const dcl: number[] = [];
    const load: number[] = [];
    for (let i = 0; i <= RUNS; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.addInitScript('globalThis.__name = (f) => f');
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}/models`, { waitUntil: 'commit' });
      const drawnAt = await page.evaluate(
        (models) =>
          new Promise<number>((resolve, reject) => {
            const done = () =>
              models.every((m) =>
                [...document.querySelectorAll(`[data-model="${m}"] [data-testid=curve-chart] path.recharts-line-curve`)].some((p) =>
                  /^M[\d.-]/.test(p.getAttribute('d') ?? ''),
                ),
              );
            const check = () => {
              if (done()) resolve(performance.now());
              else if (performance.now() > 60_000) reject(new Error('charts not drawn within 60 s'));
              else requestAnimationFrame(check);
            };
            check();
          }),
        [...MODEL_NAMES],
      );
      // The registry is read by the browser after hydration; it may land before or after the charts.
      const registryAt = await page.evaluate(
        () =>
          new Promise<number>((resolve, reject) => {
            const check = () => {
              const t = document.querySelector('[data-testid=registry]');
              if (t) resolve(performance.now());
              else if (document.querySelector('[data-testid=registry-error]'))
                reject(new Error(`registry: ${document.querySelector('[data-testid=registry-error]')!.textContent}`));
              else if (performance.now() > 60_000) reject(new Error('registry not drawn within 60 s'));
              else requestAnimationFrame(check);
            };
            check();
          }),
      );
      await page.waitForLoadState('load');
      const nav = await page.evaluate(() => {
        const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        return { dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd };
      });
      await context.close();
      if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
      if (i === 0) continue;
      charts.push(drawnAt);
      registry.push(registryAt);
      dcl.push(nav.dcl);
      load.push(nav.load);
    }

    const train: number[] = [];
    for (let i = 0; i <= RUNS; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.addInitScript('globalThis.__name = (f) => f');
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}/models/train`, { waitUntil: 'commit' });
      const usableAt = await page.evaluate(
        () =>
          new Promise<number>((resolve, reject) => {
            const check = () => {
              if (document.querySelector('[data-testid=train-form]') && document.querySelector('[data-testid=recent-trainings]')) resolve(performance.now());
              else if (performance.now() > 60_000) reject(new Error('/models/train not usable within 60 s'));
              else requestAnimationFrame(check);
            };
            check();
          }),
      );
      await context.close();
      if (errors.length) throw new Error(`page errors on /models/train: ${errors.join('; ')}`);
      if (i > 0) train.push(usableAt);
    }

    const result = {
      bench: 'models-page',
      runs: RUNS,
      ttfb_ms_p50: pct(ttfb, 50),
      ttfb_ms_p95: pct(ttfb, 95),
      html_ms_p50: pct(html, 50),
      html_kb: Math.round(bytes / 1024),
      charts_ms_p50: pct(charts, 50),
      charts_ms_p95: pct(charts, 95),
      dcl_ms_p50: pct(dcl, 50),
      load_ms_p50: pct(load, 50),
      registry_ms_p50: pct(registry, 50),
      registry_ms_p95: pct(registry, 95),
      train_ttfb_ms_p50: pct(trainHttp.ttfb, 50),
      train_html_ms_p50: pct(trainHttp.html, 50),
      train_html_kb: Math.round(trainHttp.bytes / 1024),
      train_ms_p50: pct(train, 50),
      train_ms_p95: pct(train, 95),
      loadavg_1m: Math.round(os.loadavg()[0]! * 10) / 10,
      cores: os.cpus().length,
      at: new Date().toISOString(),
    };
    writeResult(path.resolve(import.meta.dirname, 'results/models-page.json'), JSON.stringify(result, null, 2) + '\n');
    console.log(JSON.stringify(result));
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
