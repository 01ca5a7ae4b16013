// MODEL_CARD.md → the parts the /models page shows on their own (data, architecture, training,
// known limits) and the training command. Pure string work on the card's `## ` headings; the
// cards are written by hand, so a section that is not there is simply absent.

export interface CardSection {
  heading: string;
  body: string;
}
export interface ParsedCard {
  title: string;
  /** The text before the first `## ` heading. */
  intro: string;
  sections: CardSection[];
  data: CardSection | null;
  architecture: CardSection | null;
  training: CardSection | null;
  limits: CardSection | null;
  trainCommand: string | null;
}

/** The command's first line, with the indented `--flag` lines that continue it (a wrapped inline span); not a later command in the same block. */
function firstCommand(code: string): string {
  const [first, ...rest] = code.split('\n');
  const more: string[] = [];
  for (const line of rest) {
    if (!/^\s+--/.test(line)) break;
    more.push(line);
  }
  return [first!, ...more].join(' ').replace(/\s+/g, ' ').trim();
}

export function parseCard(md: string): ParsedCard {
  const lines = md.replace(/\r\n/g, '\n').split('\n');
  let title = '';
  const intro: string[] = [];
  const sections: CardSection[] = [];
  let inFence = false;
  for (const line of lines) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    const h1 = !inFence && /^# (.+)$/.exec(line);
    const h2 = !inFence && /^## (.+)$/.exec(line);
    if (h1 && !title && sections.length === 0) title = h1[1]!.trim();
    else if (h2) sections.push({ heading: h2[1]!.trim(), body: '' });
    else if (sections.length) sections[sections.length - 1]!.body += `${line}\n`;
    else intro.push(line);
  }
  const find = (re: RegExp) => sections.find((s) => re.test(s.heading)) ?? null;
  // The first `npm run train -- …` in code (inline or fenced; an inline span may wrap lines).
  const cmd = /`{1,3}\s*(npm run train -- [^`]+?)\s*`/s.exec(md);
  return {
    title,
    intro: intro.join('\n').trim(),
    sections,
    data: find(/^data\b/i),
    architecture: find(/^(architecture|network)\b/i),
    training: find(/^training\b/i),
    limits: find(/limits/i),
    trainCommand: cmd ? firstCommand(cmd[1]!) : null,
  };
}
