import fc from 'fast-check';
import { cronProblems, timeZoneProblems } from '../../model/cron';
import timeZoneData from '../../model/data/iana-time-zones.json';

const problemsOf = (expression: string, dialect: 'kubernetes' | 'keda' = 'kubernetes') =>
  cronProblems(expression, dialect);

/**
 * The standard-parser cases of robfig/cron's own tests, `parser_test.go` at v3.0.1
 * (ccba498c397bb90a9c84945bbb0f7af2d72b6309; unchanged at master,
 * bc59245fe10efaed9d51b56900192527ed733435). `TestRange` and `TestField` call `getRange` and
 * `getField` with made-up bounds (0-7, 1-3, 3-5); here each expression is put in a field of
 * ParseStandard whose bounds give the same verdict, named beside it. Cases of the seconds
 * parser (`secondParser`) are kept where ParseStandard reads them the same way.
 */
describe('robfig/cron parser_test.go, standard parser', () => {
  describe('TestRange, TestField: accepted', () => {
    it.each([
      // TestRange, bounds 0-7: the minute field
      ['5 * * * *'],
      ['0 * * * *'],
      ['7 * * * *'],
      ['5-5 * * * *'],
      ['5-6 * * * *'],
      ['5-7 * * * *'],
      ['5-6/2 * * * *'],
      ['5-7/2 * * * *'],
      ['5-7/1 * * * *'],
      // TestRange, bounds 1-3: any field
      ['* * * * *'],
      ['*/2 * * * *'],
      // TestField, bounds 1-7: the minute field
      ['5,6 * * * *'],
      ['5,6,7 * * * *'],
      ['1,5-7/2,3 * * * *'],
    ])('%j', (expression) => {
      expect(problemsOf(expression)).toEqual([]);
      expect(problemsOf(expression, 'keda')).toEqual([]);
    });
  });

  describe('TestRange: refused', () => {
    it.each([
      ['5--5 * * * *', "minute '5--5' is not valid: more than one '-'"], // too many hyphens
      ['0 0 * jan-x *', "month 'jan-x' is not valid"], // failed to parse int from
      ['2-x * * * *', "minute '2-x' is not valid"], // failed to parse int from
      ['*/-12 * * * *', "minute '*/-12' is not valid: the step '-12' is not a whole number"], // negative number
      ['*//2 * * * *', "minute '*//2' is not valid: more than one '/'"], // too many slashes
      ['0 0 0 * *', "day-of-month '0' is out of range: use 1 to 31"], // below minimum
      ['0 24 * * *', "hour '24' is out of range: use 0 to 23"], // above maximum
      ['5-3 * * * *', "minute '5-3' is a backwards range"], // beyond end of range
      ['*/0 * * * *', "minute '*/0' has a step of 0: use 1 or more"], // should be a positive number
    ])('%j', (expression, message) => {
      for (const dialect of ['kubernetes', 'keda'] as const) {
        const problems = problemsOf(expression, dialect);
        expect(problems).toHaveLength(1);
        expect(problems[0]).toContain(`'${expression}': ${message}`);
      }
    });
  });

  describe('TestParseSchedule, TestStandardSpecSchedule: accepted', () => {
    it.each(['5 * * * *', '@every 5m', '@midnight', '@yearly', '@annually'])('%j', (expression) => {
      expect(problemsOf(expression)).toEqual([]);
    });
  });

  describe('TestParseScheduleErrors, TestStandardSpecSchedule: refused', () => {
    it.each([
      ['5 j * * *', "hour 'j' is not valid"], // failed to parse int from
      ['* * * *', 'expected exactly 5 fields, minute hour day-of-month month day-of-week, found 4'],
      ['', 'the schedule is empty'], // empty spec string
      ['@every Xm', "'Xm' is not a duration"], // failed to parse duration
      ['@unrecognized', "'@unrecognized' is not a descriptor"], // unrecognized descriptor
    ])('%j', (expression, message) => {
      const problems = problemsOf(expression);
      expect(problems).toHaveLength(1);
      expect(problems[0].startsWith(`'${expression}': ${message}`)).toBe(true);
    });
  });

  it('TestParseSchedule: a CRON_TZ= or TZ= prefix parses, but Kubernetes refuses it', () => {
    expect(problemsOf('CRON_TZ=UTC  5 * * * *')).toEqual([
      "'CRON_TZ=UTC  5 * * * *': a schedule cannot contain TZ (TZ= or CRON_TZ=): set the CronJob's time zone field instead",
    ]);
    expect(problemsOf('TZ=UTC  @midnight')).toHaveLength(1);
  });

  it('TestNoDescriptorParser: a parser without Descriptor, as KEDA builds it, refuses @every', () => {
    expect(problemsOf('@every 1m', 'keda')).toEqual([
      "'@every 1m': KEDA's cron trigger does not accept descriptors (@daily, @every, ...): write five fields, e.g. '*/5 * * * *' for every five minutes",
    ]);
  });
});

