import { MonitoredAgent, MonitoredBroker } from '../../generators/monitoring';

/** A site of the reference fleet, with one agent of each scaling kind. */
export const brokers: MonitoredBroker[] = [
  { name: 'main', namespace: 'rabbitmq' },
  { name: 'spare', namespace: 'rabbitmq-spare' },
];

export const imageProcessing: MonitoredAgent = {
  name: 'image-processing',
  namespace: 'image-processing',
  scaling: 'keda',
  minReplicas: 2,
  maxReplicas: 10,
  queue: { broker: 'main', vhost: '/', queue: 'image_processing_tasks', perReplica: 20 },
  metricsPort: 'metrics',
};

export const metadataExtraction: MonitoredAgent = {
  name: 'metadata-extraction',
  namespace: 'metadata-extraction',
  scaling: 'keda',
  minReplicas: 1,
  maxReplicas: 2,
  queue: { broker: 'main', vhost: '/', queue: 'metadata_extraction_tasks', perReplica: 100 },
  metricsPort: 'prom',
};

/** Scales on CPU only. */
export const reporting: MonitoredAgent = {
  name: 'reporting',
  namespace: 'reporting',
  scaling: 'hpa',
  minReplicas: 1,
  maxReplicas: 4,
};

/** Scales on CPU but consumes a queue, without a per-replica target. */
export const inventoryUpdate: MonitoredAgent = {
  name: 'inventory-update',
  namespace: 'inventory',
  scaling: 'hpa',
  minReplicas: 2,
  maxReplicas: 6,
  queue: { broker: 'main', vhost: 'inventory', queue: 'inventory_updates' },
};

export const forecasting: MonitoredAgent = {
  name: 'forecasting',
  namespace: 'forecasting',
  scaling: 'cron-job',
  minReplicas: 1,
  maxReplicas: 1,
  queue: { broker: 'main', vhost: '/', queue: 'forecast_requests' },
};

/** Per-message Jobs, on a vhost and queue whose names need escaping. */
export const thumbnail: MonitoredAgent = {
  name: 'thumbnail',
  namespace: 'media',
  scaling: 'keda-job',
  minReplicas: 0,
  maxReplicas: 20,
  queue: { broker: 'main', vhost: 'we"ird\\vhost', queue: 'tasks "quoted"' },
  metricsPort: 'metrics',
};

/** KEDA with min == max: always at its maximum, by design. */
export const gpuInference: MonitoredAgent = {
  name: 'gpu-inference',
  namespace: 'gpu',
  scaling: 'keda',
  minReplicas: 1,
  maxReplicas: 1,
  queue: { broker: 'main', vhost: '/', queue: 'inference_requests', perReplica: 10 },
};

export const dispatcher: MonitoredAgent = {
  name: 'dispatcher',
  namespace: 'dispatcher',
  scaling: 'fixed',
  minReplicas: 2,
  maxReplicas: 2,
  metricsPort: 'metrics',
};

/** Consumes from a broker outside the cluster, which nothing here scrapes. */
export const chimera: MonitoredAgent = {
  name: 'chimera-data-ingest',
  namespace: 'chimera',
  scaling: 'keda',
  minReplicas: 0,
  maxReplicas: 10,
  queue: { broker: 'amazon-mq', vhost: '/', queue: 'chimera', perReplica: 1000 },
};

export const agents: MonitoredAgent[] = [
  imageProcessing,
  metadataExtraction,
  reporting,
  inventoryUpdate,
  forecasting,
  thumbnail,
  gpuInference,
  dispatcher,
  chimera,
];
