// `npm run cluster -- --web 2 --workers 2`: a whole queue-mode deployment on one machine, for
// trying it out and for the tests — N web instances (server/main.ts through scripts/start.mjs,
// ports --port, --port+1, …) and M model workers (server/worker-main.ts, metrics on
// --port+100+i), all on DATABASE_URL (PostgreSQL) and REDIS_URL. Put any load balancer in front
// of the web ports (no stickiness needed), or open one port per browser.
// Flags: --web N (2), --workers M (2), --port P (3000; 0 = free ports), --no-next (API and sync
// only: starts in seconds). The first web instance starts alone (it applies the migrations and
// builds the web app if needed), then the rest together.
// Output: each process's log lines prefixed with its name on stderr; on stdout one JSON line per
// process once it is ready ({"role","name","pid","port","url"}) and then {"ready":true,...}.
// SIGTERM / SIGINT: every process gets SIGTERM (they drain: rooms saved, running jobs finished);
// exits 0 when all of them exited 0. A process that dies is reported, not restarted.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function flag(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) fail(`--${name} needs a whole number, not ${process.argv[i + 1]}`);
  return v;
}

function fail(msg) {
  console.error(`cluster: ${msg}`);
  process.exit(2);
}

const webCount = flag('web', 2);
const workerCount = flag('workers', 2);
const basePort = flag('port', 3000);
const next = !process.argv.includes('--no-next');
if (webCount < 1) fail('--web must be at least 1');
if (!/^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '')) fail('set DATABASE_URL=postgresql://… (the instances share one PostgreSQL)');
if (!/^rediss?:\/\//.test(process.env.REDIS_URL ?? '')) fail('set REDIS_URL=redis://… (the queue and the fan-out)');

const children = new Map(); // name -> { child, exited: Promise<number|null> }
const portOf = (base, i) => (basePort === 0 ? 0 : base + i);

function start(role, i) {
  const name = `${role}-${i}`;
  const web = role === 'web';
  const port = portOf(web ? basePort : basePort + 100, i);
  const args = web ? [path.join(root, 'scripts/start.mjs'), ...(next ? [] : ['--no-next'])] : ['--import', 'tsx', path.join(root, 'server/worker-main.ts')];
  // Readiness is read from the info-level start line, so a quieter LOG_LEVEL is raised to info.
  const quiet = ['warn', 'error', 'fatal', 'silent'].includes(process.env.LOG_LEVEL ?? '');
  const env = { ...process.env, CHECKPOINT_DISABLE: '1', ...(quiet ? { LOG_LEVEL: 'info' } : {}), ...(web ? { PORT: String(port) } : { TUTTI_WORKER_PORT: String(port) }) };
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  children.set(name, { child, exited });
  const ready = new Promise((resolve, reject) => {
    let buf = '';
    const onLine = (line) => {
      process.stderr.write(`[${name}] ${line}\n`);
      if (web) {
        const m = /listening on http:\/\/localhost:(\d+)/.exec(line);
        if (m) resolve(Number(m[1]));
      } else if (/Tutti worker \S+ ready/.test(line)) resolve(Number(/metrics on port (\d+)/.exec(line)?.[1] ?? port));
    };
    const onData = (d) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      reject(new Error(`${name} exited with ${code} before it was ready`));
      if (!shuttingDown) console.log(JSON.stringify({ exited: name, pid: child.pid, code }));
    });
  });
  return ready.then((p) => {
    const info = { role, name, pid: child.pid, port: p, ...(web ? { url: `http://127.0.0.1:${p}` } : { metrics: `http://127.0.0.1:${p}/metrics` }) };
    console.log(JSON.stringify(info));
    return info;
  });
}

let shuttingDown = false;
async function shutdown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  // Judged by the processes it stops: one that died earlier was already reported.
  const running = [...children.values()].filter(({ child }) => child.exitCode === null && child.signalCode === null);
  for (const { child } of running) child.kill('SIGTERM');
  const codes = await Promise.all(running.map((c) => c.exited));
  process.exit(code || (codes.every((c) => c === 0) ? 0 : 1));
}
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => void shutdown(0));

try {
  const first = await start('web', 0);
  const rest = await Promise.all([...Array.from({ length: webCount - 1 }, (_, i) => start('web', i + 1)), ...Array.from({ length: workerCount }, (_, i) => start('worker', i))]);
  const all = [first, ...rest];
  console.log(JSON.stringify({ ready: true, web: all.filter((p) => p.role === 'web').map((p) => p.url), workers: all.filter((p) => p.role === 'worker').map((p) => p.pid) }));
} catch (err) {
  console.error(`cluster: ${err.message}`);
  await shutdown(1);
}
