/**
 * Unit value objects: parsed once from strings such as `500m`, `2Gi`, `5m`,
 * converted only when rendered, and never lossy.
 */

/** Thrown when a unit string does not parse; the message says what is allowed. */
export class UnitError extends Error {}

/**
 * CPU quantity, held in millicores.
 * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#meaning-of-cpu
 */
export class Cpu {
  /** `250m` (millicores) or `0.5` / `2` (cores, at most three decimals). */
  static parse(text: string): Cpu {
    const match = /^(\d+(?:\.\d{1,3})?)(m?)$/.exec(text.trim());
    if (!match) {
      throw new UnitError(
        `'${text}' is not a CPU quantity: use millicores such as '500m' or cores such as '2' or '0.5'`,
      );
    }
    const value = Number(match[1]);
    if (match[2] === 'm') {
      if (!Number.isInteger(value)) {
        throw new UnitError(
          `'${text}' is not a CPU quantity: millicores must be whole, e.g. '500m'`,
        );
      }
      return Cpu.millis(value);
    }
    return Cpu.millis(Math.round(value * 1000));
  }

  /**
   * A CPU quantity of the given millicores (`Cpu.millis(500)` is half a core).
   * @param millicores whole millicores, greater than zero
   */
  static millis(millicores: number): Cpu {
    if (!Number.isInteger(millicores) || millicores <= 0) {
      throw new UnitError(`CPU must be a positive whole number of millicores, got ${millicores}`);
    }
    return new Cpu(millicores);
  }

  /** A CPU quantity of the given cores, rounded to whole millicores (`Cpu.cores(0.5)` is `500m`). */
  static cores(cores: number): Cpu {
    return Cpu.millis(Math.round(cores * 1000));
  }

  private constructor(
    /** The quantity in millicores (1000 is one core). */
    readonly millicores: number,
  ) {}

  /** Kubernetes quantity: whole cores as `2`, anything else as `1500m`. */
  toKubernetes(): string {
    return this.millicores % 1000 === 0 ? String(this.millicores / 1000) : `${this.millicores}m`;
  }

  /** Whether this quantity is no more than `other`. */
  isAtMost(other: Cpu): boolean {
    return this.millicores <= other.millicores;
  }
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/**
 * Memory or storage size, held in bytes.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
 */
export class Size {
  /** `512Mi`, `2Gi` (binary) or `1G`, `500M` (decimal); whole numbers only. */
  static parse(text: string): Size {
    const match = /^(\d+)(Ki|Mi|Gi|Ti|k|M|G|T)$/.exec(text.trim());
    if (!match) {
      throw new UnitError(
        `'${text}' is not a size: use a whole number with Ki, Mi, Gi, Ti (binary) or k, M, G, T (decimal), e.g. '512Mi'`,
      );
    }
    const factor = BINARY[match[2]] ?? DECIMAL[match[2]];
    return Size.bytes(Number(match[1]) * factor);
  }

  /** A size of the given bytes, a positive whole number. */
  static bytes(bytes: number): Size {
    if (!Number.isSafeInteger(bytes) || bytes <= 0) {
      throw new UnitError(`a size must be a positive whole number of bytes, got ${bytes}`);
    }
    return new Size(bytes);
  }

  /** A size of the given mebibytes (MiB, 2^20 bytes). */
  static mebibytes(mebibytes: number): Size {
    return Size.bytes(mebibytes * BINARY.Mi);
  }

  /** A size of the given gibibytes (GiB, 2^30 bytes). */
  static gibibytes(gibibytes: number): Size {
    return Size.bytes(gibibytes * BINARY.Gi);
  }

  private constructor(
    /** The size in bytes. */
    readonly bytes: number,
  ) {}

