import { ProgressOptions, startProgress } from '../../app/progress';

/** A stream that keeps what is written, and a clock moved by hand. */
function fixture(options: Partial<ProgressOptions> = {}) {
  const written: string[] = [];
  const stream = Object.assign(
    { write: (chunk: string) => written.push(chunk) > 0 },
    options.stream,
  ) as unknown as NodeJS.WritableStream;
  const clock = { ms: 1_000_000 };
  const progress = startProgress({
    label: 'synth',
    total: 50,
    unit: 'sites',
    now: () => clock.ms,
    ...options,
    stream,
  });
  return { written, clock, progress, text: () => written.join('') };
}

describe('plain mode', () => {
  it('prints a line on each new 10 % step, never a carriage return', () => {
    const { progress, clock, text } = fixture({ interactive: false });
    for (let done = 1; done <= 50; done++) {
      clock.ms += 100;
      progress.update(done, `prod/site-${done}`);
    }
    progress.finish('50 sites, 312 stacks in 5.0 s');
    expect(text()).toBe(
      [
        'synth: 5/50 sites (10 %), 0.5 s, prod/site-5',
        'synth: 10/50 sites (20 %), 1.0 s, prod/site-10',
        'synth: 15/50 sites (30 %), 1.5 s, prod/site-15',
        'synth: 20/50 sites (40 %), 2.0 s, prod/site-20',
        'synth: 25/50 sites (50 %), 2.5 s, prod/site-25',
        'synth: 30/50 sites (60 %), 3.0 s, prod/site-30',
        'synth: 35/50 sites (70 %), 3.5 s, prod/site-35',
        'synth: 40/50 sites (80 %), 4.0 s, prod/site-40',
        'synth: 45/50 sites (90 %), 4.5 s, prod/site-45',
        'synth: 50/50 sites (100 %), 5.0 s, prod/site-50',
        'synth: 50 sites, 312 stacks in 5.0 s',
        '',
      ].join('\n'),
    );
    expect(text()).not.toContain('\r');
  });

  it('between steps, prints at most one line per interval', () => {
    const { progress, clock, text } = fixture({
      interactive: false,
      total: 1000,
      intervalMs: 5000,
    });
    for (let done = 1; done <= 40; done++) {
      clock.ms += 1000;
      progress.update(done);
    }
    expect(text()).toBe(
      [
        'synth: 5/1000 sites (0 %), 5.0 s',
        'synth: 10/1000 sites (1 %), 10.0 s',
        'synth: 15/1000 sites (1 %), 15.0 s',
        'synth: 20/1000 sites (2 %), 20.0 s',
        'synth: 25/1000 sites (2 %), 25.0 s',
        'synth: 30/1000 sites (3 %), 30.0 s',
        'synth: 35/1000 sites (3 %), 35.0 s',
        'synth: 40/1000 sites (4 %), 40.0 s',
        '',
      ].join('\n'),
    );
  });

  it('counts without a total, in steps by default, on the interval alone', () => {
    const { progress, clock, text } = fixture({
      interactive: false,
      total: undefined,
      unit: undefined,
      intervalMs: 2000,
    });
    for (let done = 1; done <= 5; done++) {
      clock.ms += 1000;
      progress.update(done);
    }
    expect(text()).toBe('synth: 2 steps, 2.0 s\nsynth: 4 steps, 4.0 s\n');
  });

  it('writes log lines as they come, to the stream given', () => {
    const { progress, text } = fixture({ interactive: false });
    const other: string[] = [];
    progress.update(1);
    progress.log('a warning');
    progress.log('a result', { write: (chunk: string) => other.push(chunk) > 0 } as never);
    expect(text()).toBe('a warning\n');
    expect(other).toEqual(['a result\n']);
  });
});

describe('interactive mode', () => {
  it('rewrites one line in place, at most every 100 ms, and always at the end', () => {
    const { progress, clock, written } = fixture({ interactive: true, total: 4 });
    progress.update(1, 'prod/a');
    clock.ms += 50;
    progress.update(2, 'prod/b');
    clock.ms += 60;
    progress.update(3, 'prod/c');
    clock.ms += 10;
    progress.update(4, 'prod/d');
    expect(written).toEqual([
      '\r\x1b[Ksynth: 1/4 sites (25 %), 0.0 s, prod/a',
      '\r\x1b[Ksynth: 3/4 sites (75 %), 0.1 s, prod/c',
      '\r\x1b[Ksynth: 4/4 sites (100 %), 0.1 s, prod/d',
    ]);
  });

  it('prints a log line above the progress line and draws it again', () => {
    const { progress, clock, written } = fixture({ interactive: true });
    progress.update(12, 'prod/us-east-3');
    clock.ms += 8100;
    progress.log('prod/us-east-3: 7 stacks');
    expect(written).toEqual([
      '\r\x1b[Ksynth: 12/50 sites (24 %), 0.0 s, prod/us-east-3',
      '\r\x1b[K',
      'prod/us-east-3: 7 stacks\n',
      '\r\x1b[Ksynth: 12/50 sites (24 %), 8.1 s, prod/us-east-3',
    ]);
  });

  it('clears the line and prints the figures when finished; later calls write nothing', () => {
    const { progress, written } = fixture({ interactive: true });
    progress.update(50);
    progress.finish('50 sites in 9.0 s');
    progress.update(51);
    progress.finish('again');
    expect(written).toEqual([
      '\r\x1b[Ksynth: 50/50 sites (100 %), 0.0 s',
      '\r\x1b[K',
      'synth: 50 sites in 9.0 s\n',
    ]);
  });

  it('cuts the line to the terminal width', () => {
    const { progress, written } = fixture({
      interactive: true,
      stream: { columns: 20 } as never,
    });
    progress.update(1, 'a long detail');
    expect(written).toEqual(['\r\x1b[Ksynth: 1/50 sites (']);
  });

  it('is the default on a terminal outside CI only', () => {
    const saved = process.env.CI;
    try {
      delete process.env.CI;
      const terminal = fixture({ stream: { isTTY: true } as never });
      terminal.progress.update(1);
      expect(terminal.text()).toContain('\r');
      process.env.CI = 'true';
      const ci = fixture({ stream: { isTTY: true } as never });
      ci.progress.update(5);
      expect(ci.text()).toBe('synth: 5/50 sites (10 %), 0.0 s\n');
      const pipe = fixture({ stream: { isTTY: false } as never });
      pipe.progress.update(5);
      expect(pipe.text()).toBe('synth: 5/50 sites (10 %), 0.0 s\n');
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });
});
