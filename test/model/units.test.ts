import { Cpu, Duration, ImageRef, Size, UnitError } from '../../model';

describe('Cpu', () => {
  it.each([
    ['500m', 500, '500m'],
    ['2', 2000, '2'],
    ['0.25', 250, '250m'],
    ['1.5', 1500, '1500m'],
  ])('parses %s', (text, millicores, rendered) => {
    const cpu = Cpu.parse(text);
    expect(cpu.millicores).toBe(millicores);
    expect(cpu.toKubernetes()).toBe(rendered);
  });

  it.each(['2 cores', '500mi', '-1', '0.0001', ''])('refuses %j', (text) => {
    expect(() => Cpu.parse(text)).toThrow(UnitError);
    expect(() => Cpu.parse(text)).toThrow(/is not a CPU quantity: use millicores such as '500m'/);
  });
});

describe('Size', () => {
  it.each([
    ['512Mi', 512 * 2 ** 20, '512Mi'],
    ['2Gi', 2 * 2 ** 30, '2Gi'],
    ['1G', 1e9, '1G'],
    ['1536Mi', 1536 * 2 ** 20, '1536Mi'],
  ])('parses %s', (text, bytes, rendered) => {
    const size = Size.parse(text);
    expect(size.bytes).toBe(bytes);
    expect(size.toKubernetes()).toBe(rendered);
  });

  it('refuses a lossy conversion to mebibytes', () => {
    expect(Size.parse('2Gi').toMebibytes()).toBe(2048);
    expect(() => Size.parse('1G').toMebibytes()).toThrow(/is not a whole number of mebibytes/);
  });

  it.each(['2Gb', '1.5Gi', 'lots', '0Mi'])('refuses %j', (text) => {
    expect(() => Size.parse(text)).toThrow(UnitError);
  });

  it('names the allowed suffixes', () => {
    expect(() => Size.parse('2Gb')).toThrow(
      "'2Gb' is not a size: use a whole number with Ki, Mi, Gi, Ti (binary) or k, M, G, T (decimal), e.g. '512Mi'",
    );
  });
});

describe('Duration', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1d', 86_400_000],
  ])('parses %s', (text, millis) => {
    expect(Duration.parse(text).millis).toBe(millis);
  });

  it.each(['5', '5 minutes', 'm5', '1.5h', ''])('refuses %j', (text) => {
    expect(() => Duration.parse(text)).toThrow(
      /is not a duration: use whole numbers with ms, s, m, h or d/,
    );
  });

  it('renders PromQL ranges and refuses lossy seconds', () => {
    expect(Duration.parse('5m').toPromQl()).toBe('5m');
    expect(Duration.parse('90s').toPromQl()).toBe('90s');
    expect(() => Duration.parse('1500ms').toSeconds()).toThrow(/not a whole number of seconds/);
    expect(Duration.parse('1500ms').toSecondsCeil()).toBe(2);
  });
});

describe('ImageRef', () => {
  const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;

  it('accepts digests and version tags', () => {
    expect(ImageRef.parse(`registry.example.com/a/b@${digest}`).toString()).toBe(
      `registry.example.com/a/b@${digest}`,
    );
    expect(ImageRef.parse('registry.example.com:5000/a/b:1.4.2').tag).toBe('1.4.2');
  });

  it.each(['registry.example.com/a/b', 'registry.example.com/a/b:latest', 'b@sha256:short'])(
    'refuses %j',
    (text) => {
      expect(() => ImageRef.parse(text)).toThrow(
        /is not a pinned image: use 'repository@sha256:<64 hex digits>'/,
      );
    },
  );
});
