/**
 * Regenerates `model/data/iana-time-zones.json`, the IANA time-zone names that
 * `timeZoneProblems` accepts, from a `tzdata.zi` file (the compact zic input that the tz
 * distribution builds and that most Linux `tzdata` packages install):
 *
 *   node --import tsx scripts/update-time-zones.ts [path-to-tzdata.zi]
 *
 * The path defaults to `/usr/share/zoneinfo/tzdata.zi`. Without one on the machine, take it
 * from a `tzdata` package (`apt-get download tzdata && dpkg-deb -x tzdata_*.deb tz` gives
 * `tz/usr/share/zoneinfo/tzdata.zi`), or from an IANA release (`make tzdata.zi` in the
 * unpacked `tzdata<version>.tar.gz`).
 *
 * In `tzdata.zi`, `Z <name> ...` lines are zones and `L <target> <name>` lines are links
 * (backward-compatible names such as `US/Eastern` or `Asia/Calcutta`); its first line is
 * `# version <release>`. Go's embedded `time/tzdata` (what Kubernetes loads with
 * `time.LoadLocation`) is built by `make posix_only` from the same zone and link set, so the
 * two name lists agree for the same release.
 *
 * @see https://data.iana.org/time-zones/tz-link.html
 * @see https://github.com/golang/go/blob/master/lib/time/update.bash
 */
import * as fs from 'fs';
import * as path from 'path';

const DEFAULT_SOURCE = '/usr/share/zoneinfo/tzdata.zi';
const TARGET = path.resolve(__dirname, '..', 'constructs', 'model', 'data', 'iana-time-zones.json');

function main(argv: readonly string[]): void {
  const source = argv[0] ?? DEFAULT_SOURCE;
  if (!fs.existsSync(source)) {
    throw new Error(
      `${source} does not exist: pass the path of a tzdata.zi (see the comment at the top of this script)`,
    );
  }
  const lines = fs.readFileSync(source, 'utf8').split('\n');
  const version = /^# version (\S+)$/.exec(lines[0] ?? '')?.[1];
  if (!version) throw new Error(`${source}: the first line is not '# version <release>'`);
  const notes = lines
    .slice(1)
    .filter((line) => line.startsWith('# ') && !line.includes('public domain'))
    .map((line) => line.slice(2).trim());

  const names = new Set<string>();
  for (const line of lines) {
    const fields = line.trim().split(/\s+/);
    if (fields[0] === 'Z' && fields[1]) names.add(fields[1]);
    if (fields[0] === 'L' && fields[2]) names.add(fields[2]);
  }
  // time.LoadLocation answers "UTC" itself, whatever the database holds.
  names.add('UTC');
  if (names.size < 400) {
    throw new Error(`${source}: only ${names.size} names; is this a tzdata.zi?`);
  }

  const document = {
    version,
    source:
      `${source}` +
      (notes.length > 0 ? ` (${notes.join('; ')})` : '') +
      ': Z lines (zones) and L lines (links)',
    generated: `node --import tsx scripts/update-time-zones.ts ${source}`,
    names: [...names].sort(),
  };
  fs.mkdirSync(path.dirname(TARGET), { recursive: true });
  fs.writeFileSync(TARGET, JSON.stringify(document, null, 2) + '\n');
  console.log(
    `wrote ${path.relative(process.cwd(), TARGET)}: ${names.size} names, tzdata ${version}`,
  );
}

main(process.argv.slice(2));
