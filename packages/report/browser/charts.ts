import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Title,
  Tooltip,
} from 'chart.js';
import type { ReportData } from '../src/report-data';
import { formatTick } from './format';
import { MIGRATETYPE_COLOURS, STATE_COLOURS } from './memory-map';

// Only the parts used, each imported and registered (Chart.js's tree-shaking: 33 KB less than `registerables`).
Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Title,
  Tooltip,
);
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;

const MIB = 2 ** 20;

/**
 * Unique stacks and depot bytes over the run's simulated time (Chart.js, two y axes), on a linear time axis: the
 * samples are where the run took them, not evenly spaced.
 */
export function depotGrowthChart(canvas: HTMLCanvasElement, samples: NonNullable<ReportData['depotGrowth']>): Chart {
  const seconds = (sample: { ns: number }) => sample.ns / 1e9;
  // A few samples (a replay's run has one, at the end) are drawn as points: a line of one point shows nothing.
  const pointRadius = samples.length < 24 ? 3 : 0;
  return new Chart(canvas, {
    type: 'line',
    data: {
      datasets: [
        {
          label: 'unique stacks',
          data: samples.map((sample) => ({ x: seconds(sample), y: sample.stacks })),
          borderColor: '#1f77b4',
          backgroundColor: '#1f77b4',
          yAxisID: 'stacks',
          pointRadius,
        },
        {
          label: 'depot KiB',
          data: samples.map((sample) => ({ x: seconds(sample), y: sample.bytes / 1024 })),
          borderColor: '#d62728',
          backgroundColor: '#d62728',
          yAxisID: 'bytes',
          pointRadius,
        },
      ],
    },
    options: {
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      plugins: {
        tooltip: {
          callbacks: {
            title: (items) => (items.length === 0 ? '' : `${formatTick(items[0]!.parsed.x ?? 0, 0.001)} s`),
          },
        },
      },
      scales: {
        x: {
          type: 'linear',
          // From boot, not from the first sample: the depot starts with page_owner, a little after boot.
          min: 0,
          title: { display: true, text: 'simulated time since boot' },
          ticks: {
            maxTicksLimit: 8,
            callback: (value, _index, ticks) =>
              formatTick(Number(value), Math.abs((ticks[1]?.value ?? 0) - (ticks[0]?.value ?? 0)), 's'),
          },
        },
        stacks: { type: 'linear', position: 'left', beginAtZero: true, title: { display: true, text: 'stacks' } },
        bytes: {
          type: 'linear',
          position: 'right',
          beginAtZero: true,
          title: { display: true, text: 'KiB' },
          grid: { drawOnChartArea: false },
        },
      },
    },
  });
}

/**
 * page_ext memory for page_owner under each layout, from v3.19 to v6.18, then v6.18's for every combination of
 * clients (the two tables `mmsim layouts` prints).
 */
export function layoutsChart(canvas: HTMLCanvasElement, layouts: NonNullable<ReportData['layouts']>): Chart {
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: layouts.map((row) => row.profile),
      datasets: [{ label: 'page_ext MiB', data: layouts.map((row) => row.bytes / MIB), backgroundColor: '#1f77b4' }],
    },
    options: { scales: { y: { title: { display: true, text: 'MiB' } } } },
  });
}

/** Mixed pageblocks per zone, stacked by the blocks' migratetype. */
export function mixedBlocksChart(canvas: HTMLCanvasElement, data: ReportData): Chart {
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: data.mixedBlocks.map((zone) => zone.zone),
      datasets: data.migratetypes.map((name, index) => ({
        label: name,
        data: data.mixedBlocks.map((zone) => zone.counts[index] ?? 0),
        backgroundColor: MIGRATETYPE_COLOURS[index] ?? '#999999',
      })),
    },
    options: {
      scales: {
        x: { stacked: true },
        y: { stacked: true, ticks: { precision: 0 }, title: { display: true, text: 'pageblocks' } },
      },
    },
  });
}

/** LRU pages idle and accessed since they were marked: the working set is the accessed part. */
export function idleChart(canvas: HTMLCanvasElement, idle: NonNullable<ReportData['idle']>): Chart {
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: ['LRU pages'],
      datasets: [
        {
          label: 'accessed (working set)',
          data: [idle.lruPages - idle.idlePages],
          backgroundColor: STATE_COLOURS.active,
        },
        { label: 'idle', data: [idle.idlePages], backgroundColor: STATE_COLOURS.idle },
      ],
    },
    options: {
      indexAxis: 'y',
      scales: { x: { stacked: true, title: { display: true, text: 'pages' } }, y: { stacked: true } },
    },
  });
}
