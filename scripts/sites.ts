/**
 * `npm run sites -- [--out <dir>] [--environment <env>]... [--site <site>]...
 * [--changed-against <base dir> [--unchanged]]`: the sites of a synthesized
 * output as a GitHub Actions matrix, `{"include":[{"environment","site",
 * "kind","stacks"}, ...]}` on one line, each site's stacks in deploy order
 * and separated by spaces. With `--changed-against`, only the sites whose
 * stacks (or, on a hosts site, Ansible files) differ from the base's, then
 * those only the base has, with `"removed": true`; with `--unchanged` as
 * well, the sites that did not change. Every failure is one line on stderr
 * and exit 2 (the stack only with FLEET_DEBUG=1).
 */
import { ReviewError } from '../output/files';
import { parseSitesArgs, siteMatrix } from './sites/matrix';

function main(argv: readonly string[]): number {
  try {
    console.log(JSON.stringify(siteMatrix(parseSitesArgs(argv))));
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const internal = error instanceof ReviewError ? '' : 'internal error: ';
    console.error(`sites: ${internal}${message.split('\n')[0]}`);
    if (process.env.FLEET_DEBUG === '1' && error instanceof Error) console.error(error.stack);
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
