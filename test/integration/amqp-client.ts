import * as net from 'net';

/**
 * Just enough AMQP 0-9-1 to log in and publish with publisher confirms, the
 * way an agent does, without a client library.
 * @see https://www.rabbitmq.com/resources/specs/amqp0-9-1.pdf
 */

/** A Connection.Close or Channel.Close from the broker. */
export class AmqpClosed extends Error {
  constructor(
    readonly scope: 'connection' | 'channel',
    readonly code: number,
    readonly text: string,
  ) {
    super(`${scope} closed by the broker: ${code} ${text}`);
  }
}

export interface AmqpConnectionOptions {
  readonly port: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  readonly vhost: string;
  readonly user: string;
  readonly password: string;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

const FRAME_METHOD = 1;
const FRAME_HEADER = 2;
const FRAME_BODY = 3;
const FRAME_END = 0xce;

interface Method {
  readonly channel: number;
  readonly classId: number;
  readonly methodId: number;
  readonly args: Buffer;
}

const u8 = (value: number) => Buffer.from([value]);
const u16 = (value: number) => {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16BE(value);
  return buffer;
};
const u32 = (value: number) => {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
};
const u64 = (value: number) => {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64BE(BigInt(value));
  return buffer;
};
const shortstr = (value: string) => {
  const bytes = Buffer.from(value, 'utf8');
  return Buffer.concat([u8(bytes.length), bytes]);
};
const longstr = (value: string) => {
  const bytes = Buffer.from(value, 'utf8');
  return Buffer.concat([u32(bytes.length), bytes]);
};
/** A field table of nested tables and booleans. */
const table = (fields: Record<string, Buffer | boolean>): Buffer => {
  const entries = Object.entries(fields).map(([name, value]) =>
    Buffer.isBuffer(value)
      ? Buffer.concat([shortstr(name), Buffer.from('F'), value])
      : Buffer.concat([shortstr(name), Buffer.from('t'), u8(value ? 1 : 0)]),
  );
  const body = Buffer.concat(entries);
  return Buffer.concat([u32(body.length), body]);
};
const readShortstr = (buffer: Buffer, offset: number) =>
  buffer.toString('utf8', offset + 1, offset + 1 + buffer[offset]);

/** An open connection with channel 1 in confirm mode. */
export class AmqpConnection {
  private buffer = Buffer.alloc(0);
  private readonly methods: Method[] = [];
  private waiter?: { resolve: (method: Method) => void; reject: (error: Error) => void };
  private failure?: Error;
  private published = 0;

  private constructor(
    private readonly socket: net.Socket,
    private readonly timeoutMs: number,
  ) {
    socket.on('data', (chunk) => this.receive(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('connection closed by the broker')));
  }

