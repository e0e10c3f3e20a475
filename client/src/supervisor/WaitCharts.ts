import uPlot from 'uplot';
import type { SupervisorOverview } from '../../../signaling/index.js';
import { locale, t } from '../i18n.js';

const HEIGHT = 220;

/**
 * The supervisor's two charts over the last hours, drawn by uPlot: waits of answered customers (mean and longest)
 * and the share answered within target. Intervals with no answer are gaps, not zeros: nobody waited then.
 */
export class WaitCharts {
  readonly #waitsHost: HTMLElement;
  readonly #serviceHost: HTMLElement;
  #waits: uPlot | null = null;
  #service: uPlot | null = null;
  #history: SupervisorOverview['history'] | null = null;
  readonly #onResize = (): void => this.#resize();

  constructor(waitsHost: HTMLElement, serviceHost: HTMLElement) {
    this.#waitsHost = waitsHost;
    this.#serviceHost = serviceHost;
    window.addEventListener('resize', this.#onResize);
  }

  /** Shows a new history; the charts are made on the first call and their data replaced afterwards. */
  update(history: SupervisorOverview['history']): void {
    this.#history = history;
    const xs = history.points.map((point) => (point.at + history.bucketMs / 2) / 1000);
    const waits: uPlot.AlignedData = [xs, history.points.map((point) => point.meanWaitSec), history.points.map((point) => point.maxWaitSec)];
    const service: uPlot.AlignedData = [xs, history.points.map((point) => (point.serviceLevel === null ? null : point.serviceLevel * 100))];
    if (this.#waits && this.#service) {
      this.#waits.setData(waits);
      this.#service.setData(service);
      return;
    }
    this.#waits = new uPlot(this.#options('s', [
      { label: t('supervisor.meanWait'), stroke: '#0b63ce', width: 2, points: { show: true } },
      { label: t('supervisor.maxWait'), stroke: '#c62828', width: 2, dash: [6, 4], points: { show: true } },
    ]), waits, this.#waitsHost);
    this.#service = new uPlot(
      { ...this.#options('%', [{ label: t('supervisor.serviceLevel'), stroke: '#1b6e2a', fill: 'rgba(27, 110, 42, .12)', width: 2, points: { show: true } }]), scales: { y: { range: [0, 100] } } },
      service,
      this.#serviceHost,
    );
  }

  /** Draws the charts again with the current language's labels. */
  relabel(): void {
    this.#destroyCharts();
    if (this.#history) this.update(this.#history);
  }

  /** Removes the charts and stops following the window's size. Idempotent. */
  destroy(): void {
    window.removeEventListener('resize', this.#onResize);
    this.#destroyCharts();
  }

  #options(unit: string, series: uPlot.Series[]): uPlot.Options {
    return {
      width: this.#width(this.#waitsHost),
      height: HEIGHT,
      series: [{}, ...series],
      // Times in the page's language (uPlot's own labels are English).
      axes: [{ values: (_chart, ticks) => ticks.map((tick) => new Date(tick * 1000).toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit' })) }, { values: (_chart, ticks) => ticks.map((tick) => `${tick}${unit === '%' ? ' %' : ' s'}`), size: 60 }],
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
    };
  }

  #width(host: HTMLElement): number {
    return Math.max(280, host.clientWidth);
  }

  #resize(): void {
    this.#waits?.setSize({ width: this.#width(this.#waitsHost), height: HEIGHT });
    this.#service?.setSize({ width: this.#width(this.#serviceHost), height: HEIGHT });
  }

  #destroyCharts(): void {
    this.#waits?.destroy();
    this.#service?.destroy();
    this.#waits = null;
    this.#service = null;
  }
}