  /** Kubernetes quantity in the largest exact binary unit (`1536Mi`), else decimal (`1G`). */
  toKubernetes(): string {
    for (const unit of ['Ti', 'Gi', 'Mi', 'Ki']) {
      if (this.bytes % BINARY[unit] === 0) return `${this.bytes / BINARY[unit]}${unit}`;
    }
    for (const unit of ['T', 'G', 'M', 'k']) {
      if (this.bytes % DECIMAL[unit] === 0) return `${this.bytes / DECIMAL[unit]}${unit}`;
    }
    return String(this.bytes);
  }

  /** Whole mebibytes; refuses a lossy conversion. */
  toMebibytes(): number {
    if (this.bytes % BINARY.Mi !== 0) {
      throw new UnitError(`${this.toKubernetes()} is not a whole number of mebibytes`);
    }
    return this.bytes / BINARY.Mi;
  }

  /** Whether this size is no larger than `other`. */
  isAtMost(other: Size): boolean {
    return this.bytes <= other.bytes;
  }
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** A span of time, held in milliseconds. */
export class Duration {
  /** One or more `<whole number><unit>` parts, units `ms`, `s`, `m`, `h`, `d`: `90s`, `5m`, `1h30m`. */
  static parse(text: string): Duration {
    const trimmed = text.trim();
    const part = /(\d+)(ms|s|m|h|d)/y;
    let total = 0;
    let consumed = 0;
    for (let match = part.exec(trimmed); match; match = part.exec(trimmed)) {
      total += Number(match[1]) * DURATION_UNITS[match[2]];
      consumed = part.lastIndex;
    }
    if (trimmed.length === 0 || consumed !== trimmed.length) {
      throw new UnitError(
        `'${text}' is not a duration: use whole numbers with ms, s, m, h or d, e.g. '30s', '5m', '1h30m'`,
      );
    }
    return new Duration(total);
  }

  /** A duration of the given milliseconds, a whole number, zero or more. */
  static millis(millis: number): Duration {
    if (!Number.isInteger(millis) || millis < 0) {
      throw new UnitError(
        `a duration must be a whole, non-negative number of milliseconds, got ${millis}`,
      );
    }
    return new Duration(millis);
  }

  /** A duration of the given seconds; must come to whole milliseconds. */
  static seconds(seconds: number): Duration {
    return Duration.millis(seconds * 1000);
  }

  /** A duration of the given minutes; must come to whole milliseconds. */
  static minutes(minutes: number): Duration {
    return Duration.millis(minutes * 60_000);
  }

  /** A duration of the given hours; must come to whole milliseconds. */
  static hours(hours: number): Duration {
    return Duration.millis(hours * 3_600_000);
  }

  /** A duration of the given days; must come to whole milliseconds. */
  static days(days: number): Duration {
    return Duration.millis(days * 86_400_000);
  }

  private constructor(
    /** The duration in milliseconds. */
    readonly millis: number,
  ) {}

  /** Whole seconds; refuses a lossy conversion. */
  toSeconds(): number {
    if (this.millis % 1000 !== 0) {
      throw new UnitError(`${this.millis}ms is not a whole number of seconds`);
    }
    return this.millis / 1000;
  }

  /** Seconds rounded up, for fields where more time is the safe side. */
  toSecondsCeil(): number {
    return Math.ceil(this.millis / 1000);
  }

  /** PromQL range, e.g. `5m` or `90s`. */
  toPromQl(): string {
    if (this.millis % 60_000 === 0) return `${this.millis / 60_000}m`;
    return `${this.toSecondsCeil()}s`;
  }

  /** A new duration: this one and `other` added together. */
  plus(other: Duration): Duration {
    return new Duration(this.millis + other.millis);
  }

  /** Whether this duration is strictly longer than `other`. */
  isLongerThan(other: Duration): boolean {
    return this.millis > other.millis;
  }

  /** Short human form for reports: `5m`, `90s`, `1h`. */
  toString(): string {
    for (const unit of ['d', 'h', 'm', 's']) {
      const factor = DURATION_UNITS[unit];
      if (this.millis % factor === 0 && this.millis >= factor)
        return `${this.millis / factor}${unit}`;
    }
    return `${this.millis}ms`;
  }
}
