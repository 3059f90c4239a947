import { NO_CONSEQUENCES } from './consequences';
import type { EnvironmentReview } from './markdown';
import { agentChanges, costChanges, environmentSummary, NO_AGENT_CHANGES } from './markdown';

/** GitHub's limit on the body of a pull-request comment, in characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/**
 * The default size of the whole comment, all environments together: below
 * {@link GITHUB_COMMENT_LIMIT}, leaving room for the lines the workflow adds.
 */
export const COMMENT_LIMIT = 60_000;

/** Options of {@link renderComment} and {@link renderComments}. */
export interface CommentOptions {
  /** Where the full review is: the run's page with its `plan-review` artifact. @default - named only */
  readonly artifactUrl?: string;
  /** Most characters of the comment. @default COMMENT_LIMIT */
  readonly limit?: number;
}

/** Said in place of the rows of a section that do not fit. */
export function omitted(count: number): string {
  return `… and ${count} more (see the full review)`;
}

/**
 * A section of the comment: a head always shown whole, rows dropped from the
 * end when they do not fit, and a tail always shown after them (a table's
 * total). Rows are joined by a line break; each is whole or left out, so a
 * fenced block in a row is never cut.
 */
interface Section {
  readonly head: string;
  /** Lines before the rows, with no blank line between: a table's header. @default - none */
  readonly rowsHead?: string;
  readonly rows: readonly string[];
  readonly tail?: string;
  /** What the section says when it has no rows. @default - nothing */
  readonly empty?: string;
}

function renderSection(section: Section, shown: number): string {
  const rows = section.rows.slice(0, shown);
  const body = [
    ...(section.rowsHead !== undefined ? [section.rowsHead] : []),
    ...rows,
    ...(section.tail !== undefined ? [section.tail] : []),
  ];
  const parts = [section.head];
  if (body.length > 0) parts.push(body.join('\n'));
  else if (section.rows.length === 0 && section.empty !== undefined) parts.push(section.empty);
  // A blank line first: a line right after a table would be read as one of its rows.
  if (shown < section.rows.length) parts.push(omitted(section.rows.length - shown));
  return parts.join('\n\n');
}

/**
 * The pull-request comment of one environment's review: its title, a
 * one-line summary, what the change will do, the monthly cost of base and
 * head, the agents that change, and where the full review is. It is built
 * from whole sections and rows, never by cutting text: when the sections do
 * not fit `limit`, each section keeps the rows that fit an equal share of
 * the room (and then what the others leave, the consequences first), drops
 * the rest from its end, and says "… and N more (see the full review)". Without
 * a comparison, only the title, the summary and the link.
 * @returns Markdown of at most `limit` characters (or the title, summary and
 *   link alone, when even those do not fit), ending in a line break
 */
export function renderComment(review: EnvironmentReview, options: CommentOptions = {}): string {
  const limit = options.limit ?? COMMENT_LIMIT;
  const title = `# Fleet plan review: \`${review.environment}\``;
  const link = fullReviewLink(review.environment, options.artifactUrl);
  const fixed = [title, environmentSummary(review)];
  const changes = review.changes;
  if (!changes) return `${[...fixed, link].join('\n\n')}\n`;

  const cost = costChanges(changes, review.prices).split('\n\n');
  const table = cost[cost.length - 1].split('\n');
  const costSection: Section = table[0].startsWith('| ')
    ? {
        head: cost.slice(0, -1).join('\n\n'),
        rowsHead: table.slice(0, 2).join('\n'),
        rows: table.slice(2, -1),
        tail: table[table.length - 1],
      }
    : { head: cost.join('\n\n'), rows: [] };
  const sections: Section[] = [
    {
      head: '## What this change will do',
      rows: (changes.consequences ?? []).map((c) => `- ${c.sentence}`),
      empty: changes.consequences ? NO_CONSEQUENCES : 'Not computed.',
    },
    { ...costSection, head: `## What changes\n\n${costSection.head}` },
    { head: '### Agents', rows: agentChanges(changes.fleet), empty: NO_AGENT_CHANGES },
  ];

  const join = (parts: readonly string[]) => `${parts.join('\n\n')}\n`;
  const full = join([...fixed, ...sections.map((s) => renderSection(s, s.rows.length)), link]);
  if (full.length <= limit) return full;

  // Each section at its smallest first: no rows, the omission line with its
  // largest count.
  const shown = sections.map(() => 0);
  const size = () => join([...fixed, ...sections.map((s, i) => renderSection(s, shown[i])), link]);
  let used = size().length;
  if (used > limit) {
    return join([...fixed, omitted(sections.reduce((n, s) => n + s.rows.length, 0)), link]);
  }
  // First each section within an equal share of the room left, so that a
  // long list of consequences leaves room for the cost and the agents; then
  // in order, within what the others did not use.
  const share = Math.floor((limit - used) / sections.length);
  const fill = (i: number, most: number) => {
    const section = sections[i];
    let added = 0;
    while (shown[i] < section.rows.length) {
      // Showing one more row adds it and a line break; the omission line
      // shrinks by a digit at most, or goes when every row is shown.
      const grows =
        renderSection(section, shown[i] + 1).length - renderSection(section, shown[i]).length;
      if (used + grows > limit || added + grows > most) break;
      used += grows;
      added += grows;
      shown[i]++;
    }
  };
  sections.forEach((_, i) => fill(i, share));
  sections.forEach((_, i) => fill(i, Infinity));
  return size();
}

/** The order of environments in one comment: these first, then the others by name. */
export const COMMENT_ORDER: readonly string[] = ['local', 'staging', 'prod'];

/**
 * One comment for several environments' reviews, in {@link COMMENT_ORDER},
 * separated by a rule, each given an equal share of `limit` and the share the
 * others leave unused.
 */
export function renderComments(
  unordered: readonly EnvironmentReview[],
  options: CommentOptions = {},
): string {
  const rank = (name: string) =>
    COMMENT_ORDER.includes(name) ? COMMENT_ORDER.indexOf(name) : COMMENT_ORDER.length;
  const reviews = [...unordered].sort(
    (a, b) =>
      rank(a.environment) - rank(b.environment) || a.environment.localeCompare(b.environment),
  );
  const limit = options.limit ?? COMMENT_LIMIT;
  const separator = '\n---\n\n';
  const full = reviews.map((review) => renderComment(review, { ...options, limit: Infinity }));
  const room = limit - separator.length * Math.max(0, reviews.length - 1);
  const fair = Math.floor(room / Math.max(1, reviews.length));
  const small = full.filter((text) => text.length <= fair);
  const large = full.length - small.length;
  const spare = room - small.reduce((n, text) => n + text.length, 0);
  const share = large > 0 ? Math.floor(spare / large) : 0;
  return reviews
    .map((review, i) =>
      full[i].length <= fair ? full[i] : renderComment(review, { ...options, limit: share }),
    )
    .join(separator);
}

function fullReviewLink(environment: string, artifactUrl: string | undefined): string {
  const file = `\`${environment}.md\``;
  return artifactUrl
    ? `The full review: ${file} in the [\`plan-review\` artifact of this run](${artifactUrl}).`
    : `The full review: ${file} in the \`plan-review\` artifact of this run.`;
}