  /** Connects, logs in (PLAIN), opens the vhost and channel 1, and selects confirms. */
  static async open(options: AmqpConnectionOptions): Promise<AmqpConnection> {
    const socket = net.connect(options.port, options.host ?? '127.0.0.1');
    const connection = new AmqpConnection(socket, options.timeoutMs ?? 10_000);
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
      socket.write(Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1])); // "AMQP" 0-9-1
      await connection.expect(10, 10); // Connection.Start
      connection.send(
        0,
        10,
        11, // Connection.StartOk
        // Client properties: be told why a login is refused, at once.
        table({ capabilities: table({ authentication_failure_close: true }) }),
        shortstr('PLAIN'),
        longstr(`\u0000${options.user}\u0000${options.password}`),
        shortstr('en_US'),
      );
      const tune = await connection.expect(10, 30);
      const channelMax = tune.args.readUInt16BE(0);
      const frameMax = tune.args.readUInt32BE(2);
      connection.send(0, 10, 31, u16(channelMax), u32(frameMax), u16(0)); // TuneOk, no heartbeats
      connection.send(0, 10, 40, shortstr(options.vhost), shortstr(''), u8(0)); // Connection.Open
      await connection.expect(10, 41);
      connection.send(1, 20, 10, shortstr('')); // Channel.Open
      await connection.expect(20, 11);
      connection.send(1, 85, 10, u8(0)); // Confirm.Select
      await connection.expect(85, 11);
      return connection;
    } catch (error) {
      socket.destroy();
      throw error;
    }
  }

  /**
   * Publishes persistent, mandatory messages to an exchange and waits until
   * the broker confirms every one. A refusal (permission, unroutable, nack)
   * rejects.
   */
  async publish(exchange: string, routingKey: string, bodies: readonly string[]): Promise<void> {
    for (const text of bodies) {
      const body = Buffer.from(text, 'utf8');
      // Basic.Publish: reserved, exchange, routing key, mandatory
      this.send(1, 60, 40, u16(0), shortstr(exchange), shortstr(routingKey), u8(1));
      // Content header: class, weight, body size, flags (delivery-mode), delivery-mode 2
      this.frame(
        FRAME_HEADER,
        1,
        Buffer.concat([u16(60), u16(0), u64(body.length), u16(0x1000), u8(2)]),
      );
      this.frame(FRAME_BODY, 1, body);
    }
    const first = this.published + 1;
    this.published += bodies.length;
    const pending = new Set(Array.from({ length: bodies.length }, (_, i) => first + i));
    while (pending.size > 0) {
      const method = await this.next();
      if (method.classId === 60 && method.methodId === 80) {
        // Basic.Ack: delivery tag, multiple
        const tag = Number(method.args.readBigUInt64BE(0));
        const multiple = (method.args[8] & 1) === 1;
        for (const candidate of [...pending]) {
          if (candidate === tag || (multiple && candidate <= tag)) pending.delete(candidate);
        }
      } else if (method.classId === 60 && method.methodId === 120) {
        throw new Error(`broker nacked message ${method.args.readBigUInt64BE(0)}`);
      } else if (method.classId === 60 && method.methodId === 50) {
        const code = method.args.readUInt16BE(0);
        throw new Error(`message returned as unroutable: ${code} ${readShortstr(method.args, 2)}`);
      } else {
        throw new Error(`unexpected method ${method.classId}.${method.methodId}`);
      }
    }
  }

  /** Closes the connection politely. */
  async close(): Promise<void> {
    try {
      if (!this.failure) {
        this.send(0, 10, 50, u16(200), shortstr('bye'), u16(0), u16(0));
        await this.expect(10, 51);
      }
    } finally {
      this.socket.destroy();
    }
  }

  private async expect(classId: number, methodId: number): Promise<Method> {
    const method = await this.next();
    if (method.classId !== classId || method.methodId !== methodId) {
      throw new Error(
        `expected method ${classId}.${methodId}, got ${method.classId}.${method.methodId}`,
      );
    }
    return method;
  }

  /** Next method frame; a Close from the broker is answered and rejects. */
  private async next(): Promise<Method> {
    const method = await new Promise<Method>((resolve, reject) => {
      const queued = this.methods.shift();
      if (queued) return resolve(queued);
      if (this.failure) return reject(this.failure);
      const timer = setTimeout(
        () => reject(new Error(`no answer from the broker within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      this.waiter = {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      };
    });
    const closing =
      (method.classId === 10 && method.methodId === 50) ||
      (method.classId === 20 && method.methodId === 40);
    if (!closing) return method;
    const scope = method.classId === 10 ? 'connection' : 'channel';
    const error = new AmqpClosed(scope, method.args.readUInt16BE(0), readShortstr(method.args, 2));
    this.send(method.channel, method.classId, method.methodId + 1); // CloseOk
    if (scope === 'connection') this.fail(error);
    throw error;
  }

  private send(channel: number, classId: number, methodId: number, ...args: Buffer[]): void {
    this.frame(FRAME_METHOD, channel, Buffer.concat([u16(classId), u16(methodId), ...args]));
  }

  private frame(type: number, channel: number, payload: Buffer): void {
    if (this.socket.destroyed) return;
    this.socket.write(
      Buffer.concat([u8(type), u16(channel), u32(payload.length), payload, u8(FRAME_END)]),
    );
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 7) {
      const size = this.buffer.readUInt32BE(3);
      if (this.buffer.length < size + 8) return;
      const type = this.buffer[0];
      const channel = this.buffer.readUInt16BE(1);
      const payload = this.buffer.subarray(7, 7 + size);
      if (this.buffer[7 + size] !== FRAME_END) {
        this.fail(new Error('malformed frame from the broker'));
        return;
      }
      this.buffer = this.buffer.subarray(8 + size);
      // Content frames only follow a Basic.Return here, which is reported on its own.
      if (type !== FRAME_METHOD) continue;
      const method = {
        channel,
        classId: payload.readUInt16BE(0),
        methodId: payload.readUInt16BE(2),
        args: payload.subarray(4),
      };
      const waiter = this.waiter;
      if (waiter) {
        this.waiter = undefined;
        waiter.resolve(method);
      } else {
        this.methods.push(method);
      }
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(this.failure);
  }
}
