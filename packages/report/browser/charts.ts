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

/** Unique stacks and depot bytes over the run's simulated time (Chart.js, two axes). */
export function depotGrowthChart(canvas: HTMLCanvasElement, samples: NonNullable<ReportData['depotGrowth']>): Chart {
  return new Chart(canvas, {
    type: 'line',
    data: {
      labels: samples.map((sample) => (sample.ns / 1e9).toFixed(2)),
      datasets: [
        {
          label: 'unique stacks',
          data: samples.map((sample) => sample.stacks),
          borderColor: '#1f77b4',
          yAxisID: 'stacks',
          pointRadius: 0,
        },
        {
          label: 'depot KiB',
          data: samples.map((sample) => sample.bytes / 1024),
          borderColor: '#d62728',
          yAxisID: 'bytes',
          pointRadius: 0,
        },
      ],
    },
    options: {
      scales: {
        x: { title: { display: true, text: 'simulated seconds since boot' } },
        stacks: { type: 'linear', position: 'left', title: { display: true, text: 'stacks' } },
        bytes: {
          type: 'linear',
          position: 'right',
          title: { display: true, text: 'KiB' },
          grid: { drawOnChartArea: false },
        },
      },
    },
  });
}

/** page_ext memory for page_owner under each layout: the seed's comparison. */
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
    options: { scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: 'pageblocks' } } } },
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
