import { UnitError } from './units';

/**
 * A container image reference pinned by digest (`repo@sha256:<64 hex>`) or by an
 * immutable tag (`repo:1.4.2`). Mutable references (`latest`, no tag) are refused
 * because every rollout must be reproducible.
 */
export class ImageRef {
  /** Parses `repo@sha256:<64 hex>` or `repo:<tag>`; throws a `UnitError` for `latest`, no tag or a malformed reference. */
  static parse(text: string): ImageRef {
    const digest = /^([a-z0-9][a-z0-9._\-/:]*[a-z0-9])@(sha256:[a-f0-9]{64})$/.exec(text);
    if (digest) return new ImageRef(digest[1], undefined, digest[2]);
    const tagged =
      /^([a-z0-9][a-z0-9._\-/]*(?::\d+)?[a-z0-9._\-/]*):([A-Za-z0-9_][A-Za-z0-9._-]{0,127})$/.exec(
        text,
      );
    if (tagged && tagged[2] !== 'latest') return new ImageRef(tagged[1], tagged[2], undefined);
    throw new UnitError(
      `'${text}' is not a pinned image: use 'repository@sha256:<64 hex digits>' or 'repository:<version tag>' (not 'latest')`,
    );
  }

  private constructor(
    /** The repository, with its registry host and port where given, e.g. `ghcr.io/acme/agent`. */
    readonly repository: string,
    /** The immutable tag, e.g. `1.4.2`; undefined when pinned by digest. */
    readonly tag: string | undefined,
    /** The digest, `sha256:<64 hex>`; undefined when pinned by tag. */
    readonly digest: string | undefined,
  ) {}

  /** The reference as a container runtime expects it. */
  toString(): string {
    return this.digest ? `${this.repository}@${this.digest}` : `${this.repository}:${this.tag}`;
  }
}
