/**
 * `npm run review`: the fleet plan review of a pull request, one Markdown file
 * per environment, from synthesized output alone (see README, "Plan review").
 */
import { ReviewError } from '../review/load';
import { parseReviewArgs, runReview } from '../review/review';

function main(argv: readonly string[]): number {
  try {
    const files = runReview(parseReviewArgs(argv));
    for (const file of files) console.log(`wrote ${file}`);
    return 0;
  } catch (error) {
    if (!(error instanceof ReviewError)) throw error;
    console.error(`review: ${error.message}`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
