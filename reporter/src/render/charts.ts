import * as echarts from 'echarts';
import type { ReportModel } from '../model/types';

export const CHART_FONT = 'DejaVuSans';

/** Renders an ECharts option to an SVG string on the server (no DOM, no browser, no animation). */
export function renderChartSvg(option: echarts.EChartsOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: CHART_FONT, fontSize: 11 }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

function compactMoney(locale: string, currency: string): (value: number) => string {
  const format = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    notation: 'compact',
    minimumFractionDigits: 0,
    maximumFractionDigits: 1,
  });
  return (value) => format.format(value);
}

/** Cumulative spend of the period against the pro-rata budget. */
export function trendChartSvg(model: ReportModel, width: number, height: number): string | null {
  if (model.trend.spend.length < 2) return null;
  const money = compactMoney(model.locale, model.currency);
  const day = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' });
  const series: echarts.SeriesOption[] = [
    {
      name: 'Spend (cumulative)',
      type: 'line',
      showSymbol: false,
      lineStyle: { width: 2, color: model.color },
      itemStyle: { color: model.color },
      areaStyle: { color: model.color, opacity: 0.12 },
      data: model.trend.spend.map(([t, v]) => [t * 1000, v]),
    },
  ];
  if (model.trend.budgetPace.length > 0) {
    series.push({
      name: 'Budget (pro rata)',
      type: 'line',
      showSymbol: false,
      lineStyle: { width: 1.5, type: 'dashed', color: '#b35900' },
      itemStyle: { color: '#b35900' },
      data: model.trend.budgetPace.map(([t, v]) => [t * 1000, v]),
    });
  }
  return renderChartSvg(
    {
      grid: { left: 70, right: 20, top: 36, bottom: 30 },
      // ECharts measures text without the embedded font, so the gap leaves room for DejaVu's wider glyphs.
      legend: { top: 4, left: 'center', itemGap: 48, textStyle: { fontFamily: CHART_FONT } },
      xAxis: {
        type: 'time',
        min: Date.parse(model.period.start),
        max: Date.parse(model.period.end),
        axisLabel: {
          formatter: (value: number) => day.format(new Date(value)),
          hideOverlap: true,
          fontFamily: CHART_FONT,
        },
        splitLine: { show: false },
      },
      yAxis: {
        type: 'value',
        axisLabel: { formatter: (value: number) => money(value), fontFamily: CHART_FONT },
        splitLine: { lineStyle: { color: '#e5e7eb' } },
      },
      series,
    },
    width,
    height,
  );
}

/** Spend by category as horizontal bars, largest on top. */
export function categoryChartSvg(model: ReportModel, width: number, height: number): string | null {
  const rows = model.categories.filter((c) => c.spend > 0);
  if (rows.length === 0) return null;
  const money = compactMoney(model.locale, model.currency);
  const ordered = [...rows].reverse();
  return renderChartSvg(
    {
      grid: { left: 90, right: 70, top: 10, bottom: 24 },
      xAxis: {
        type: 'value',
        axisLabel: { formatter: (value: number) => money(value), hideOverlap: true, fontFamily: CHART_FONT },
        splitLine: { lineStyle: { color: '#e5e7eb' } },
      },
      yAxis: {
        type: 'category',
        data: ordered.map((r) => r.category),
        axisLabel: { fontFamily: CHART_FONT },
      },
      series: [
        {
          type: 'bar',
          data: ordered.map((r) => r.spend),
          itemStyle: { color: model.color },
          barMaxWidth: 18,
        },
      ],
    },
    width,
    height,
  );
}
