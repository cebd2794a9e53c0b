/** The scoreboard's printed table and its JSON object, pure (no I/O). */
import type { Scoreboard } from './scoreboard.js';
import type { ScoreRow } from './scoreboard-rows.js';

const f3 = (v: number) => v.toFixed(3);
const SPLIT = { all: 'all', trained_on: 'TRAINED-ON', held_out: 'held-out' } as const;
const METRIC = { pixel_f1: 'pixel F1', object_f1: 'object F1' } as const;

function pr(f: { pixel: { precision: number; recall: number }; object?: { precision: number; recall: number } }, row: ScoreRow): string {
  const r = row.metric === 'pixel_f1' ? f.pixel : f.object;
  return r ? `${r.precision.toFixed(2)}/${r.recall.toFixed(2)}` : '-';
}

export function scoreboardJson(board: Scoreboard): string {
  return JSON.stringify(board);
}

export function scoreboardTable(board: Scoreboard): string {
  const lines: string[] = [];
  lines.push(`real-data scoreboard: ${board.real_dir}`);
  lines.push(`model: ${board.model} (${board.provider}); decision rule: threshold ${board.threshold}, detections under ${board.min_object_m2} m² dropped`);
  lines.push('reference: image pairs, colour difference |B-A| cut where it scores best on the row itself (an oracle: a floor);');
  lines.push('           surface models, height above the detector\'s ground estimate minus the baseline\'s height, cut at the "ref cut" in metres');
  lines.push('TRAINED-ON rows: tiles the serving network trained on (models/data/splits.ts, or every development tile where its record says development_split all); only held-out rows measure the real world');
  lines.push('');
  const head = ['set', 'split', 'n', 'metric', 'model', 'reference', 'ratio', 'model P/R', 'ref P/R', 'ref cut'];
  const widths = [17, 11, 4, 10, 6, 9, 6, 10, 10, 7];
  const fmt = (cells: string[]) => cells.map((c, i) => (i < 2 || i === 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' ').trimEnd();
  lines.push(fmt(head));
  for (const set of board.sets) {
    for (const row of set.rows) {
      lines.push(
        fmt([
          set.set,
          SPLIT[row.split],
          String(row.items),
          METRIC[row.metric],
          f3(row.model_score),
          f3(row.reference_score),
          row.ratio === null ? '-' : row.ratio.toFixed(2),
          pr(row.model, row),
          pr(row.reference, row),
          String(row.reference.threshold),
        ]),
      );
    }
  }
  for (const n of board.not_scored) lines.push(`${n.set.padEnd(widths[0]!)} ${n.reason}`);
  lines.push('');
  for (const set of board.sets) {
    lines.push(`${set.set}: ${set.task}; ground ${set.gsd_m.join(', ')} m (${set.gsd_note}); mode ${set.mode}; network ${set.networks.join(', ') || 'none'}`);
  }
  lines.push(`${board.seconds} s`);
  return lines.join('\n');
}
