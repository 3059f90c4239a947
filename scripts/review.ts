/**
 * `npm run review`: the fleet plan review of a pull request, one Markdown file
 * per environment, from synthesized output alone (see README, "Plan review"),
 * and with `--artifact-url` the pull-request comment beside them.
 * Every failure is one line on stderr and a non-zero exit: 1 for a problem
 * with the input or output, 2 for a fault of the review itself (its stack
 * only with FLEET_DEBUG=1).
 */
import { ReviewError } from '../review/load';
import { parseReviewArgs, runReview } from '../review/review';

function main(argv: readonly string[]): number {
  try {
    const files = runReview(parseReviewArgs(argv));
    for (const file of files) console.log(`wrote ${file}`);
    return 0;
  } catch (error) {
    if (error instanceof ReviewError) {
      console.error(`review: ${error.message}`);
      return 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    console.error(`review: internal error: ${message.split('\n')[0]}`);
    if (process.env.FLEET_DEBUG === '1' && error instanceof Error) console.error(error.stack);
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
