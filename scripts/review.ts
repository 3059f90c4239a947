/**
 * `npm run review`: the fleet plan review of a pull request, one Markdown file
 * per environment, from synthesized output alone (see README, "Plan review"),
 * and with `--artifact-url` the pull-request comment beside them.
 * Every failure is one line on stderr and a non-zero exit: 1 for a problem
 * with the input or output, 2 for a fault of the review itself (its stack
 * only with FLEET_DEBUG=1).
 */
import { parseReviewArgs, runReview } from '../review/review';
import { runFileCommand } from './file-command';

process.exitCode = runFileCommand('review', () =>
  runReview(parseReviewArgs(process.argv.slice(2))),
);
