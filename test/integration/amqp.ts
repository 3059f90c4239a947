import * as amqp from 'amqplib';

/** Where and as whom an agent logs in over AMQP 0-9-1. */
export interface AmqpLogin {
  readonly port: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  readonly vhost: string;
  readonly user: string;
  readonly password: string;
}

/**
 * Connects and logs in (PLAIN), as an agent does. A refused login rejects
 * with amqplib's `Handshake terminated by server: 403 (ACCESS-REFUSED) …`.
 * @see https://amqp-node.github.io/amqplib/channel_api.html#connect
 */
export async function connectAmqp(login: AmqpLogin): Promise<amqp.ChannelModel> {
  const connection = await amqp.connect(
    {
      protocol: 'amqp',
      hostname: login.host ?? '127.0.0.1',
      port: login.port,
      vhost: login.vhost,
      username: login.user,
      password: login.password,
      heartbeat: 0,
    },
    { timeout: 10_000 },
  );
  // A broker's Connection.Close also rejects whatever is in flight; this only
  // keeps the emitter from throwing it a second time.
  connection.on('error', () => undefined);
  return connection;
}

/**
 * Publishes persistent, mandatory messages to an exchange on a confirm
 * channel and waits until the broker confirms every one. A refusal rejects:
 * a Channel.Close (the error carries its reply `code`, e.g. 403), a nack, or
 * a message returned as unroutable.
 */
export async function publishConfirmed(
  connection: amqp.ChannelModel,
  exchange: string,
  routingKey: string,
  bodies: readonly string[],
): Promise<void> {
  const channel = await connection.createConfirmChannel();
  let closed = false;
  const refused = new Promise<never>((_, reject) => {
    channel.on('error', (error) => reject(error));
    channel.on('close', () => (closed = true));
    channel.on('return', (message: amqp.Message) =>
      reject(
        new Error(
          `message returned as unroutable: '${message.fields.exchange}' '${message.fields.routingKey}'`,
        ),
      ),
    );
  });
  try {
    for (const text of bodies) {
      channel.publish(exchange, routingKey, Buffer.from(text, 'utf8'), {
        persistent: true,
        mandatory: true,
      });
    }
    await Promise.race([channel.waitForConfirms(), refused]);
  } finally {
    if (!closed) await channel.close().catch(() => undefined);
  }
}
