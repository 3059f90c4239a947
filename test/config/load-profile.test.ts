import { loadEdited, problemsOf } from '../support/edited-examples';

const withProfile = (profile: string) => ({
  'environments/staging.yaml': (text: string) =>
    text.replace('\nsites:\n', `\n${profile}\nsites:\n`),
});

describe("an environment's load profile", () => {
  it('reads a shape with its durations in seconds and its defaults filled in', () => {
    const loaded = loadEdited(
      ['staging'],
      withProfile(
        'loadProfile: { shape: spike, peak: 30, at: 90m, signals: { image_processing_tasks: { scale: 2 } } }',
      ),
    );
    if (!loaded.ok) throw new Error(problemsOf(loaded).join('\n'));
    expect(loaded.environments[0].loadProfile).toEqual({
      shape: { shape: 'spike', base: 1, peak: 30, at: 5400, halfLife: 600 },
      signals: { image_processing_tasks: { scale: 2 } },
    });
  });

  it('reads a trace by its path', () => {
    const loaded = loadEdited(
      ['staging'],
      withProfile('loadProfile: { trace: traces/monday.csv }'),
    );
    if (!loaded.ok) throw new Error(problemsOf(loaded).join('\n'));
    expect(loaded.environments[0].loadProfile).toEqual({ trace: 'traces/monday.csv' });
  });

  it('refuses an unknown shape and a bad duration, at their lines', () => {
    const unknown = loadEdited(['staging'], withProfile('loadProfile: { shape: wave }'));
    const badDuration = loadEdited(
      ['staging'],
      withProfile('loadProfile: { shape: burst, duration: soon }'),
    );
    expect(problemsOf(unknown)).toEqual([
      "environments/staging.yaml:14:16 loadProfile.shape: 'wave' is not allowed (allowed: burst, ramp, daily, spike)",
    ]);
    expect(problemsOf(badDuration)).toEqual([
      "environments/staging.yaml:14:30 loadProfile.duration: 'soon' is not a duration: use whole numbers with ms, s, m, h or d, e.g. '30s', '5m', '1h30m'",
    ]);
  });
});
