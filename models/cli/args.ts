// Minimal `--key value` / `--flag` parser for the model CLIs (train, eval, generate, bench).
export interface ParsedArgs {
  positional: string[];
  flags: Record<string, string | true>;
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags[a.slice(2, eq)] = a.slice(eq + 1);
      else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) flags[a.slice(2)] = argv[++i]!;
      else flags[a.slice(2)] = true;
    } else positional.push(a);
  }
  return { positional, flags };
}

export function numberFlag(flags: ParsedArgs['flags'], name: string): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v === true || !Number.isFinite(n)) throw new Error(`--${name} needs a number`);
  return n;
}

export function modelArg(positional: string[], usage: string): 'arcnn' | 'gan' | 'transformer' {
  const m = positional[0];
  if (m !== 'arcnn' && m !== 'gan' && m !== 'transformer') {
    console.error(usage);
    process.exit(2);
  }
  return m;
}