/** kedacore/keda `pkg/scalers/cron_scaler_test.go` (8b4f083ca8c8c2baf8477e322bd4d16ac4dfa09a). */
describe("KEDA cron_scaler_test.go's start and end", () => {
  it.each([
    '0 0 * * Thu',
    '59 23 * * Thu',
    '0 */2 * * *',
    '0 1-23/2 * * *',
    '0,30 * * * *',
    '15,45 * * * *',
    '30-33 * * * *',
    '45-50 * * * *',
  ])('accepts %j', (expression) => {
    expect(problemsOf(expression, 'keda')).toEqual([]);
  });

  it.each(['-30 * * * *', '-50 * * * *', '50 * * -3 *'])('refuses %j', (expression) => {
    expect(problemsOf(expression, 'keda')).toHaveLength(1);
  });
});

describe('cronProblems', () => {
  describe('messages name the field and its range', () => {
    it.each([
      ['0 25 * * *', "'0 25 * * *': hour '25' is out of range: use 0 to 23"],
      ['61 8 * * 1-5', "'61 8 * * 1-5': minute '61' is out of range: use 0 to 59"],
      ['0 0 * 13 *', "'0 0 * 13 *': month '13' is out of range: use 1 to 12 or JAN to DEC"],
      ['0 0 * 0 *', "'0 0 * 0 *': month '0' is out of range: use 1 to 12 or JAN to DEC"],
      ['0 0 32 * *', "'0 0 32 * *': day-of-month '32' is out of range: use 1 to 31"],
      ['0 0 * * 8', "'0 0 * * 8': day-of-week '8' is out of range: use 0 to 6 or SUN to SAT"],
      ['55-61 * * * *', "'55-61 * * * *': minute '55-61' is out of range: use 0 to 59"],
      ['70/5 * * * *', "'70/5 * * * *': minute '70/5' is out of range: use 0 to 59"],
      ['50-70/30 * * * *', "'50-70/30 * * * *': minute '50-70/30' is out of range: use 0 to 59"],
    ])('%j', (expression, message) => {
      expect(problemsOf(expression)).toEqual([message]);
      expect(problemsOf(expression, 'keda')).toEqual([message]);
    });

    it('reports every field at fault, not only the first', () => {
      expect(problemsOf('0 0 0 13 8')).toEqual([
        "'0 0 0 13 8': day-of-month '0' is out of range: use 1 to 31",
        "'0 0 0 13 8': month '13' is out of range: use 1 to 12 or JAN to DEC",
        "'0 0 0 13 8': day-of-week '8' is out of range: use 0 to 6 or SUN to SAT",
      ]);
    });

    it('says what a field allows', () => {
      expect(problemsOf('0 0 * * funday')).toEqual([
        "'0 0 * * funday': day-of-week 'funday' is not valid; use 0 to 6 or SUN to SAT, '*', a range 'a-b', a step '*/n' or 'a-b/n', or a list 'a,b'",
      ]);
    });

    it('counts the fields', () => {
      expect(problemsOf('0 0 2 * * *')).toEqual([
        "'0 0 2 * * *': expected exactly 5 fields, minute hour day-of-month month day-of-week, found 6 (there is no seconds or year field)",
      ]);
    });
  });

  describe('robfig/cron syntax', () => {
    it.each([
      ['month and day names in any case', '0 9 * jan-Jun MON-fri'],
      ['? as *', '? ? ? ? ?'],
      ['? with a step', '?/15 * * * *'],
      ['n/step as n-max/step', '5/15 * * * *'],
      ['a name with a step', '0 0 * * MON/2'],
      ['a range of names with a step', '0 0 * * mon-fri/2'],
      ['leading zeros', '05 08 01 01 00'],
      ['white space of any kind between fields', ' 0\t2  *\n* * '],
      ['a step past the end of a range', '0 0 5-7/100 * *'],
      ['every descriptor', '@weekly'],
      ['@every with a Go duration', '@every 1h30m'],
      ['@every with a fraction', '@every 1.5h'],
    ])('accepts %s: %j', (_, expression) => {
      expect(problemsOf(expression)).toEqual([]);
    });
  });

  describe('syntax croner accepts and robfig/cron refuses, refused', () => {
    it.each([
      ['L: last day of the month', '0 0 L * *', "day-of-month 'L' is not valid: L, W and #"],
      ['L: last weekday', '0 0 * * 5L', "day-of-week '5L' is not valid: L, W and #"],
      ['W: nearest weekday', '0 0 15W * *', "day-of-month '15W' is not valid: L, W and #"],
      ['LW', '0 0 LW * *', "day-of-month 'LW' is not valid: L, W and #"],
      ['#: nth weekday', '0 0 * * 5#2', "day-of-week '5#2' is not valid: L, W and #"],
      ['#: named nth weekday', '0 0 * * FRI#L', "day-of-week 'FRI#L' is not valid"],
      ['+: day-of-month AND day-of-week', '0 12 1 * +MON', "day-of-week '+MON' is not valid"],
      ['H (Jenkins)', 'H * * * *', "minute 'H' is not valid: Jenkins' H is not supported"],
      ['a seconds field', '0 0 2 * * *', 'found 6 (there is no seconds or year field)'],
      ['seconds and a year', '0 0 2 * * * 2030', 'found 7 (there is no seconds or year field)'],
      ['7 as Sunday', '0 0 * * 7', "day-of-week '7' is out of range: use 0 to 6 or SUN to SAT"],
      ['7 in a range', '0 0 * * 5-7', "day-of-week '5-7' is out of range"],
      [
        'SUN ending a range (croner: 7)',
        '0 0 * * 6-SUN',
        "day-of-week '6-SUN' is a backwards range",
      ],
      ['descriptors in upper case', '@DAILY', "'@DAILY' is not a descriptor"],
      ['@reboot', '@reboot', "'@reboot' is not a descriptor"],
      [
        'names in another field',
        '0 0 * MON *',
        "month 'MON' is not valid: 'MON' is a day-of-week name",
      ],
      [
        'names in a numeric field',
        'jan * * * *',
        'names are allowed only in month and day-of-week',
      ],
      ['long names', '0 0 * * MONDAY', "day-of-week 'MONDAY' is not valid"],
    ])('%s: %j', (_, expression, message) => {
      const problems = problemsOf(expression);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(message);
    });
  });

  describe('syntax robfig/cron accepts and croner refuses, accepted', () => {
    it.each([
      ['a step larger than the field (fires once, at 0)', '*/61 * * * *'],
      ['a step larger than the hours', '0 */25 * * *'],
      ['a step on a single value larger than the field', '0 0 * * 6/7'],
      ['empty list items', '1,,2 * * * *'],
      ['a + sign on a number (strconv.Atoi)', '+5 * * * *'],
      ['n/step', '5/2 * * * *'],
    ])('%s: %j', (_, expression) => {
      expect(problemsOf(expression)).toEqual([]);
    });
  });

  describe('robfig/cron accepts, refused because it would not run as written', () => {
    it.each([
      ['a field of commas only (never fires)', ', * * * *', "minute ',' has no values"],
      ["'*-5' (robfig reads '*')", '*-5 * * * *', "a range cannot start with '*'"],
      ["'?-5' (robfig reads '?')", '?-5 * * * *', "a range cannot start with '?'"],
      ['@every under a second', '@every 500ms', '@every needs at least 1s'],
      ['@every 0', '@every 0', '@every needs at least 1s'],
      ['@every negative', '@every -5m', '@every needs at least 1s'],
    ])('%s: %j', (_, expression, message) => {
      const problems = problemsOf(expression);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(message);
    });
  });

  describe('descriptors', () => {
    it.each(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'])(
      'Kubernetes accepts %s, KEDA refuses it with its five fields',
      (descriptor) => {
        expect(problemsOf(descriptor)).toEqual([]);
        expect(problemsOf(descriptor, 'keda')).toEqual([
          expect.stringMatching(/does not accept descriptors .*, here '[0-9* ]+'$/),
        ]);
      },
    );

    it('compares descriptors exactly, as robfig does', () => {
      expect(problemsOf('@daily ')).toHaveLength(1);
      expect(problemsOf(' @daily')).toEqual([
        "' @daily': expected exactly 5 fields, minute hour day-of-month month day-of-week, found 1 (a descriptor must start the schedule)",
      ]);
    });

    it.each([
      '@every 90s',
      '@every 1h',
      '@every 2h45m30s',
      '@every 1.5h',
      '@every +10m',
      '@every 1s',
      '@every 1500000\u00b5s',
      '@every 1500000\u03bcs',
    ])('accepts Go durations: %j', (expression) => {
      expect(problemsOf(expression)).toEqual([]);
    });

    it.each([
      '@every',
      '@every ',
      '@every 5',
      '@every 5 m',
      '@every  5m',
      '@every 5m ',
      '@every 1d',
      '@every .m',
      '@every 5constructor',
      '@every 1__proto__',
    ])('refuses what time.ParseDuration refuses: %j', (expression) => {
      expect(problemsOf(expression)).toHaveLength(1);
    });
  });

  describe('time zones in the schedule', () => {
    it('Kubernetes refuses any schedule containing TZ, and still checks the fields', () => {
      expect(problemsOf('CRON_TZ=Europe/Berlin 61 5 * * *')).toEqual([
        "'CRON_TZ=Europe/Berlin 61 5 * * *': a schedule cannot contain TZ (TZ= or CRON_TZ=): set the CronJob's time zone field instead",
        "'CRON_TZ=Europe/Berlin 61 5 * * *': minute '61' is out of range: use 0 to 59",
      ]);
      expect(problemsOf('0 5 * * TZ')[0]).toContain('a schedule cannot contain TZ');
    });

    it('KEDA: a TZ= prefix would override the trigger timezone, refused', () => {
      expect(problemsOf('TZ=UTC 0 5 * * *', 'keda')).toEqual([
        "'TZ=UTC 0 5 * * *': a schedule cannot start with TZ= or CRON_TZ=: set the cron trigger's timezone instead",
      ]);
    });

    it('a prefix without fields (robfig/cron v3.0.1 panics on it) is one problem', () => {
      expect(problemsOf('TZ=UTC')).toHaveLength(1);
      expect(problemsOf('CRON_TZ=UTC', 'keda')).toHaveLength(1);
    });
  });

  /**
   * robfig/cron's `Parse` for five fields, ported from parser.go (`getField`, `getRange`,
   * `parseIntOrName`, `mustParseInt`) to compare with; 'deviation' marks the inputs that
   * cronProblems refuses on purpose (see the module comment).
   */
  function robfigAccepts(expression: string): boolean | 'deviation' {
    const bounds: [number, number, string[]?][] = [
      [0, 59],
      [0, 23],
      [1, 31],
      [1, 12, ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']],
      [0, 6, ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']],
    ];
    const fields = expression.split(' ').filter((field) => field !== '');
    if (fields.length !== 5) return false;
    let deviation = false;
    const atoi = (text: string) => {
      if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
      const value = Number(text);
      return value < 0 ? undefined : value;
    };
    for (let i = 0; i < 5; i++) {
      const [min, max, names] = bounds[i];
      const intOrName = (text: string) => {
        const index = names?.indexOf(text.toLowerCase()) ?? -1;
        return index >= 0 ? (i === 3 ? index + 1 : index) : atoi(text);
      };
      const ranges = fields[i].split(',').filter((range) => range !== '');
      if (ranges.length === 0) deviation = true;
      for (const range of ranges) {
        const rangeAndStep = range.split('/');
        const lowAndHigh = rangeAndStep[0].split('-');
        let start: number | undefined;
        let end: number | undefined;
        if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
          [start, end] = [min, max];
          if (lowAndHigh.length > 1) deviation = true;
        } else {
          start = intOrName(lowAndHigh[0]);
          if (start === undefined || lowAndHigh.length > 2) return false;
          end = lowAndHigh.length === 1 ? start : intOrName(lowAndHigh[1]);
          if (end === undefined) return false;
        }
        let step = 1;
        if (rangeAndStep.length > 2) return false;
        if (rangeAndStep.length === 2) {
          const parsed = atoi(rangeAndStep[1]);
          if (parsed === undefined) return false;
          step = parsed;
          if (lowAndHigh.length === 1) end = max;
        }
        if (start < min || end > max || start > end || step === 0) return false;
      }
    }
    return deviation ? 'deviation' : true;
  }

  it('agrees with a port of robfig/cron on random five-field expressions', () => {
    // Mostly well-formed items around the bounds, where parsers disagree; some token soup.
    const value = fc.constantFrom(
      ...['0', '1', '5', '6', '7', '12', '13', '23', '24', '31', '32', '59', '60', '61', '70'],
      ...['+5', '007', 'jan', 'DEC', 'Sun', 'mon', 'SAT', 'x'],
    );
    const step = fc.constantFrom('0', '1', '2', '5', '7', '24', '30', '60', '61', '100', '-1');
    const item = fc.oneof(
      { weight: 3, arbitrary: value },
      { weight: 3, arbitrary: fc.tuple(value, value).map(([a, b]) => `${a}-${b}`) },
      { weight: 3, arbitrary: fc.tuple(value, step).map(([a, n]) => `${a}/${n}`) },
      {
        weight: 3,
        arbitrary: fc.tuple(value, value, step).map(([a, b, n]) => `${a}-${b}/${n}`),
      },
      {
        weight: 2,
        arbitrary: fc.tuple(fc.constantFrom('*', '?'), step).map(([w, n]) => `${w}/${n}`),
      },
      { weight: 4, arbitrary: fc.constantFrom('*', '?') },
      {
        weight: 1,
        arbitrary: fc
          .array(
            fc.constantFrom('5', '7', 'jan', '*', '?', '-', '/', ',', 'L', 'W', '#', '+', 'H'),
            {
              minLength: 1,
              maxLength: 4,
            },
          )
          .map((tokens) => tokens.join('')),
      },
    );
    const field = fc.array(item, { minLength: 1, maxLength: 3 }).map((items) => items.join(','));
    // One random field among stars: with five random fields nearly every expression is refused
    // by both, for whichever field is wrong, and a disagreement hides behind it.
    const expression = fc
      .tuple(fc.integer({ min: 0, max: 4 }), field)
      .map(([at, text]) =>
        ['*', '*', '*', '*', '*'].map((star, i) => (i === at ? text : star)).join(' '),
      );
    fc.assert(
      fc.property(expression, (text) => {
        const robfig = robfigAccepts(text);
        fc.pre(robfig !== 'deviation');
        expect({ text, accepted: cronProblems(text, 'kubernetes').length === 0 }).toEqual({
          text,
          accepted: robfig,
        });
      }),
      { numRuns: 5000, seed: 20250 },
    );
  });
});

describe('timeZoneProblems', () => {
  it.each([
    'UTC',
    'Etc/UTC',
    'Europe/Berlin',
    'America/Argentina/Buenos_Aires',
    'Asia/Kolkata',
    'Etc/GMT-14',
    // Backward-compatible links, which time.LoadLocation loads as well.
    'US/Eastern',
    'Asia/Calcutta',
    'Europe/Kiev',
    'GMT',
    'EST5EDT',
  ])('accepts %j', (name) => {
    expect(timeZoneProblems(name)).toEqual([]);
  });

  it.each([
    [
      'Europe/Berln',
      "'Europe/Berln' is not an IANA time zone (tzdata 2025b): did you mean 'Europe/Berlin'?",
    ],
    [
      'europe/berlin',
      "'europe/berlin' is not an IANA time zone (tzdata 2025b): did you mean 'Europe/Berlin'? (names are case-sensitive)",
    ],
    ['Berlin', "'Berlin' is not an IANA time zone (tzdata 2025b): did you mean 'Europe/Berlin'?"],
    [
      'America/New York',
      "'America/New York' is not an IANA time zone (tzdata 2025b): did you mean 'America/New_York'?",
    ],
    [
      'UTC+2',
      "'UTC+2' is not an IANA time zone (tzdata 2025b): did you mean 'Etc/GMT-2' (UTC+2, its sign is inverted), or the zone of a city?",
    ],
    [
      'posix/Europe/Berlin',
      "'posix/Europe/Berlin' is not an IANA time zone (tzdata 2025b): did you mean 'Europe/Berlin'? (posix/ and right/ exist only in some zoneinfo directories)",
    ],
    [
      'Mars/Olympus_Mons',
      "'Mars/Olympus_Mons' is not an IANA time zone (tzdata 2025b): use a name such as 'Europe/Berlin', 'America/New_York' or 'UTC'",
    ],
  ])('refuses %j', (name, message) => {
    // The vendored release is part of the message.
    expect(timeZoneProblems(name)).toEqual([message.replace('2025b', timeZoneData.version)]);
  });

  it.each(['Local', 'local', 'LOCAL'])('refuses %j, as Kubernetes does in any case', (name) => {
    expect(timeZoneProblems(name)).toEqual([
      `'${name}' is not allowed: name an IANA time zone such as 'UTC' (Local is whatever zone the controller runs in)`,
    ]);
  });

  it('refuses the empty string', () => {
    expect(timeZoneProblems('')).toEqual([
      "the time zone is empty: name an IANA time zone such as 'UTC' or 'Europe/Berlin'",
    ]);
  });

  it('stays quick on long input', () => {
    expect(timeZoneProblems('x'.repeat(10_000))).toHaveLength(1);
  });

  describe('the vendored IANA list', () => {
    it('names its tzdata release and holds zones and links, sorted and unique', () => {
      expect(timeZoneData.version).toMatch(/^\d{4}[a-z]$/);
      expect(timeZoneData.names.length).toBeGreaterThan(500);
      expect([...new Set(timeZoneData.names)].sort()).toEqual(timeZoneData.names);
    });

    it("passes Kubernetes' character check of timeZone (validTimeZoneCharacters)", () => {
      const part = /^[A-Za-z.\-_0-9+]{1,14}$/;
      const refused = timeZoneData.names.filter((name) =>
        name.split('/').some((p) => p === '.' || p === '..' || p.startsWith('-') || !part.test(p)),
      );
      expect(refused).toEqual([]);
    });

    it("holds every time zone of Node's ICU: a newer ICU with a new zone means regenerate it", () => {
      // If this fails, run scripts/update-time-zones.ts with a tzdata.zi at least as new as
      // process.versions.tz.
      const vendored = new Set(timeZoneData.names);
      const missing = Intl.supportedValuesOf('timeZone').filter((name) => !vendored.has(name));
      expect({ icuTzdata: process.versions.tz, missing }).toEqual({
        icuTzdata: process.versions.tz,
        missing: [],
      });
    });
  });
});
