/** The evaluation's printed table and its JSON object. */
import type { EvalResult } from './evaluate.js';

const f3 = (v: number) => v.toFixed(3);

const SOURCES = { file: "from the files' georeferencing", option: 'from --gsd', assumed: "assumed: the model's own; give --gsd" } as const;

export function toJson(r: EvalResult, extra: Record<string, unknown> = {}): string {
  const { items, ...rest } = r;
  return JSON.stringify({ ...rest, ...extra, items: items.map((i) => ({ name: i.name, pixel: i.pixel, object: i.object, ...(i.drift_m === undefined ? {} : { drift_m: i.drift_m }) })) });
}

export function table(r: EvalResult, dir: string): string {
  const lines: string[] = [];
  lines.push(`${dir}: ${r.layout} layout${r.mode ? `, mode ${r.mode}` : ''}, ${r.pairs} ${r.layout === 'pairs' ? 'pairs' : r.layout === 'surface' ? 'tiles' : 'scenes'}`);
  lines.push(
    `threshold ${r.threshold}, slivers under ${r.opening_m} m wide and detections under ${r.min_object_m2} m² dropped, true structures under ${r.min_truth_m2} m² not counted`,
  );
  if (r.gsd) lines.push(`ground resolution ${r.gsd.metres.join(', ')} m (${r.gsd.sources.map((s) => SOURCES[s]).join(', ')})`);
  lines.push('');
  lines.push('            precision  recall      f1     iou      tp      fp      fn');
  const p = r.pixel;
  lines.push(`pixel       ${f3(p.precision).padStart(9)} ${f3(p.recall).padStart(7)} ${f3(p.f1).padStart(7)} ${f3(p.iou).padStart(7)} ${String(p.tp).padStart(7)} ${String(p.fp).padStart(7)} ${String(p.fn).padStart(7)}`);
  const o = r.object;
  lines.push(`object      ${f3(o.precision).padStart(9)} ${f3(o.recall).padStart(7)} ${f3(o.f1).padStart(7)} ${''.padStart(7)} ${String(o.tp).padStart(7)} ${String(o.fp).padStart(7)} ${String(o.fn).padStart(7)}`);
  if (r.classes) {
    for (const [name, c] of Object.entries(r.classes)) {
      lines.push(
        `${(name + ' obj').padEnd(11)} ${f3(c.object.precision).padStart(9)} ${f3(c.object.recall).padStart(7)} ${f3(c.object.f1).padStart(7)} ${''.padStart(7)} ${String(c.object.tp).padStart(7)} ${String(c.object.fp).padStart(7)} ${String(c.object.fn).padStart(7)}`,
      );
    }
  }
  lines.push('');
  lines.push(`speed: ${r.chips_per_second} chips per second (model path only, ${r.layout}); network: ${r.networks.join(', ') || 'none'}`);
  return lines.join('\n');
}
