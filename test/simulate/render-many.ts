/**
 * Renders the same agent's day, in 30-second samples, as many times as the
 * first argument says, and prints how long that took as `{"seconds": …}`.
 * Run as its own Node process, since code under Jest reads every global
 * (`Math`, `Number`) through the sandbox's interceptor, many times slower.
 */
import { ChartData } from '../../simulate/chart-data';
import { renderSvgChart } from '../../simulate/svg-chart';

const agents = Number(process.argv[2]);
const times = Array.from({ length: 2880 }, (_, i) => i * 30);
const wave = times.map((t) => 5000 + 4000 * Math.sin(t / 7200));
const day: ChartData = {
  title: 'image-processing on us-east',
  times,
  series: [
    { name: 'backlog', values: wave.map(Math.round), axis: 'left' },
    { name: 'replicas', values: wave.map((b) => Math.ceil(b / 1000)), axis: 'right' },
    { name: 'nodes', values: wave.map((b) => Math.ceil(b / 3000)), axis: 'right' },
  ],
};
const started = process.hrtime.bigint();
let bytes = 0;
for (let agent = 0; agent < agents; agent++) bytes += renderSvgChart(day).length;
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(JSON.stringify({ seconds, bytes }));
