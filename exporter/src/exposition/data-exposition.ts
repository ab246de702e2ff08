import zlib from 'node:zlib';
import type { SyncCodec } from '../cache/shared-cache';
import {
  FamilyBuilder,
  familyHeader,
  sampleLine,
  sampleName,
  type ExpositionFormat,
  type FamilySink,
  type MetricFamily,
  type MetricType,
  type Sample,
  type SetSample,
} from './format';

const FORMATS: readonly ExpositionFormat[] = ['text', 'openmetrics'];

/** What the health gauges of any replica say about the collection that produced the figures. */
export interface CollectionMeta {
  /** every source succeeded */
  ok: boolean;
  /** Unix seconds of the collection's clock when it fully succeeded; null if none has */
  lastSuccessSeconds: number | null;
  /** duration of the collection in seconds */
  collectSeconds: number;
}

/**
 * One family as rendered: its header in each format and its sample lines. The sample lines of a
 * gauge (every data metric) are the same bytes in both formats and held once.
 */
export interface RenderedFamily {
  header: Readonly<Record<ExpositionFormat, Buffer>>;
  samples: Readonly<Record<ExpositionFormat, readonly Buffer[]>>;
}

/**
 * The data metrics of one collection, rendered once for both formats; the gzip form of a format is
 * computed the first time a client asks for it (off the event loop) and kept.
 */
export class DataExposition {
  private readonly gzipped = new Map<ExpositionFormat, Promise<Buffer>>();
  private readonly bodies: Record<ExpositionFormat, readonly Buffer[]>;

  constructor(
    readonly families: readonly RenderedFamily[],
    readonly meta: CollectionMeta,
  ) {
    this.bodies = {
      text: families.flatMap((f) => [f.header.text, ...f.samples.text]),
      openmetrics: families.flatMap((f) => [f.header.openmetrics, ...f.samples.openmetrics]),
    };
  }

  /** The families as given (a repeated label set replaces its value, as FamilyBuilder has it). */
  static render(families: readonly MetricFamily[], meta: CollectionMeta): DataExposition {
    const writer = new ExpositionWriter();
    for (const family of families) {
      const set = writer.family(family.name, family.help, family.type, false);
      for (const sample of family.samples) set(sample.labels, sample.value, sample.suffix);
    }
    return writer.finish(meta);
  }

  /** Only the exporter's own metrics (no collection has produced figures yet). */
  static empty(meta: CollectionMeta): DataExposition {
    return new DataExposition([], meta);
  }

  /** The body of `format` as the pieces it is held in (written out with one writev). */
  chunks(format: ExpositionFormat): readonly Buffer[] {
    return this.bodies[format];
  }

  /** The body of `format` in one buffer (a copy). */
  body(format: ExpositionFormat): Buffer {
    return Buffer.concat(this.bodies[format]);
  }

  gzip(format: ExpositionFormat): Promise<Buffer> {
    let zipped = this.gzipped.get(format);
    if (!zipped) {
      zipped = gzipChunks(this.bodies[format]);
      this.gzipped.set(format, zipped);
    }
    return zipped;
  }
}

/** The gzip of the pieces' concatenation, without concatenating them. */
function gzipChunks(chunks: readonly Buffer[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const gzip = zlib.createGzip();
    gzip.on('data', (piece: Buffer) => out.push(piece));
    gzip.on('error', reject);
    gzip.on('end', () => resolve(Buffer.concat(out)));
    for (const chunk of chunks) gzip.write(chunk);
    gzip.end();
  });
}

/** Lines gathered into buffers of about CHUNK_CHARS characters as they come. */
class LineChunks {
  static readonly CHUNK_CHARS = 64 * 1024;
  readonly chunks: Buffer[] = [];
  private pending = '';

  add(line: string): void {
    this.pending += line;
    if (this.pending.length >= LineChunks.CHUNK_CHARS) this.flush();
  }

  flush(): void {
    if (this.pending === '') return;
    this.chunks.push(Buffer.from(this.pending));
    this.pending = '';
  }
}

interface FamilyInWriting {
  family: MetricFamily;
  header: Record<ExpositionFormat, Buffer>;
  /** the OpenMetrics lines are the text lines (same object) unless a counter's name lacks _total */
  lines: Record<ExpositionFormat, LineChunks>;
  /** families not declared unique: kept as samples (a repeated label set replaces its value) until the end */
  builder?: FamilyBuilder;
}

