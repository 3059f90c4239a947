import { parentPort, workerData } from 'worker_threads';
import { readMapsWithoutProblems } from '../config/yaml-source';
import type { ReadAheadReply, ReadAheadRequest } from './read-ahead';

/**
 * The worker thread of app/read-ahead.ts: parses each file it is given and
 * posts its tree, or no tree when the file has a problem (the loader then
 * reads that file itself and reports the problem).
 */
const { rootDir, files } = workerData as ReadAheadRequest;
readMapsWithoutProblems(rootDir, files, (file, tree) => {
  const reply: ReadAheadReply = { file, tree };
  parentPort?.postMessage(reply);
});
