import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { SyncCodec } from '../cache/shared-cache';
import { renderFamilies, type ExpositionFormat, type MetricFamily } from './format';

const gzip = promisify(zlib.gzip);

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
 * The data metrics of one collection, rendered once in both formats; the gzip form of a format is
 * computed the first time a client asks for it (off the event loop) and kept.
 */
export class DataExposition {
  private readonly gzipped = new Map<ExpositionFormat, Promise<Buffer>>();

  constructor(
    private readonly bodies: Readonly<Record<ExpositionFormat, Buffer>>,
    readonly meta: CollectionMeta,
  ) {}

  static render(families: readonly MetricFamily[], meta: CollectionMeta): DataExposition {
    return new DataExposition(
      {
        text: Buffer.from(renderFamilies(families, 'text')),
        openmetrics: Buffer.from(renderFamilies(families, 'openmetrics')),
      },
      meta,
    );
  }

  /** Only the exporter's own metrics (no collection has produced figures yet). */
  static empty(meta: CollectionMeta): DataExposition {
    return new DataExposition({ text: Buffer.alloc(0), openmetrics: Buffer.alloc(0) }, meta);
  }

  body(format: ExpositionFormat): Buffer {
    return this.bodies[format];
  }

  gzip(format: ExpositionFormat): Promise<Buffer> {
    let zipped = this.gzipped.get(format);
    if (!zipped) {
      zipped = gzip(this.bodies[format]);
      this.gzipped.set(format, zipped);
    }
    return zipped;
  }
}

/** Layout version of the encoded exposition (part of its shared-cache key). */
export const DATA_EXPOSITION_VERSION = 1;

/**
 * 4 bytes: length of a JSON header { meta, text }; the header; the text body (`text` bytes); the
 * OpenMetrics body (the rest).
 */
export const dataExpositionCodec: SyncCodec<DataExposition> = {
  encode(exposition) {
    const text = exposition.body('text');
    const header = Buffer.from(JSON.stringify({ meta: exposition.meta, text: text.length }));
    const size = Buffer.alloc(4);
    size.writeUInt32BE(header.length);
    return Buffer.concat([size, header, text, exposition.body('openmetrics')]);
  },
  decode(bytes) {
    const headerLength = bytes.readUInt32BE(0);
    const header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString()) as {
      meta: CollectionMeta;
      text: number;
    };
    const textStart = 4 + headerLength;
    const textEnd = textStart + header.text;
    if (textEnd > bytes.length) throw new Error('shared exposition is truncated');
    return new DataExposition(
      { text: bytes.subarray(textStart, textEnd), openmetrics: bytes.subarray(textEnd) },
      header.meta,
    );
  },
};