/**
 * Renders families straight into bytes as their samples are set (no sample objects are kept for the
 * unique families, which hold the per-tenant series): a FamilySink whose `finish` gives the
 * DataExposition.
 */
export class ExpositionWriter implements FamilySink {
  private readonly written: FamilyInWriting[] = [];

  family(name: string, help: string, type: MetricType, unique: boolean): SetSample {
    const family: MetricFamily = { name, help, type, samples: [] };
    const text = new LineChunks();
    const sameLines = type !== 'counter' || name.endsWith('_total');
    const entry: FamilyInWriting = {
      family,
      header: {
        text: Buffer.from(familyHeader(family, 'text')),
        openmetrics: Buffer.from(familyHeader(family, 'openmetrics')),
      },
      lines: { text, openmetrics: sameLines ? text : new LineChunks() },
    };
    this.written.push(entry);
    if (!unique) {
      const builder = new FamilyBuilder(name, help, type);
      entry.builder = builder;
      return (labels, value, suffix) => builder.set(labels, value, suffix);
    }
    return (labels, value, suffix = '') => this.write(entry, { suffix, labels, value });
  }

  private write(entry: FamilyInWriting, sample: Sample): void {
    const { lines, family } = entry;
    lines.text.add(sampleLine(sampleName(family, sample, 'text'), sample.labels, sample.value));
    if (lines.openmetrics !== lines.text)
      lines.openmetrics.add(
        sampleLine(sampleName(family, sample, 'openmetrics'), sample.labels, sample.value),
      );
  }

  finish(meta: CollectionMeta): DataExposition {
    const families = this.written.map((entry): RenderedFamily => {
      for (const sample of entry.builder?.build().samples ?? []) this.write(entry, sample);
      for (const format of FORMATS) entry.lines[format].flush();
      return {
        header: entry.header,
        samples: { text: entry.lines.text.chunks, openmetrics: entry.lines.openmetrics.chunks },
      };
    });
    return new DataExposition(families, meta);
  }
}

/** Layout version of the encoded exposition (part of its shared-cache key). */
export const DATA_EXPOSITION_VERSION = 2;

interface EncodedHeader {
  meta: CollectionMeta;
  /** per family: its headers, and the byte lengths of its text samples and (when they differ) OpenMetrics samples */
  families: { header: Record<ExpositionFormat, string>; text: number; openmetrics?: number }[];
}

const byteLength = (chunks: readonly Buffer[]) => chunks.reduce((n, c) => n + c.length, 0);

/**
 * 4 bytes: length of a JSON header (EncodedHeader); the header; then per family its text sample
 * bytes, followed by its OpenMetrics sample bytes where they differ.
 */
export const dataExpositionCodec: SyncCodec<DataExposition> = {
  encode(exposition) {
    const parts: Buffer[] = [];
    const header: EncodedHeader = {
      meta: exposition.meta,
      families: exposition.families.map((f) => {
        const shared = f.samples.openmetrics === f.samples.text;
        parts.push(...f.samples.text);
        if (!shared) parts.push(...f.samples.openmetrics);
        return {
          header: { text: f.header.text.toString(), openmetrics: f.header.openmetrics.toString() },
          text: byteLength(f.samples.text),
          ...(shared ? {} : { openmetrics: byteLength(f.samples.openmetrics) }),
        };
      }),
    };
    const json = Buffer.from(JSON.stringify(header));
    const size = Buffer.alloc(4);
    size.writeUInt32BE(json.length);
    return Buffer.concat([size, json, ...parts]);
  },
  decode(bytes) {
    const headerLength = bytes.readUInt32BE(0);
    const header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString()) as EncodedHeader;
    let offset = 4 + headerLength;
    const take = (length: number): Buffer[] => {
      if (offset + length > bytes.length) throw new Error('shared exposition is truncated');
      const piece = bytes.subarray(offset, offset + length);
      offset += length;
      return [piece];
    };
    const families = header.families.map((f): RenderedFamily => {
      const text = take(f.text);
      return {
        header: { text: Buffer.from(f.header.text), openmetrics: Buffer.from(f.header.openmetrics) },
        samples: { text, openmetrics: f.openmetrics === undefined ? text : take(f.openmetrics) },
      };
    });
    if (offset !== bytes.length) throw new Error('shared exposition has bytes past its families');
    return new DataExposition(families, header.meta);
  },
};
