import { Cpu, Duration, ImageRef, Size, UnitError } from '../model';

/** String patterns of the schemas, each with the message given when a value does not match. */
export const PATTERNS = {
  cpu: '^([0-9]+m|[0-9]+(\\.[0-9]{1,3})?)$',
  size: '^[0-9]+(Ki|Mi|Gi|Ti|k|M|G|T)$',
  duration: '^([0-9]+(ms|s|m|h|d))+$',
  image:
    '^[a-z0-9][a-z0-9._/:-]*(@sha256:[a-f0-9]{64}|:(?!latest$)[A-Za-z0-9_][A-Za-z0-9._-]{0,127})$',
  dnsLabel: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
  cron: '^(@(yearly|annually|monthly|weekly|daily|hourly)|[^ ]+( +[^ ]+){4})$',
  cidr: '^[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}$',
  awsAccount: '^[0-9]{12}$',
  awsRegion: '^[a-z]{2}(-gov)?-[a-z]+-[0-9]$',
  iamRoleArn: '^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$',
  kafkaVersion: '^[0-9]+\\.[0-9]+\\.([0-9]+|x)(\\.[a-z0-9]+)*$',
  mskInstanceType: '^kafka\\.[a-z0-9]+\\.[a-z0-9]+$',
  rabbitMqVersion: '^[0-9]+\\.[0-9]+(\\.[0-9]+)?$',
  amazonMqInstanceType: '^mq\\.[a-z0-9]+\\.[a-z0-9]+$',
  guid: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
  azureVmSize: '^Standard_[A-Za-z0-9_]+$',
  azureLocation: '^[a-z][a-z0-9]+$',
} as const;

/** The parsers of the unit patterns: a value matching one is parsed into the model's value object. */
export const UNIT_PARSERS: Readonly<Record<string, (text: string) => unknown>> = {
  [PATTERNS.cpu]: Cpu.parse,
  [PATTERNS.size]: Size.parse,
  [PATTERNS.duration]: Duration.parse,
  [PATTERNS.image]: ImageRef.parse,
};

const MESSAGES: Record<string, (value: string) => string> = {
  [PATTERNS.dnsLabel]: (value) =>
    `'${value}' must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit`,
  [PATTERNS.cron]: (value) =>
    `'${value}' is not a cron expression: use five fields (minute hour day-of-month month day-of-week), e.g. '0 2 * * *'`,
  [PATTERNS.cidr]: (value) => `'${value}' must be an IPv4 CIDR such as 10.0.0.0/16`,
  [PATTERNS.awsAccount]: (value) => `'${value}' must be a 12-digit AWS account id`,
  [PATTERNS.awsRegion]: (value) => `'${value}' must be an AWS region such as eu-west-1`,
  [PATTERNS.iamRoleArn]: (value) =>
    `'${value}' must be an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admins`,
  [PATTERNS.kafkaVersion]: (value) =>
    `'${value}' is not an MSK Kafka version such as '3.8.x' or '3.6.0'`,
  [PATTERNS.mskInstanceType]: (value) =>
    `'${value}' is not an MSK broker instance type such as 'kafka.m7g.large'`,
  [PATTERNS.rabbitMqVersion]: (value) => `'${value}' is not a RabbitMQ version such as '3.13'`,
  [PATTERNS.amazonMqInstanceType]: (value) =>
    `'${value}' is not an Amazon MQ instance type such as 'mq.m5.large'`,
  [PATTERNS.guid]: (value) =>
    `'${value}' must be a lowercase GUID such as 00000000-0000-0000-0000-000000000000`,
  [PATTERNS.azureVmSize]: (value) => `'${value}' is not an Azure VM size such as 'Standard_D4s_v5'`,
  [PATTERNS.azureLocation]: (value) =>
    `'${value}' is not an Azure region name such as 'westeurope' (lowercase, no spaces)`,
};

/** What is wrong with a string that does not match a pattern of the schemas, and what is allowed. */
export function patternMessage(pattern: string, value: unknown): string {
  const text = String(value);
  const parse = UNIT_PARSERS[pattern];
  if (parse) {
    try {
      parse(text);
    } catch (error) {
      if (error instanceof UnitError) return error.message;
      throw error;
    }
  }
  const message = MESSAGES[pattern];
  return message ? message(text) : `'${text}' must match the pattern ${pattern}`;
}
